// The original-ISA time of a translated run: the x86 reference interpreter (emulator/x86/cpu.ts)
// runs the same i386 program from the same initial memory (the window as the kernel built it at
// UKCF_USER_START) and gets, at each `int 0x80`, the result and user-memory effects the host kernel
// produced in the translated run (syscall-trace.ts). Its instruction count is the denominator of
// the performance loss ratio. On the way it checks the translated run: the same system calls in the
// same order, with the same guest registers (ecx..edi; eax is the number) at each one — a lockstep
// at system-call granularity against an oracle nobody here wrote for this purpose.
import { PagedMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../machine/paged-memory';
import { X86Cpu, REG_EAX, REG_EBX } from '../x86/cpu';
import { I386_ABI } from '../linux/i386-abi';
import { MIPS_O32_ABI } from '../linux/mips-o32-abi';
import type { TracedSyscall } from './syscall-trace';

const GUEST_REGISTER_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
/** Host register holding guest register r in translated code (s0..s7). */
const HOST_OF_GUEST = (r: number) => 16 + r;

/** The guest's memory at its start: the window below the translator's area. */
export interface GuestImage {
  base: number;
  bytes: Uint8Array;
  entry: number;
  esp: number;
}

export interface ReplayResult {
  /** Guest instructions the reference interpreter executed (int 0x80 included; a faulting one not). */
  instructions: number;
  syscalls: number;
  /** exit's status, or null when the run ended at `fault`. */
  exitStatus: number | null;
  /** The reference's fault message when the translated process was killed at the same eip. */
  fault: string | null;
}

/** How the translated process ended, when not by exit: killed at this guest eip. */
export interface TranslatedEnd {
  faultEip: number;
}

/** The translated run and the reference interpreter disagree, or the run cannot be replayed. */
export class ReplayMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayMismatch';
  }
}

const hex = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0');

const I386_NUMBER_OF = new Map<string, number>(Object.entries(I386_ABI.syscallNumbers));
const I386_ERRNO_OF_O32 = new Map<number, number>(
  Object.entries(MIPS_O32_ABI.errno).map(([name, n]) => [n, (I386_ABI.errno as Record<string, number>)[name]]),
);

/** What the i386 guest sees in eax for a host kernel result. */
function guestResult(c: TracedSyscall): number {
  const r = c.result as number;
  if (r >= 0 || r < -4095) return r | 0;
  const e = I386_ERRNO_OF_O32.get(-r);
  if (e === undefined) throw new ReplayMismatch(`system call ${c.name}: host errno ${-r} has no i386 equivalent in the ABI tables`);
  return -e;
}

export function replayOnReference(image: GuestImage, calls: readonly TracedSyscall[], end: TranslatedEnd | null = null, maxInstructions = 20_000_000_000): ReplayResult {
  const memory = new PagedMemory();
  memory.map(image.base, image.bytes.length, PROT_READ | PROT_WRITE | PROT_EXEC);
  memory.writeBytes(image.base, image.bytes);
  const cpu = new X86Cpu(memory);
  cpu.eip = image.entry >>> 0;
  cpu.regs[4] = image.esp | 0;
  for (let i = 0; ; i++) {
    const left = maxInstructions - cpu.instructionCount;
    if (left <= 0) throw new ReplayMismatch(`reference interpreter: instruction budget of ${maxInstructions} exhausted at eip ${hex(cpu.eip)}`);
    const stop = cpu.run(left);
    if (stop.kind === 'limit') continue;
    if (stop.kind === 'fault' && end !== null && i === calls.length && (cpu.eip >>> 0) === (end.faultEip >>> 0)) {
      return { instructions: cpu.instructionCount, syscalls: i, exitStatus: null, fault: stop.message };
    }
    if (stop.kind !== 'syscall') {
      const what = stop.kind === 'fault' ? stop.message : stop.kind;
      throw new ReplayMismatch(`reference interpreter stopped at eip ${hex(cpu.eip)} (${what}) after ${i} system calls; the translated run did not`);
    }
    if (i >= calls.length) throw new ReplayMismatch(`reference interpreter made system call #${i} (eax ${cpu.regs[REG_EAX]}) at eip ${hex(cpu.eip)}; the translated run made only ${calls.length}`);
    const c = calls[i];
    const baseName = c.name.split(' ')[0];
    const want = I386_NUMBER_OF.get(baseName);
    if (want === undefined || cpu.regs[REG_EAX] !== want) {
      throw new ReplayMismatch(`system call #${i}: the reference makes i386 call ${cpu.regs[REG_EAX]} at eip ${hex(cpu.eip)}, the translated run made ${c.name} (o32 ${c.number})`);
    }
    for (let r = 1; r < 8; r++) {
      const translated = c.registers[HOST_OF_GUEST(r)];
      if (translated !== cpu.regs[r]) {
        throw new ReplayMismatch(`system call #${i} (${c.name}) at eip ${hex(cpu.eip)}: ${GUEST_REGISTER_NAMES[r]} is ${hex(translated)} translated, ${hex(cpu.regs[r])} in the reference interpreter`);
      }
    }
    if (baseName === 'exit' || baseName === 'exit_group') {
      if (end !== null) throw new ReplayMismatch(`the reference interpreter exits at system call #${i}; the translated process was killed at eip ${hex(end.faultEip)}`);
      return { instructions: cpu.instructionCount, syscalls: i + 1, exitStatus: cpu.regs[REG_EBX] & 0xff, fault: null };
    }
    if (c.result === null) throw new ReplayMismatch(`system call #${i} (${c.name}) never returned in the translated run`);
    if (!c.effectsKnown) throw new ReplayMismatch(`system call #${i} (${c.name}): its effects on user memory are not modelled, so the reference cannot replay it`);
    for (const w of c.writes) memory.writeBytes(w.address, w.bytes);
    cpu.regs[REG_EAX] = guestResult(c);
  }
}
