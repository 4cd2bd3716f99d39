// The original-ISA time of a translated run: the x86 reference interpreter (emulator/x86/cpu.ts)
// runs the same i386 program from the same initial memory (the window as the kernel built it at
// UKCF_USER_START) and gets, at each `int 0x80`, the result and guest-memory effects the guest saw
// in the translated run (guest-syscall-trace.ts: recorded at the syscall glue, whatever the call).
// Its instruction count is the denominator of the performance loss ratio. On the way it checks the
// translated run: the same system calls in the same order, at the same eip, with the same guest
// registers (ecx..edi; eax is the number) at each one — a lockstep at system-call granularity
// against an oracle nobody here wrote for this purpose. Each rdtsc gets the translated run's time
// (the interpreter's own would be its instruction count), checked to be at the same eip, in the
// same order, between the same system calls. A killed process must fault at the same eip, and for
// a memory fault at the same guest address.
import { PagedMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../machine/paged-memory';
import { X86Cpu, REG_EAX, REG_EBX } from '../x86/cpu';
import { I386_ABI } from '../linux/i386-abi';
import type { GuestSyscall, GuestTimeStamp } from './guest-syscall-trace';

const GUEST_REGISTER_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];

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
  /** rdtsc executed (each given the translated run's value). */
  timeStamps: number;
}

/** How the translated process ended, when not by exit: killed at this guest eip. */
export interface TranslatedEnd {
  faultEip: number;
  /** The guest address of a memory fault (first byte not reachable), when the kernel reported one. */
  faultAddress?: number | null;
}

/** The translated run and the reference interpreter disagree, or the run cannot be replayed. */
export class ReplayMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayMismatch';
  }
}

const hex = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0');

const { exit: EXIT, exit_group: EXIT_GROUP, set_thread_area: SET_THREAD_AREA } = I386_ABI.syscallNumbers as Record<string, number>;

export function replayOnReference(
  image: GuestImage, calls: readonly GuestSyscall[], end: TranslatedEnd | null = null, maxInstructions = 20_000_000_000,
  timeStamps: readonly GuestTimeStamp[] = [],
): ReplayResult {
  const memory = new PagedMemory();
  memory.map(image.base, image.bytes.length, PROT_READ | PROT_WRITE | PROT_EXEC);
  memory.writeBytes(image.base, image.bytes);
  const cpu = new X86Cpu(memory);
  cpu.eip = image.entry >>> 0;
  cpu.regs[4] = image.esp | 0;
  let i = 0;
  let read = 0;
  // Thrown from inside a compiled block: the interpreter passes errors other than guest faults on.
  cpu.timeStampSource = (eip) => {
    if (read >= timeStamps.length) {
      throw new ReplayMismatch(`the reference interpreter executes rdtsc #${read} at eip ${hex(eip)}; the translated run read the time ${timeStamps.length} times`);
    }
    const t = timeStamps[read];
    if (t.eip !== eip || t.afterCalls !== i) {
      throw new ReplayMismatch(`rdtsc #${read}: at eip ${hex(eip)} after ${i} system calls in the reference interpreter, at eip ${hex(t.eip)} after ${t.afterCalls} in the translated run`);
    }
    read++;
    return t.value;
  };
  const allRead = () => {
    if (read !== timeStamps.length) throw new ReplayMismatch(`the translated run read the time ${timeStamps.length} times, the reference interpreter ${read}`);
    return read;
  };
  for (; ; i++) {
    const left = maxInstructions - cpu.instructionCount;
    if (left <= 0) throw new ReplayMismatch(`reference interpreter: instruction budget of ${maxInstructions} exhausted at eip ${hex(cpu.eip)}`);
    const stop = cpu.run(left);
    if (stop.kind === 'limit') continue;
    if (stop.kind === 'fault' && end !== null && i === calls.length && (cpu.eip >>> 0) === (end.faultEip >>> 0)) {
      const address = end.faultAddress ?? null;
      if (address !== null && stop.address !== (address >>> 0)) {
        const theirs = stop.address === undefined ? 'no address' : hex(stop.address);
        throw new ReplayMismatch(`the translated process faulted at eip ${hex(end.faultEip)} accessing ${hex(address)}; the reference interpreter faults there with ${theirs} (${stop.message})`);
      }
      return { instructions: cpu.instructionCount, syscalls: i, exitStatus: null, fault: stop.message, timeStamps: allRead() };
    }
    if (stop.kind !== 'syscall') {
      const what = stop.kind === 'fault' ? stop.message : stop.kind;
      throw new ReplayMismatch(`reference interpreter stopped at eip ${hex(cpu.eip)} (${what}) after ${i} system calls; the translated run did not`);
    }
    if (i >= calls.length) throw new ReplayMismatch(`reference interpreter made system call #${i} (eax ${cpu.regs[REG_EAX]}) at eip ${hex(cpu.eip)}; the translated run made only ${calls.length}`);
    const c = calls[i];
    if (cpu.regs[REG_EAX] !== c.registers[0] || (cpu.eip >>> 0) !== c.eip) {
      throw new ReplayMismatch(`system call #${i}: the reference makes i386 call ${cpu.regs[REG_EAX]} at eip ${hex(cpu.eip)}, the translated run made ${c.name} (${c.number}) at eip ${hex(c.eip)}`);
    }
    for (let r = 1; r < 8; r++) {
      if (c.registers[r] !== cpu.regs[r]) {
        throw new ReplayMismatch(`system call #${i} (${c.name}) at eip ${hex(cpu.eip)}: ${GUEST_REGISTER_NAMES[r]} is ${hex(c.registers[r])} translated, ${hex(cpu.regs[r])} in the reference interpreter`);
      }
    }
    if (c.number === EXIT || c.number === EXIT_GROUP) {
      if (end !== null) throw new ReplayMismatch(`the reference interpreter exits at system call #${i}; the translated process was killed at eip ${hex(end.faultEip)}`);
      return { instructions: cpu.instructionCount, syscalls: i + 1, exitStatus: cpu.regs[REG_EBX] & 0xff, fault: null, timeStamps: allRead() };
    }
    if (c.result === null) throw new ReplayMismatch(`system call #${i} (${c.name}) never returned in the translated run`);
    for (const w of c.writes) memory.writeBytes(w.address, w.bytes);
    cpu.regs[REG_EAX] = c.result;
    // The one effect beyond eax and memory: set_thread_area's descriptor (entry_number and base_addr
    // of its struct user_desc, as the call left them), which a later mov to %gs/%fs loads.
    if (c.number === SET_THREAD_AREA && c.result === 0) {
      const desc = cpu.regs[REG_EBX] >>> 0;
      cpu.setDescriptorBase(memory.read32(desc), memory.read32(desc + 4));
    }
  }
}
