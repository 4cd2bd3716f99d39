// A debuggable translated user program: `ukcf user` (emulator/ukcf/user-space/translated-user-program.ts)
// — a static i386 Linux executable as a user process of an o32 Linux layer on a MIPS CPU of its
// own, run by the UKCF runtime, `int 0x80` through USER's generated syscall glue. The session runs
// the CPU itself, in slices, and only watches: translator events, MIPS breakpoints on translations
// and on the glue's entry points.

import { EM_386, ET_EXEC, ElfError, readElfFile, symbolAt, symbolByName, type ElfFile, type ElfSymbol } from '../machine/elf';
import { MemoryFault, type PagedMemory } from '../machine/paged-memory';
import { signalName } from '../linux/process';
import type { MipsStopReason } from '../mips/cpu';
import { disassemble as disassembleX86 } from '../x86/disassembler';
import { CONTEXT_BASE, TranslatedUserProcess } from '../ukcf/user-space/translated-user-program';
import { HOST_SIGNAL_TO_GUEST } from '../ukcf/user-space/syscall-glue';
import type { UkcfEvent, UkcfRuntime } from '../ukcf/translated-process';
import type { LinuxProcess } from '../linux/process';
import { DebugSession, SessionError, hex, userGlueProbes, type CodeCacheBlock, type GuestTranslation, type Outcome, type Probe, type Register } from './debug-session';
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
}

export const DEFAULT_TRANSLATED_BUDGET = 2_000_000_000;
const GUEST_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];

export interface GuestDisassemblyLine {
  address: number;
  bytes: string;
  text: string;
  symbol?: string;
}

export class TranslatedUserSession extends DebugSession {
  readonly elf: ElfFile;
  readonly memory: PagedMemory;
  readonly process: TranslatedUserProcess;
  readonly runtime: UkcfRuntime;
  readonly linux: LinuxProcess;
  readonly entry: number;

  constructor(readonly launch: TranslatedUserLaunch) {
    let elf: ElfFile;
    try {
      elf = readElfFile(launch.program, { machines: [EM_386] });
    } catch (e) {
      if (e instanceof ElfError) throw new SessionError(e.message);
      throw e;
    }
    if (elf.type !== ET_EXEC) throw new SessionError(`${launch.program}: not an i386 executable (a relocatable object cannot be run)`);
    // The sink exists before the session object does (super() must come first).
    const sink: { session: TranslatedUserSession | null } = { session: null };
    const process = new TranslatedUserProcess(elf, {
      isa: 'x86', program: launch.program, args: launch.args, env: launch.env, stdin: launch.stdin, cwd: launch.cwd,
      stdout: (b) => sink.session?.output('stdout', b),
      stderr: (b) => sink.session?.output('stderr', b),
      diagnostic: (line) => sink.session?.output('diagnostic', Buffer.from(line + '\n')),
      onEvent: (e) => sink.session?.onTranslatorEvent(e),
    });
    super(process.cpu, launch.maxInstructions ?? DEFAULT_TRANSLATED_BUDGET);
    sink.session = this;
    this.elf = elf;
    this.process = process;
    this.memory = process.memory;
    this.runtime = process.runtime;
    this.linux = process.linux;
    this.entry = process.entry;
  }

  private output(stream: 'stdout' | 'stderr' | 'diagnostic', bytes: Uint8Array): void {
    if (this.wants('output')) this.raise({ kind: 'output', stream, bytes: Uint8Array.from(bytes) });
  }

  /** Called by the runtime (through the process's onEvent option). */
  onTranslatorEvent(e: UkcfEvent): void {
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
    const cpu = this.cpu;
    const target = cpu.instructionCount + limit;
    for (;;) {
      const early = this.takeEventStop();
      if (early !== null) return { kind: 'stop', stop: early };
      const left = target - cpu.instructionCount;
      if (left <= 0) return { kind: 'limit' };
      // A guest eip set at a stop (setGuestRegister 'eip'): enter there through the entry glue.
      if (this.runtime.resumePoint >= 0) this.runtime.run(0);
      this.refreshProbes();
      this.beforeRun();
      const arrival = this.takeEventStop();
      if (arrival !== null) return { kind: 'stop', stop: arrival };
      const stop = this.guardedRun<MipsStopReason>(left, (n) => cpu.run(n), (pc) => ({ kind: 'breakpoint', pc }));
      const caught = this.takeEventStop();
      if (stop.kind === 'exception') {
        const outcome = this.process.host.handle(stop);
        if (outcome.kind === 'exited') return this.exitOf();
        if (outcome.kind === 'continue') {
          if (caught !== null) return { kind: 'stop', stop: caught };
          continue;
        }
      }
      if (stop.kind === 'breakpoint') {
        const s = this.onBreakpoint(stop.pc);
        if (s !== null) return { kind: 'stop', stop: s };
        continue;
      }
      if (caught !== null) return { kind: 'stop', stop: caught }; // a hypercall raised it: the CPU stopped after it
      if (stop.kind === 'limit' || stop.kind === 'stopped') {
        const u = stop.kind === 'stopped' ? this.runtime.stopFor(stop) : null;
        if (u === null || (u.kind === 'fault' && u.fault === 'internal' && /debug session/.test(u.message))) continue;
        if (u.kind === 'untranslated') return this.end(132, u.message);
        if (u.kind === 'fault') return this.end(u.fault === 'internal' ? 134 : 128 + u.signal, u.message);
        continue;
      }
      const u = this.runtime.stopFor(stop);
      if (u.kind === 'untranslated') return this.end(132, u.message);
      if (u.kind === 'fault') return this.end(u.fault === 'internal' ? 134 : 128 + u.signal, u.message);
    }
  }

  /** The o32 layer's end of the process, in guest terms (a signal in i386 numbering). */
  private exitOf(): Outcome {
    const exit = this.linux.exit;
    if (exit === null) return this.end(134, 'the process ended without an exit status');
    if (exit.signal === undefined) return this.end(exit.code, exit.message);
    const guest = HOST_SIGNAL_TO_GUEST.apply(exit.signal);
    return this.end(128 + guest, exit.message?.replace(`killed by ${signalName(exit.signal)}`, `killed by ${signalName(guest)}`));
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
    return userGlueProbes(this.runtime, this.cpu.regs);
  }

  translationOf(translator: GuestTranslator, eip: number): GuestTranslation[] {
    if (translator !== 'user') return [];
    return this.runtime.translationOf(eip).map((t) => ({ translator: 'user', block: t.block, host: t.host, hostEnd: t.hostEnd, instructions: t.instructions, exitStubs: t.exitStubs }));
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
