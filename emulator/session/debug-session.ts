// The debuggable core every UKCF launch shares: an event emitter over one MIPS CPU (the host) that
// runs in slices, stops at breakpoints, on events the client chose, on pause, after a step, and
// reads/writes host state. It knows nothing of DAP (like vscode-mock-debug's runtime): the debug
// adapter listens to its events and calls its methods.
//
// Breakpoints are MIPS breakpoints and cost no simulated instruction: the CPU checks them only
// when its set is non-empty, so a client that sets none runs exactly as an undebugged run does.
// Three kinds share the CPU's set: host breakpoints (a host address), guest breakpoints (the host
// address of each translation of a guest instruction, re-placed whenever blocks are translated or
// dropped), and probes (glue entry points and kernel addresses that raise events such as
// 'shell-entry' or 'syscall'), placed only while a client listens for, or stops on, their kind.

import { EventEmitter } from 'node:events';
import type { MipsCpu } from '../mips/cpu';
import { disassembleWord } from '../mips/disassembler';
import type { GuestTranslator, SessionEvent, SessionEventKind, SessionEvents, SessionExit, SessionStop } from './session-events';
import { I386_ABI } from '../linux/i386-abi';
import { syscallNameTable } from '../linux/abi';
import type { UkcfRuntime } from '../ukcf/translated-process';

/** Host instructions between two looks at the event loop while continuing. */
const SLICE = 2_000_000;
/** A guest step gives up after this many host instructions without reaching a guest instruction boundary. */
const GUEST_STEP_LIMIT = 1_000_000;

export class SessionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionError';
  }
}

export interface Register {
  name: string;
  value: number;
}

/** A host address that raises an event when the CPU reaches it (placed only while wanted). */
export interface Probe {
  readonly address: number;
  readonly kind: SessionEventKind;
  /** The event, or null when this visit is not one (e.g. a kernel entry that is not a system call). */
  fire(): SessionEvent | null;
}

const I386_NAMES = syscallNameTable(I386_ABI);
const S0 = 16;
const V0 = 2;

/**
 * Probes on the user translator's glue: one per entry point, and the guest's own system call (i386
 * number in eax, arguments ebx ecx edx esi edi ebp, v0 = eip after `int 0x80`) at the syscall glue.
 */
export function userGlueProbes(runtime: UkcfRuntime, regs: Int32Array): Probe[] {
  const out: Probe[] = [];
  for (const g of runtime.glueEntryPoints()) {
    const address = g.address >>> 0;
    if (g.name === 'syscall') {
      out.push({
        address, kind: 'syscall',
        fire: () => {
          const number = regs[S0] >>> 0;
          return { kind: 'syscall', translator: 'user', number, name: I386_NAMES.get(number) ?? `sys_${number}`, args: [3, 1, 2, 6, 7, 5].map((i) => regs[S0 + i] >>> 0), address: regs[V0] >>> 0 };
        },
      });
    }
    out.push({ address, kind: 'glue-entry', fire: () => ({ kind: 'glue-entry', translator: 'user', name: g.name, address }) });
  }
  return out;
}

export interface CodeCacheBlock {
  translator: GuestTranslator;
  eip: number;
  guestEnd: number;
  guestCount: number;
  host: number;
  hostBytes: number;
  region: string;
  state: 'live' | 'invalid';
}

export interface GuestTranslation {
  translator: GuestTranslator;
  /** Guest eip of the block holding the instruction. */
  block: number;
  host: number;
  hostEnd: number;
  /** Host code of each guest instruction of the block: [host, hostEnd). */
  instructions: { eip: number; host: number; hostEnd: number }[];
  /** Out-of-line exit stubs [host, hostEnd), host code of the block's last guest instruction too (empty: stubs inside [host, hostEnd)). */
  exitStubs: { host: number; hostEnd: number }[];
}

export interface HostDisassemblyLine {
  address: number;
  word: number | null;
  text: string;
  /** Guest instruction whose translation holds the address. */
  guest: { translator: GuestTranslator; eip: number } | null;
}

export type Outcome = { kind: 'limit' } | { kind: 'stop'; stop: SessionStop } | { kind: 'exit'; exit: SessionExit };

const MIPS_NAMES = ['zero', 'at', 'v0', 'v1', 'a0', 'a1', 'a2', 'a3', 't0', 't1', 't2', 't3', 't4', 't5', 't6', 't7',
  's0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 't8', 't9', 'k0', 'k1', 'gp', 'sp', 'fp', 'ra'];
const CP0: readonly { name: string; reg: number; sel: number }[] = [
  { name: 'UserLocal', reg: 4, sel: 2 }, { name: 'HWREna', reg: 7, sel: 0 }, { name: 'BadVAddr', reg: 8, sel: 0 },
  { name: 'Count', reg: 9, sel: 0 }, { name: 'Compare', reg: 11, sel: 0 }, { name: 'Status', reg: 12, sel: 0 },
  { name: 'Cause', reg: 13, sel: 0 }, { name: 'EPC', reg: 14, sel: 0 }, { name: 'PRId', reg: 15, sel: 0 },
  { name: 'EBase', reg: 15, sel: 1 }, { name: 'LLAddr', reg: 17, sel: 0 }, { name: 'UserWindowBase', reg: 22, sel: 0 },
  { name: 'UserWindowPhys', reg: 22, sel: 1 }, { name: 'UserWindowSize', reg: 22, sel: 2 }, { name: 'ErrorEPC', reg: 30, sel: 0 },
];

export function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

export abstract class DebugSession extends EventEmitter<SessionEvents> {
  readonly cpu: MipsCpu;
  protected readonly budget: number;
  private readonly stopOn = new Set<SessionEventKind>();
  /** Events a stop filter caught, not yet reported as stops (several can come from one instruction). */
  private readonly pendingStops: SessionEvent[] = [];
  private result: SessionExit | null = null;
  private running = false;
  private pauseRequested = false;
  private readonly hostBreakpoints = new Set<number>();
  private readonly guestBreakpoints = new Map<GuestTranslator, Set<number>>();
  /** Host address → the guest breakpoint it stands for. */
  private guestBreakpointHosts = new Map<number, { translator: GuestTranslator; eip: number }>();
  private installedProbes = new Map<number, Probe[]>();
  /** Addresses this session put in the CPU's breakpoint set. */
  private readonly placed = new Set<number>();
  private probeKey = '';
  private probesDirty = true;
  /** The breakpoint arrival last handled (pc, instruction count): a run resuming there must not handle it again. */
  private handledPc = -1;
  private handledAt = -1;

  constructor(cpu: MipsCpu, budget: number) {
    super();
    this.cpu = cpu;
    this.budget = budget;
  }

  // ---- what a launch provides ----------------------------------------------------------------------

  /** Runs at most `limit` host instructions; stops/exits are reported, anything else goes on inside. */
  protected abstract advance(limit: number): Outcome;
  /** Where the CPU is in guest terms (null: native code or glue). */
  abstract guestAt(pc: number): { translator: GuestTranslator; eip: number } | null;
  /** Every probe the launch can place now (addresses may appear as the run goes: a driver loaded). */
  protected abstract probes(): Probe[];
  /** Translations of a guest instruction (live blocks). */
  abstract translationOf(translator: GuestTranslator, eip: number): GuestTranslation[];
  abstract codeCacheBlocks(): CodeCacheBlock[];
  /** Does someone else (the system's own tracing) own a CPU breakpoint at this address? */
  protected ownsBreakpoint(pc: number): boolean {
    void pc;
    return false;
  }
  /** Runs the system's own handler of a breakpoint at pc (full system). */
  protected systemBreakpoint(pc: number): void {
    void pc;
  }

  // ---- state ----------------------------------------------------------------------------------------

  get state(): 'stopped' | 'running' | 'exited' {
    return this.result !== null ? 'exited' : this.running ? 'running' : 'stopped';
  }

  get exitResult(): SessionExit | null {
    return this.result;
  }

  get pc(): number {
    return this.cpu.pc >>> 0;
  }

  get instructions(): number {
    return this.cpu.instructionCount;
  }

  /** Event kinds that stop the run when they happen (replaces the previous set). */
  setStopOn(kinds: readonly SessionEventKind[]): void {
    this.stopOn.clear();
    for (const k of kinds) this.stopOn.add(k);
  }

  // ---- events ----------------------------------------------------------------------------------------

  /** Is anyone interested in this kind (a listener or a stop filter)? Launches build events only then. */
  protected wants(kind: SessionEventKind): boolean {
    return this.stopOn.has(kind) || this.listenerCount(kind) > 0;
  }

  /** Reports an event; a stop filter on its kind stops the CPU after the current instruction. */
  protected raise(event: SessionEvent): void {
    if (this.listenerCount(event.kind) > 0) (this.emit as (k: string, e: SessionEvent) => boolean)(event.kind, event);
    if (this.stopOn.has(event.kind)) {
      this.pendingStops.push(event);
      this.cpu.requestStop('debug session event');
    }
  }

  /** The event a stop filter caught since the last call, as a stop (null: none). */
  protected takeEventStop(): SessionStop | null {
    const e = this.pendingStops.shift();
    if (e === undefined) return null;
    return this.stopAt('event', { event: e });
  }

  protected stopAt(reason: SessionStop['reason'], extra: Partial<SessionStop> = {}): SessionStop {
    return { reason, pc: this.pc, guest: this.guestAt(this.pc), instructions: this.instructions, ...extra };
  }

  // ---- breakpoints -------------------------------------------------------------------------------------

  /** Replaces the host (MIPS) instruction breakpoints. */
  setHostBreakpoints(addresses: readonly number[]): void {
    this.hostBreakpoints.clear();
    for (const a of addresses) this.hostBreakpoints.add(a >>> 0);
    this.syncBreakpoints();
  }

  /** Replaces the breakpoints on guest instructions of one translator (placed on their translations, now and when translated later). */
  setGuestBreakpoints(translator: GuestTranslator, eips: readonly number[]): void {
    this.guestBreakpoints.set(translator, new Set(eips.map((e) => e >>> 0)));
    this.guestCodeChanged();
  }

  /** Launches call this when blocks were translated or dropped: guest breakpoints follow their translations. */
  protected guestCodeChanged(): void {
    let any = false;
    for (const s of this.guestBreakpoints.values()) if (s.size > 0) any = true;
    if (!any && this.guestBreakpointHosts.size === 0) return; // nothing to follow: no cost
    const hosts = new Map<number, { translator: GuestTranslator; eip: number }>();
    for (const [translator, eips] of this.guestBreakpoints) {
      for (const eip of eips) {
        for (const t of this.translationOf(translator, eip)) {
          const i = t.instructions.find((x) => x.eip === eip);
          if (i !== undefined) hosts.set(i.host, { translator, eip });
        }
      }
    }
    this.guestBreakpointHosts = hosts;
    this.syncBreakpoints();
  }

  /** Launches call this when probe addresses may have changed (a driver was loaded). */
  protected probesChanged(): void {
    this.probesDirty = true;
  }

  /** Places / lifts probes as listeners and stop filters changed (cheap when nothing did). */
  protected refreshProbes(): void {
    let key = '';
    for (const k of ['block-translated', 'syscall', 'shell-entry', 'jump-monitor-exit', 'return-into-driver', 'return-to-kernel', 'context-saved', 'context-loaded', 'glue-entry'] as const) {
      key += this.wants(k) ? '1' : '0';
    }
    if (key === this.probeKey && !this.probesDirty) return;
    this.probeKey = key;
    this.probesDirty = false;
    const installed = new Map<number, Probe[]>();
    if (key.includes('1')) {
      for (const p of this.probes()) {
        if (!this.wants(p.kind)) continue;
        const list = installed.get(p.address >>> 0);
        if (list === undefined) installed.set(p.address >>> 0, [p]);
        else list.push(p);
      }
    }
    this.installedProbes = installed;
    this.syncBreakpoints();
  }

  private syncBreakpoints(): void {
    const want = new Set<number>([...this.hostBreakpoints, ...this.guestBreakpointHosts.keys(), ...this.installedProbes.keys()]);
    for (const a of [...this.placed]) {
      if (want.has(a)) continue;
      this.placed.delete(a);
      if (!this.ownsBreakpoint(a)) this.cpu.removeBreakpoint(a);
    }
    for (const a of want) {
      if (this.placed.has(a)) continue;
      this.placed.add(a);
      if (!this.cpu.breakpoints.has(a)) this.cpu.addBreakpoint(a);
    }
    if (this.placed.size > 0) this.breakpointsPlaced();
  }

  /** The CPU has breakpoints of this session now (a launch whose translators must know it is told). */
  protected breakpointsPlaced(): void {}

  /** The CPU stopped at a breakpoint at pc: fire probes, run the system's handler, stop for the client's breakpoints. */
  protected onBreakpoint(pc: number): SessionStop | null {
    pc >>>= 0;
    this.handledPc = pc;
    this.handledAt = this.instructions;
    this.fireProbes(pc);
    if (this.hostBreakpoints.has(pc)) return this.stopAt('breakpoint', { breakpoint: { kind: 'host', address: pc } });
    const g = this.guestBreakpointHosts.get(pc);
    if (g !== undefined) return this.stopAt('breakpoint', { breakpoint: { kind: 'guest', translator: g.translator, eip: g.eip } });
    return this.takeEventStop();
  }

  /**
   * Before the CPU runs from pc: MIPS run() does not stop at a breakpoint on the pc it starts from,
   * so an arrival there that nobody handled yet (a step ended on it) fires its probes and the
   * system's handler now. The client's own breakpoint there does not stop again.
   */
  protected beforeRun(pc = this.pc): void {
    if (!this.cpu.breakpoints.has(pc) || (this.handledPc === pc && this.handledAt === this.instructions)) return;
    this.handledPc = pc;
    this.handledAt = this.instructions;
    this.fireProbes(pc);
  }

  /**
   * Runs the CPU through `run(limit)` so that resuming on a breakpoint is safe: with breakpoints
   * set, the first instruction runs alone on the interpreter (MipsCpu.run with the block compiler
   * spins when it starts on a breakpoint whose block needs more than the limit), and arriving on a
   * breakpoint right after it is reported as the CPU would.
   */
  protected guardedRun<T extends { kind: string }>(limit: number, run: (limit: number) => T, arrivedAt: (pc: number) => T): T {
    const cpu = this.cpu;
    if (cpu.breakpoints.size === 0 || limit <= 0) return run(limit);
    const saved = cpu.useBlockCompiler;
    cpu.useBlockCompiler = false;
    let first: T;
    try {
      first = run(1);
    } finally {
      cpu.useBlockCompiler = saved;
    }
    if (first.kind !== 'limit' || limit === 1) return first;
    if (cpu.breakpoints.has(cpu.pc >>> 0)) return arrivedAt(cpu.pc >>> 0);
    return run(limit - 1);
  }

  private fireProbes(pc: number): void {
    const probes = this.installedProbes.get(pc);
    if (probes !== undefined) {
      for (const p of probes) {
        const e = p.fire();
        if (e !== null) this.raise(e);
      }
    }
    this.systemBreakpoint(pc);
  }

  // ---- running -----------------------------------------------------------------------------------------

  private assertStopped(): void {
    if (this.result !== null) throw new SessionError('the run has already ended');
    if (this.running) throw new SessionError('the run is going on');
  }

  private left(): number {
    return this.budget - this.instructions;
  }

  private budgetExit(): SessionExit {
    return { status: 124, message: `instruction budget of ${this.budget} exhausted at pc ${hex(this.pc)}`, instructions: this.instructions };
  }

  /** Announces the stop before the first instruction (a launch with stopOnEntry). */
  reportEntry(): SessionStop {
    return this.stopped(this.stopAt('entry'));
  }

  /** Executes one host (MIPS) instruction. */
  stepHostInstruction(): SessionStop | SessionExit {
    this.assertStopped();
    if (this.left() <= 0) return this.exited(this.budgetExit());
    this.refreshProbes();
    const out = this.advance(1);
    if (out.kind === 'exit') return this.exited(out.exit);
    return this.stopped(out.kind === 'stop' ? out.stop : this.stopAt('step'));
  }

  /**
   * Executes one guest instruction: host instructions until the CPU reaches the start of a guest
   * instruction's translation (through glue, dispatch and translation on the way). Breakpoints and
   * stop filters met on the way stop it earlier.
   */
  stepGuestInstruction(): SessionStop | SessionExit {
    this.assertStopped();
    this.refreshProbes();
    for (let i = 0; i < GUEST_STEP_LIMIT; i++) {
      if (this.left() <= 0) return this.exited(this.budgetExit());
      const out = this.advance(1);
      if (out.kind === 'exit') return this.exited(out.exit);
      if (out.kind === 'stop') return this.stopped(out.stop);
      if (this.atGuestBoundary(this.pc)) return this.stopped(this.stopAt('step'));
    }
    throw new SessionError(`no guest instruction reached within ${GUEST_STEP_LIMIT} host instructions from pc ${hex(this.pc)} (is any translated code running?)`);
  }

  /** Is pc the first host instruction of a guest instruction's translation? */
  atGuestBoundary(pc: number): boolean {
    const g = this.guestAt(pc);
    if (g === null) return false;
    for (const t of this.translationOf(g.translator, g.eip)) if (t.instructions.some((x) => x.host === pc && x.eip === g.eip)) return true;
    return false;
  }

  /** Requests that a running continue() stop at its next look at the event loop. */
  pause(): void {
    if (this.running) this.pauseRequested = true;
  }

  /** Runs until a breakpoint, a stop filter, pause(), the end of the run or the instruction budget. */
  async continue(): Promise<SessionStop | SessionExit> {
    this.assertStopped();
    this.running = true;
    this.pauseRequested = false;
    try {
      for (;;) {
        const left = this.left();
        if (left <= 0) return this.exited(this.budgetExit());
        this.refreshProbes();
        const out = this.advance(Math.min(SLICE, left));
        if (out.kind === 'exit') return this.exited(out.exit);
        if (out.kind === 'stop') return this.stopped(out.stop);
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.pauseRequested) return this.stopped(this.stopAt('pause'));
      }
    } finally {
      this.running = false;
      this.pauseRequested = false;
    }
  }

  /** Runs to the end synchronously; breakpoints and stop filters do not stop it (events are still raised). */
  runToEnd(): SessionExit {
    this.assertStopped();
    for (;;) {
      const left = this.left();
      if (left <= 0) return this.exited(this.budgetExit());
      this.refreshProbes();
      const out = this.advance(left);
      if (out.kind === 'exit') return this.exited(out.exit);
    }
  }

  /** Like continue() without yielding (tests and tools): until a stop or the end. */
  runUntilStop(): SessionStop | SessionExit {
    this.assertStopped();
    for (;;) {
      const left = this.left();
      if (left <= 0) return this.exited(this.budgetExit());
      this.refreshProbes();
      const out = this.advance(left);
      if (out.kind === 'exit') return this.exited(out.exit);
      if (out.kind === 'stop') return this.stopped(out.stop);
    }
  }

  private stopped(stop: SessionStop): SessionStop {
    this.emit('stopped', stop);
    return stop;
  }

  protected exited(exit: SessionExit): SessionExit {
    this.result = exit;
    this.emit('exited', exit);
    return exit;
  }

  // ---- host state ------------------------------------------------------------------------------------

  /** MIPS general registers, pc, hi, lo. */
  hostRegisters(): Register[] {
    const c = this.cpu;
    return [
      ...MIPS_NAMES.map((name, i) => ({ name, value: c.regs[i] >>> 0 })),
      { name: 'pc', value: c.pc >>> 0 },
      { name: 'hi', value: c.hi >>> 0 },
      { name: 'lo', value: c.lo >>> 0 },
    ];
  }

  setHostRegister(name: string, value: number): void {
    this.assertStopped();
    const c = this.cpu;
    const i = MIPS_NAMES.indexOf(name);
    if (i === 0) throw new SessionError('register zero cannot be written');
    if (i > 0) c.regs[i] = value | 0;
    else if (name === 'pc') {
      c.pc = value >>> 0;
      c.inDelaySlot = false;
    } else if (name === 'hi') c.hi = value | 0;
    else if (name === 'lo') c.lo = value | 0;
    else throw new SessionError(`no MIPS register '${name}' (zero..ra, pc, hi, lo)`);
  }

  /** The CP0 registers a kernel debugger looks at. */
  cp0Registers(): Register[] {
    return CP0.map((r) => ({ name: r.name, value: this.cpu.readCp0(r.reg, r.sel) >>> 0 }));
  }

  setCp0Register(name: string, value: number): void {
    this.assertStopped();
    const r = CP0.find((x) => x.name === name);
    if (r === undefined) throw new SessionError(`no CP0 register '${name}' (${CP0.map((x) => x.name).join(', ')})`);
    this.cpu.writeCp0(r.reg, r.sel, value);
  }

  /** Host memory through the CPU's current mapping; null where any byte is not RAM. */
  readVirtual(address: number, length: number): Uint8Array | null {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const v = this.cpu.readVirtual((address + i) >>> 0, 1);
      if (v === null) return null;
      out[i] = v;
    }
    return out;
  }

  /** Writes host memory through the current mapping (ignoring protection, as a debugger does); false if any byte is not RAM. */
  writeVirtual(address: number, bytes: Uint8Array): boolean {
    for (let i = 0; i < bytes.length; i++) if (this.cpu.readVirtual((address + i) >>> 0, 1) === null) return false;
    for (let i = 0; i < bytes.length; i++) this.cpu.writeVirtual((address + i) >>> 0, 1, bytes[i]);
    this.hostMemoryWritten(address >>> 0, bytes.length);
    return true;
  }

  /** Launches drop translations of guest code a debugger write changed. */
  protected hostMemoryWritten(address: number, length: number): void {
    void address;
    void length;
  }

  /** Physical memory (full system); null outside RAM or without a physical view. */
  abstract readPhysical(address: number, length: number): Uint8Array | null;
  abstract writePhysical(address: number, bytes: Uint8Array): boolean;

  /** Guest eip of the translation holding a host address (null outside translated code). */
  guestAddressOf(host: number): { translator: GuestTranslator; eip: number } | null {
    return this.guestAt(host >>> 0);
  }

  /** `count` MIPS instructions from `address`, each with the guest instruction it translates. */
  disassembleHost(address: number, count: number): HostDisassemblyLine[] {
    const out: HostDisassemblyLine[] = [];
    for (let i = 0, a = (address & ~3) >>> 0; i < count; i++, a = (a + 4) >>> 0) {
      const w = this.cpu.readVirtual(a, 4);
      out.push({ address: a, word: w, text: w === null ? `(unreadable memory at ${hex(a)})` : disassembleWord(w >>> 0, a), guest: this.guestAt(a) });
    }
    return out;
  }

  /** Exact host instruction counts per region. */
  regionCounts(): Record<string, number> {
    return this.cpu.regions.report();
  }

  /** Region name of a host address. */
  regionAt(address: number): string {
    const r = this.cpu.regions;
    return r.names[r.lookup(address >>> 0).id];
  }
}
