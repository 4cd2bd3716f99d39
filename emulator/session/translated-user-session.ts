// A debuggable translated user program: a static i386 Linux executable run by the UKCF user-space
// translator (emulator/ukcf/translated-process.ts) on a MIPS CPU of its own, guest virtual = host
// virtual. Guest `int 0x80` calls are served by the Linux layer (i386 ABI) at the runtime's
// SYSCALL stop until the user-space translator's o32 syscall glue is wired here. Everything guest
// runs as translated MIPS code; the session only watches (translator events, MIPS breakpoints).

import { EM_386, ET_EXEC, ElfError, readElfFile, symbolAt, symbolByName, type ElfFile, type ElfSymbol } from '../machine/elf';
import { MemoryFault, PagedMemory } from '../machine/paged-memory';
import { I386_ABI } from '../linux/i386-abi';
import { DEFAULT_ENVIRONMENT, startProgram } from '../linux/program-image';
import type { LinuxProcess } from '../linux/process';
import { syscallNameTable } from '../linux/abi';
import { disassemble as disassembleX86 } from '../x86/disassembler';
import { CONTEXT_BASE, UkcfRuntime, standaloneEnvironment, type UkcfEvent, type UkcfStop } from '../ukcf/translated-process';
import { DebugSession, SessionError, hex, type CodeCacheBlock, type GuestTranslation, type Outcome, type Probe, type Register } from './debug-session';
import type { GuestTranslator } from './session-events';

export interface TranslatedUserLaunch {
  kind: 'ukcf-user';
  /** Static i386 Linux executable. */
  program: string;
  args?: string[];
  env?: string[];
  stdin?: Uint8Array;
  cwd?: string;
  /** Host (MIPS) instruction budget; the run ends with status 124 when it is spent. */
  maxInstructions?: number;
  /** Code cache bytes (default 16 MiB): small caches exercise eviction. */
  cacheBytes?: number;
}

export const DEFAULT_TRANSLATED_BUDGET = 2_000_000_000;
const GUEST_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const TLS_FIRST_ENTRY = 12;
const TLS_ENTRIES = 3;
const I386_NAMES = syscallNameTable(I386_ABI);

export interface GuestDisassemblyLine {
  address: number;
  bytes: string;
  text: string;
  symbol?: string;
}

export class TranslatedUserSession extends DebugSession {
  readonly elf: ElfFile;
  readonly memory: PagedMemory;
  readonly runtime: UkcfRuntime;
  readonly linux: LinuxProcess;
  readonly entry: number;
  private readonly tlsEntries = new Set<number>();
  /** A system call the runtime stopped at, not yet served (a stop filter stopped the run before it). */
  private unserved = false;

  constructor(readonly launch: TranslatedUserLaunch) {
    const memory = new PagedMemory();
    const env = standaloneEnvironment(memory, launch.cacheBytes);
    super(env.cpu, launch.maxInstructions ?? DEFAULT_TRANSLATED_BUDGET);
    let elf: ElfFile;
    try {
      elf = readElfFile(launch.program, { machines: [EM_386] });
    } catch (e) {
      if (e instanceof ElfError) throw new SessionError(e.message);
      throw e;
    }
    if (elf.type !== ET_EXEC) throw new SessionError(`${launch.program}: not an i386 executable (a relocatable object cannot be run)`);
    this.elf = elf;
    this.memory = memory;
    // The runtime's areas are mapped by standaloneEnvironment; the image and stack go around them.
    const started = startProgram({
      abi: I386_ABI, elf, memory, argv: [launch.program, ...(launch.args ?? [])], envp: launch.env ?? DEFAULT_ENVIRONMENT,
      stdin: launch.stdin, cwd: launch.cwd,
      stdout: (b) => this.output('stdout', b),
      stderr: (b) => this.output('stderr', b),
      diagnostic: (line) => this.output('diagnostic', Buffer.from(line + '\n')),
      instructions: () => this.cpu.instructionCount,
      setThreadArea: (args) => this.setThreadArea(args[0] >>> 0),
      onCodeChange: (address, length) => this.runtime.invalidateGuestPages(address >>> 12, ((address + length - 1) >>> 12) - (address >>> 12) + 1),
    });
    this.linux = started.process;
    this.entry = started.entry >>> 0;
    env.onEvent = (e) => this.onTranslatorEvent(e);
    this.runtime = new UkcfRuntime(env, { translator: 'user' });
    this.runtime.setEip(this.entry);
    this.runtime.setGuestRegister(4, started.stackPointer);
  }

  private output(stream: 'stdout' | 'stderr' | 'diagnostic', bytes: Uint8Array): void {
    if (this.wants('output')) this.raise({ kind: 'output', stream, bytes: Uint8Array.from(bytes) });
  }

  /** i386 set_thread_area(struct user_desc *): the base goes to the context block's %gs word. */
  private setThreadArea(desc: number): number {
    const E = I386_ABI.errno;
    let entry: number;
    let base: number;
    try {
      entry = this.memory.read32(desc);
      base = this.memory.read32(desc + 4) >>> 0;
    } catch {
      return -E.EFAULT;
    }
    if (entry === -1) {
      entry = -1;
      for (let i = TLS_FIRST_ENTRY; i < TLS_FIRST_ENTRY + TLS_ENTRIES; i++) if (!this.tlsEntries.has(i)) { entry = i; break; }
      if (entry < 0) return -E.ESRCH;
      this.memory.write32(desc, entry);
    } else if (entry < TLS_FIRST_ENTRY || entry >= TLS_FIRST_ENTRY + TLS_ENTRIES) {
      return -E.EINVAL;
    }
    this.tlsEntries.add(entry);
    this.memory.write32(CONTEXT_BASE, base);
    return 0;
  }

  private onTranslatorEvent(e: UkcfEvent): void {
    switch (e.kind) {
      case 'block-translated':
        this.guestCodeChanged();
        if (this.wants('block-translated')) {
          this.raise({ kind: 'block-translated', translator: 'user', eip: e.eip, guestEnd: e.guestEnd, guestCount: e.guestCount, host: e.host, hostWords: e.hostWords, region: this.regionAt(e.host) });
        }
        return;
      case 'evict': case 'flush': case 'smc-flush':
        this.guestCodeChanged();
        break;
      case 'stop':
        return; // reported as the run's own stop
      default:
        break;
    }
    if (this.wants('translator')) this.raise({ kind: 'translator', translator: 'user', event: { ...e } });
  }

  // ---- running ---------------------------------------------------------------------------------------

  protected advance(limit: number): Outcome {
    const target = this.cpu.instructionCount + limit;
    for (;;) {
      if (this.unserved) {
        this.unserved = false;
        const exit = this.serveSyscall();
        if (exit !== null) return exit;
      }
      const early = this.takeEventStop();
      if (early !== null) return { kind: 'stop', stop: early };
      const left = target - this.cpu.instructionCount;
      if (left <= 0) return { kind: 'limit' };
      this.refreshProbes();
      // Resuming at a guest eip enters through the entry glue (run() sets pc there): an arrival there too.
      this.beforeRun(this.runtime.resumePoint < 0 ? this.pc : this.runtime.entryAddress);
      const arrival = this.takeEventStop();
      if (arrival !== null) return { kind: 'stop', stop: arrival };
      const stop: UkcfStop = this.guardedRun<UkcfStop>(left, (n) => this.runtime.run(n), (pc) => ({ kind: 'breakpoint', pc }));
      const caught = this.takeEventStop();
      if (stop.kind === 'syscall') {
        this.unserved = true;
        if (this.wants('syscall')) {
          const r = this.runtime.guestRegisters();
          const number = r[0] >>> 0;
          this.raise({ kind: 'syscall', translator: 'user', number, name: I386_NAMES.get(number) ?? `sys_${number}`, args: [r[3], r[1], r[2], r[6], r[7], r[5]].map((x) => x >>> 0), address: stop.eip >>> 0 });
        }
        const s = caught ?? this.takeEventStop();
        if (s !== null) return { kind: 'stop', stop: s };
        continue;
      }
      if (caught !== null) return { kind: 'stop', stop: caught }; // a hypercall raised it: the CPU stopped after it
      switch (stop.kind) {
        case 'limit':
          continue;
        case 'breakpoint': {
          const s = this.onBreakpoint(stop.pc);
          if (s !== null) return { kind: 'stop', stop: s };
          continue;
        }
        case 'untranslated':
          return this.end(132, stop.message);
        case 'fault':
          return this.end(stop.fault === 'internal' ? 134 : 128 + stop.signal, stop.message);
        case 'boundary':
          continue;
      }
    }
  }

  private serveSyscall(): Outcome | null {
    const r = this.runtime.guestRegisters();
    const result = this.linux.syscall(r[0], [r[3], r[1], r[2], r[6], r[7], r[5]]);
    const exit = this.linux.exit;
    if (exit !== null) return this.end(exit.code, exit.message);
    this.runtime.setGuestRegister(0, result);
    return null;
  }

  private end(status: number, message?: string): Outcome {
    this.linux.release();
    return { kind: 'exit', exit: message === undefined ? { status, instructions: this.instructions } : { status, message, instructions: this.instructions } };
  }

  // ---- where the CPU is, in guest terms -----------------------------------------------------------------

  guestAt(pc: number): { translator: GuestTranslator; eip: number } | null {
    pc >>>= 0;
    if (pc === this.pc && this.runtime.resumePoint >= 0) return { translator: 'user', eip: this.runtime.resumePoint >>> 0 };
    const eip = this.runtime.guestEipAt(pc);
    return eip < 0 ? null : { translator: 'user', eip: eip >>> 0 };
  }

  protected probes(): Probe[] {
    return this.runtime.glueEntryPoints().map((g) => ({
      address: g.address >>> 0,
      kind: 'glue-entry' as const,
      fire: () => ({ kind: 'glue-entry' as const, translator: 'user' as const, name: g.name, address: g.address >>> 0 }),
    }));
  }

  translationOf(translator: GuestTranslator, eip: number): GuestTranslation[] {
    if (translator !== 'user') return [];
    return this.runtime.translationOf(eip).map((t) => ({ translator: 'user', block: t.block, host: t.host, hostEnd: t.hostEnd, instructions: t.instructions }));
  }

  codeCacheBlocks(): CodeCacheBlock[] {
    return this.runtime.codeCacheBlocks().map((b) => ({
      translator: 'user', eip: b.eip, guestEnd: b.guestEnd, guestCount: b.guestCount, host: b.host, hostBytes: b.hostBytes,
      region: this.regionAt(b.host), state: b.state,
    }));
  }

  // ---- guest state --------------------------------------------------------------------------------------

  /** The user translator's guest context: eax..edi (pinned s0..s7), eip, eflags (from the lazy flags), %gs/%fs bases. */
  guestRegisters(translator: GuestTranslator = 'user'): Register[] {
    if (translator !== 'user') return [];
    const r = this.runtime.guestRegisters();
    const g = this.guestAt(this.pc);
    const seg = this.runtime.segmentBases();
    return [
      ...GUEST_NAMES.map((name, i) => ({ name, value: r[i] >>> 0 })),
      { name: 'eip', value: g === null ? 0xffffffff : g.eip },
      { name: 'eflags', value: (this.runtime.statusFlags() | 0x202) >>> 0 },
      { name: 'gs_base', value: seg.gs },
      { name: 'fs_base', value: seg.fs },
    ];
  }

  /** Writes a guest register at a stop (eip: the run resumes there through dispatch). */
  setGuestRegister(translator: GuestTranslator, name: string, value: number): void {
    if (this.state !== 'stopped') throw new SessionError('registers can be written only while the run is stopped');
    if (translator !== 'user') throw new SessionError(`this run has no ${translator} translator`);
    const i = GUEST_NAMES.indexOf(name);
    if (i >= 0) this.runtime.setGuestRegister(i, value);
    else if (name === 'eip') this.runtime.setEip(value >>> 0);
    else if (name === 'eflags') this.runtime.setStatusFlags(value);
    else if (name === 'gs_base') this.memory.write32(CONTEXT_BASE, value);
    else if (name === 'fs_base') this.memory.write32(CONTEXT_BASE + 4, value);
    else throw new SessionError(`no guest register '${name}' (${GUEST_NAMES.join(', ')}, eip, eflags, gs_base, fs_base)`);
  }

  /** Guest memory (identity with host virtual here); null where unmapped. */
  readGuestMemory(address: number, length: number): Uint8Array | null {
    try {
      return this.memory.readBytes(address >>> 0, length);
    } catch (e) {
      if (e instanceof MemoryFault) return null;
      throw e;
    }
  }

  /** Writes guest memory (ignoring protection); translations of changed code are dropped. */
  writeGuestMemory(address: number, bytes: Uint8Array): boolean {
    for (let i = 0; i < bytes.length; i++) if (!this.memory.isMapped((address + i) >>> 0)) return false;
    this.memory.poke(address >>> 0, bytes);
    this.hostMemoryWritten(address >>> 0, bytes.length);
    return true;
  }

  protected override hostMemoryWritten(address: number, length: number): void {
    if (length > 0) this.runtime.invalidateGuestPages(address >>> 12, ((address + length - 1) >>> 12) - (address >>> 12) + 1);
  }

  readPhysical(): Uint8Array | null {
    return null; // one flat address space: no physical view
  }

  writePhysical(): boolean {
    return false;
  }

  // ---- symbols and disassembly ---------------------------------------------------------------------------

  /** Guest address of an app symbol, or a SessionError naming it. */
  guestSymbol(translator: GuestTranslator, name: string): number {
    if (translator !== 'user') throw new SessionError(`this run has no ${translator} translator`);
    const s = symbolByName(this.elf, name);
    if (s === undefined) throw new SessionError(`${this.launch.program} has no symbol '${name}'`);
    return s.value >>> 0;
  }

  guestSymbolAt(address: number): ElfSymbol | undefined {
    return symbolAt(this.elf, address >>> 0);
  }

  /** `count` guest instructions from `address` (AT&T syntax). */
  disassembleGuest(address: number, count: number): GuestDisassemblyLine[] {
    return disassembleX86((a) => this.memory.read8(a), address >>> 0, count).map((l) => {
      const s = symbolAt(this.elf, l.address);
      const line: GuestDisassemblyLine = { address: l.address, bytes: l.bytes, text: l.text };
      if (s !== undefined) line.symbol = l.address === s.value ? s.name : `${s.name}+${l.address - s.value}`;
      return line;
    });
  }

  describe(): string {
    return `translated ${this.launch.program} (entry ${hex(this.entry)})`;
  }
}
