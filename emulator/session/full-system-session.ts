// A debuggable whole system: the host kernel on the MIPS machine with the graphics driver and the
// video player, as `ukcf run --scheme native|ukcf` builds it (emulator/system/run-scheme.ts), run in
// slices by the session instead of to the end. Events: console output, frames displayed, the user
// process's system calls (a probe on the kernel's exception_dispatch, placed only while wanted),
// power-off; under --scheme ukcf, what the translators report.

import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { EM_386, EM_MIPS, parseElf, symbolAt, symbolByName, type ElfFile } from '../machine/elf';
import { MIPS_O32_ABI } from '../linux/mips-o32-abi';
import { syscallNameTable } from '../linux/abi';
import { BOOT_UKCF_USER, HostSystem, MODULE_PHYS, SystemError, type BootFile } from '../system/host-system';
import { DEFAULT_VIDEO, type Scheme } from '../system/run-scheme';
import { attachUserTranslator } from '../system/user-translator-port';
import { userSyscallAtDispatch } from '../system/syscall-trace';
import { UkcfUserTranslator } from '../system/ukcf-user-translator';
import type { MipsStopReason } from '../mips/cpu';
import type { KernelSpaceTranslator, ContextRecord } from '../ukcf/kernel-space/kernel-translator';
import { UkcfDriverTranslation } from '../system/ukcf-driver-translation';
import { materializeStatus, LF_LENGTH } from '../x86/lazy-flags';
import { MATERIALIZED_FLAGS, POPF_OTHER } from '../ukcf/mips-back-end';
import { DebugSession, SessionError, userGlueProbes, type CodeCacheBlock, type GuestTranslation, type Outcome, type Probe, type Register } from './debug-session';
import { driverLayout, driverSymbolAddress, driverSymbolAt, type DriverLayout } from './driver-layout';
import type { GuestTranslator } from './session-events';

export interface FullSystemLaunch {
  kind: 'ukcf-system';
  scheme: Scheme;
  /** The repository's workloads/ folder (kernel, driver, player, videos). */
  workloads: string;
  /** Host path of the video (default workloads/videos/DEFAULT_VIDEO). */
  video?: string;
  /** Play at most this many frames (the player's -f). */
  frames?: number;
  playerArgs?: string[];
  graphicsId?: number;
  /**
   * The driver object: 'i386' (gfx_driver.i386.o, translated by the kernel-space translator; scheme
   * ukcf only) or 'mipsel' (native). Default: i386 under ukcf, mipsel under native.
   */
  driver?: 'i386' | 'mipsel';
  maxInstructions?: number;
  blockCompiler?: boolean;
}

export const DEFAULT_SYSTEM_BUDGET = 20_000_000_000;
const KSEG0 = 0x80000000;
const O32_NAMES = syscallNameTable(MIPS_O32_ABI);
const GUEST_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
/** Host registers of the translation core's pinning (mips-back-end.ts): s0..s7 = eax..edi, lazy flags a0 a1 a2 a3 v1, v0 = next eip. */
const S0 = 16;
const LAZY_FLAG_REGS = [4, 5, 6, 7, 3];
const T8 = 24;

/** Where a function breakpoint goes: a host address (native code) or a guest eip (translated code). */
export type BreakTarget = { kind: 'host'; address: number } | { kind: 'guest'; translator: GuestTranslator; eip: number };

function readRequired(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new SessionError(`cannot read the ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export class FullSystemSession extends DebugSession {
  readonly system: HostSystem;
  readonly scheme: Scheme;
  readonly player: ElfFile;
  readonly driver: ElfFile;
  readonly driverLayout: DriverLayout;
  /** The driver runs translated (i386 object) or native (mipsel). */
  readonly driverTranslated: boolean;
  readonly appTranslated: boolean;
  readonly userTranslator: UkcfUserTranslator | null;
  readonly kernelTranslator: KernelSpaceTranslator | null;
  private userStarted = false;

  constructor(readonly launch: FullSystemLaunch) {
    const w = launch.workloads;
    const ukcf = launch.scheme === 'ukcf';
    if (launch.scheme !== 'native' && launch.scheme !== 'ukcf') throw new SessionError(`unknown scheme '${String(launch.scheme)}' (native or ukcf)`);
    const playerBytes = readRequired(join(w, 'player', ukcf ? 'player.i386' : 'player.mipsel'), 'player');
    const driverKind = launch.driver ?? (ukcf ? 'i386' : 'mipsel');
    if (driverKind !== 'i386' && driverKind !== 'mipsel') throw new SessionError(`unknown driver '${String(driverKind)}' (i386 or mipsel)`);
    if (driverKind === 'i386' && !ukcf) throw new SessionError('the i386 driver runs only translated: use scheme ukcf');
    const driverBytes = readRequired(join(w, 'driver', driverKind === 'i386' ? 'gfx_driver.i386.o' : 'gfx_driver.mipsel.o'), 'driver');
    const video = launch.video ?? join(w, 'videos', DEFAULT_VIDEO);
    const name = basename(video).length > 0 && basename(video).length < 48 ? basename(video) : 'video.y4m';
    const files: BootFile[] = [{ name: 'player', bytes: playerBytes }, { name: 'gfx_driver.o', bytes: driverBytes }];
    try {
      files.push({ name, bytes: readFileSync(video) });
    } catch {
      // Absent from the RAM filesystem: the player says so.
    }
    const args = ['/player', '-b', '-w'];
    if (launch.frames !== undefined) args.push('-f', String(launch.frames));
    for (const a of launch.playerArgs ?? []) {
      if (a.length === 0 || /\s/.test(a)) throw new SessionError(`player argument '${a}' is empty or contains white space`);
      args.push(a);
    }
    args.push('/' + name);
    // The console sink exists before the session object does (super() must come first).
    const sink: { session: FullSystemSession | null } = { session: null };
    let system: HostSystem;
    try {
      system = new HostSystem({
        kernel: readRequired(join(w, 'kernel', 'kernel.mipsel'), 'kernel'),
        kernelPath: join(w, 'kernel', 'kernel.mipsel'),
        files,
        cmdline: `driver=/gfx_driver.o -- ${args.join(' ')}`,
        graphicsId: launch.graphicsId,
        blockCompiler: launch.blockCompiler,
        onConsole: (bytes) => sink.session?.console(bytes),
        ukcf: ukcf ? BOOT_UKCF_USER : 0,
      });
    } catch (e) {
      if (e instanceof SystemError) throw new SessionError(e.message);
      throw e;
    }
    super(system.machine.cpu, launch.maxInstructions ?? DEFAULT_SYSTEM_BUDGET);
    this.system = system;
    sink.session = this;
    this.scheme = launch.scheme;
    this.player = parseElf(playerBytes, 'player', { machines: [EM_386, EM_MIPS] });
    this.driver = parseElf(driverBytes, 'gfx_driver.o', { machines: [EM_386, EM_MIPS] });
    this.driverTranslated = this.driver.machine === EM_386;
    this.appTranslated = this.player.machine === EM_386;
    this.driverLayout = driverLayout(this.driver, KSEG0 + MODULE_PHYS, this.driverTranslated);
    this.userTranslator = null;
    this.kernelTranslator = null;
    if (ukcf) {
      // Block entry counters on, as `ukcf run` has them (the same host instruction counts).
      this.userTranslator = new UkcfUserTranslator(system, { countGuestInstructions: true, onEvent: (e) => this.onTranslatorEvent('user', e) });
      attachUserTranslator(system, this.userTranslator);
    }
    if (this.driverTranslated) {
      // As `ukcf run` attaches it (block entry counters on; a refusal or stop ends the run with its message).
      this.kernelTranslator = new UkcfDriverTranslation(system, true, (e) => this.onTranslatorEvent('kernel', e)).translator;
    }
    if (system.graphics !== null) {
      system.graphics.onDisplay = (frame) => {
        if (this.wants('frame-displayed')) this.raise({ kind: 'frame-displayed', frame: { ...frame } });
      };
    }
  }

  private onTranslatorEvent(translator: GuestTranslator, e: { readonly kind: string } & Record<string, unknown>): void {
    if (translator === 'user' && !this.userStarted) {
      // The runtime exists from now on: its glue entry points can carry probes (placed between two CPU runs).
      this.userStarted = true;
      this.probesChanged();
      this.cpu.requestStop('debug session: probes');
    }
    switch (e.kind) {
      case 'block-translated': {
        this.guestCodeChanged();
        if (this.wants('block-translated')) {
          const host = Number(e.host) >>> 0;
          this.raise({
            kind: 'block-translated', translator, eip: Number(e.eip) >>> 0, guestEnd: Number(e.guestEnd) >>> 0, guestCount: Number(e.guestCount),
            host, hostWords: Number(e.hostWords), region: this.regionAt(host),
          });
        }
        return;
      }
      case 'driver-loaded':
        this.probesChanged();
        break;
      case 'evict': case 'flush': case 'smc-flush':
        this.guestCodeChanged();
        break;
      default:
        break;
    }
    if (this.wants('translator')) this.raise({ kind: 'translator', translator, event: { ...e } });
  }

  private console(bytes: Uint8Array): void {
    if (this.wants('output')) this.raise({ kind: 'output', stream: 'console', bytes: Uint8Array.from(bytes) });
  }

  // ---- running -------------------------------------------------------------------------------------

  protected advance(limit: number): Outcome {
    const cpu = this.cpu;
    const target = cpu.instructionCount + limit;
    for (;;) {
      const ended = this.ended();
      if (ended !== null) return ended;
      const early = this.takeEventStop();
      if (early !== null) return { kind: 'stop', stop: early };
      const left = target - cpu.instructionCount;
      if (left <= 0) return { kind: 'limit' };
      this.refreshProbes();
      this.beforeRun();
      const handled = this.ended();
      if (handled !== null) return handled;
      const arrival = this.takeEventStop();
      if (arrival !== null) return { kind: 'stop', stop: arrival };
      const stop = this.guardedRun<MipsStopReason>(left, (n) => cpu.run(n), (pc) => ({ kind: 'breakpoint', pc }));
      const end = this.ended();
      if (end !== null) return end;
      if (stop.kind === 'breakpoint') {
        const s = this.onBreakpoint(stop.pc);
        if (s !== null) return { kind: 'stop', stop: s };
        continue;
      }
      const caught = this.takeEventStop();
      if (caught !== null) return { kind: 'stop', stop: caught };
      if (stop.kind === 'idle') return this.fail(`the machine went idle with nothing to wake it (pc 0x${(cpu.pc >>> 0).toString(16)})`);
      if (stop.kind === 'exception') return this.fail(`unexpected ${stop.name} exception reported to the host at pc 0x${stop.pc.toString(16)}`);
    }
  }

  private ended(): Outcome | null {
    const failure = this.system.abortMessage;
    if (failure !== null) return this.fail(failure);
    const off = this.system.powerOff;
    if (off === null) return null;
    return { kind: 'exit', exit: off.panicked ? { status: off.status, message: 'kernel panic', instructions: this.instructions } : { status: off.status, instructions: this.instructions } };
  }

  private fail(message: string): Outcome {
    return { kind: 'exit', exit: { status: 134, message, instructions: this.instructions } };
  }

  /**
   * The user runtime chains through delay slots (skipping a block's first word) unless told that
   * breakpoints are set; its own run() checks, but here the session runs the CPU itself.
   */
  protected override breakpointsPlaced(): void {
    const runtime = this.userTranslator?.runtime as { setDelaySlotChaining?: (on: boolean) => void } | null | undefined;
    runtime?.setDelaySlotChaining?.(false);
  }

  protected override ownsBreakpoint(pc: number): boolean {
    return this.system.breakpointHandler(pc) !== undefined;
  }

  protected override systemBreakpoint(pc: number): void {
    this.system.breakpointHandler(pc)?.();
  }

  // ---- probes ------------------------------------------------------------------------------------------

  protected probes(): Probe[] {
    const probes: Probe[] = [];
    const regs = this.cpu.regs;
    const runtime = this.userTranslator?.runtime ?? null;
    if (runtime !== null) probes.push(...userGlueProbes(runtime, regs));
    const kt = this.kernelTranslator;
    if (kt !== null) probes.push(...this.kernelProbes(kt));
    if (this.appTranslated) return probes;
    probes.push({
      address: this.system.kernelSymbol('exception_dispatch'),
      kind: 'syscall',
      fire: () => {
        const call = userSyscallAtDispatch(this.system);
        if (call === null) return null;
        const number = call.registers[2] >>> 0;
        return {
          kind: 'syscall', translator: this.appTranslated ? 'user' : 'native', number, name: O32_NAMES.get(number) ?? `sys_${number}`,
          args: [4, 5, 6, 7].map((r) => call.registers[r] >>> 0), address: call.epc,
        };
      },
    });
    return probes;
  }

  /** The kernel translator's crossings: MIPS breakpoints on its glue (kernel-glue.ts names them). */
  private kernelProbes(kt: KernelSpaceTranslator): Probe[] {
    const regs = this.cpu.regs;
    const out: Probe[] = [];
    const top = (kind: ContextRecord['kind']): ContextRecord | undefined => {
      const stack = this.contextStack();
      for (let i = stack.length - 1; i >= 0; i--) if (stack[i].kind === kind) return stack[i];
      return undefined;
    };
    const depth = (): number => this.contextStack().length;
    for (const g of kt.glueEntryPoints()) {
      const address = g.address >>> 0;
      const n = Number(/\/(\d+)$/.exec(g.name)?.[1] ?? 0);
      if (g.name.startsWith('shell-entry/')) {
        out.push({ address, kind: 'shell-entry', fire: () => {
          const fn = regs[T8] >>> 0;
          return { kind: 'shell-entry', address, function: fn, name: driverSymbolAt(this.driver, this.driverLayout, fn) ?? `0x${fn.toString(16)}`, args: n };
        } });
      } else if (g.name.startsWith('context-save/kernel-call/')) {
        // Entered from an export stub (t9 = export index): the monitor leaves the driver for this kernel function.
        out.push({ address, kind: 'jump-monitor-exit', fire: () => {
          const e = kt.exports()[regs[T8 + 1] >>> 0];
          return { kind: 'jump-monitor-exit', address, function: e?.name ?? `0x${(regs[T8] >>> 0).toString(16)}`, args: n };
        } });
      } else if (g.name.startsWith('monitor-exit-to-kernel/')) {
        // The guest context is saved in its record; the native call comes next.
        out.push({ address, kind: 'context-saved', fire: () => ({ kind: 'context-saved', address, depth: depth() - 1, name: top('kernel-call')?.name ?? '?' }) });
      } else if (g.name.startsWith('return-into-driver/')) {
        out.push({ address, kind: 'return-into-driver', fire: () => ({ kind: 'return-into-driver', address, function: top('kernel-call')?.name ?? '?' }) });
        out.push({ address, kind: 'context-loaded', fire: () => ({ kind: 'context-loaded', address, depth: depth() - 1, name: top('kernel-call')?.name ?? '?' }) });
      } else if (g.name === 'sentinel/return-to-kernel') {
        out.push({ address, kind: 'return-to-kernel', fire: () => ({ kind: 'return-to-kernel', address, name: top('shell')?.name ?? '?' }) });
      } else if (g.name === 'context-load/return-to-kernel') {
        out.push({ address, kind: 'context-loaded', fire: () => ({ kind: 'context-loaded', address, depth: depth() - 1, name: top('shell')?.name ?? '?' }) });
      } else {
        out.push({ address, kind: 'glue-entry', fire: () => ({ kind: 'glue-entry', translator: 'kernel', name: g.name, address }) });
      }
    }
    return out;
  }

  // ---- guest view (translated parts) ---------------------------------------------------------------

  guestAt(pc: number): { translator: GuestTranslator; eip: number } | null {
    pc >>>= 0;
    const runtime = this.userTranslator?.runtime ?? null;
    if (runtime !== null) {
      const eip = runtime.guestEipAt(pc);
      if (eip >= 0) return { translator: 'user', eip: eip >>> 0 };
    }
    if (this.kernelTranslator !== null) {
      const eip = this.kernelTranslator.guestEipAt(pc);
      if (eip >= 0) return { translator: 'kernel', eip: eip >>> 0 };
    }
    return null;
  }

  translationOf(translator: GuestTranslator, eip: number): GuestTranslation[] {
    eip >>>= 0;
    if (translator === 'user') {
      const runtime = this.userTranslator?.runtime ?? null;
      if (runtime === null) return [];
      return runtime.translationOf(eip).map((t) => ({ translator: 'user', block: t.block, host: t.host, hostEnd: t.hostEnd, instructions: t.instructions, exitStubs: t.exitStubs }));
    }
    const kt = this.kernelTranslator;
    if (kt === null) return [];
    const out: GuestTranslation[] = [];
    for (const b of kt.codeCacheBlocks()) {
      if (eip < b.eip || eip >= b.guestEnd) continue;
      // Instruction starts from the translator's host → guest map (the block holds its exit stubs).
      const end = b.host + b.words * 4;
      const instructions: GuestTranslation['instructions'] = [];
      let last = -1;
      for (let a = b.host; a < end; a += 4) {
        const g = kt.guestEipAt(a);
        if (g === last) continue;
        if (instructions.length > 0) instructions[instructions.length - 1].hostEnd = a;
        instructions.push({ eip: g >>> 0, host: a, hostEnd: end });
        last = g;
      }
      // A block cut at its size limit maps its exit to the next eip, which is no instruction of it.
      const own = instructions.filter((x) => x.eip >= b.eip && x.eip < b.guestEnd);
      if (own.some((x) => x.eip === eip)) out.push({ translator: 'kernel', block: b.eip, host: b.host, hostEnd: end, instructions: own, exitStubs: [] });
    }
    return out;
  }

  codeCacheBlocks(): CodeCacheBlock[] {
    const out: CodeCacheBlock[] = [];
    const runtime = this.userTranslator?.runtime ?? null;
    if (runtime !== null) {
      for (const b of runtime.codeCacheBlocks()) {
        out.push({ translator: 'user', eip: b.eip, guestEnd: b.guestEnd, guestCount: b.guestCount, host: b.host, hostBytes: b.hostBytes, region: this.regionAt(b.host), state: b.state });
      }
    }
    for (const b of this.kernelTranslator?.codeCacheBlocks() ?? []) {
      out.push({ translator: 'kernel', eip: b.eip, guestEnd: b.guestEnd >>> 0, guestCount: b.guestCount, host: b.host, hostBytes: b.words * 4, region: this.regionAt(b.host), state: 'live' });
    }
    return out;
  }

  // ---- guest contexts ----------------------------------------------------------------------------------

  /**
   * A translator's guest context. Live in the pinned host registers while the CPU runs that
   * translator's code; the kernel translator's, while the driver is inside a kernel function, from the
   * innermost saved kernel-call record. Empty when it is nowhere to be read (the app in the kernel:
   * its registers are in the kernel's trap frame).
   */
  guestRegisters(translator: GuestTranslator): Register[] {
    const where = this.guestContext(translator);
    if (where === null) return [];
    if (where.kind === 'live') {
      const r = this.cpu.regs;
      const lf = new Int32Array(LF_LENGTH);
      LAZY_FLAG_REGS.forEach((reg, i) => (lf[i] = r[reg]));
      const g = this.guestAt(this.pc);
      return [
        ...GUEST_NAMES.map((name, i) => ({ name, value: r[S0 + i] >>> 0 })),
        { name: 'eip', value: g !== null && g.translator === translator ? g.eip : 0xffffffff },
        { name: 'eflags', value: (materializeStatus(lf) | (r[MATERIALIZED_FLAGS] & POPF_OTHER) | 0x202) >>> 0 },
      ];
    }
    const rec = where.record;
    const lf = new Int32Array(LF_LENGTH);
    rec.flags.forEach((v, i) => (lf[i] = v));
    return [
      ...GUEST_NAMES.map((name, i) => ({ name, value: (i === 4 ? rec.esp : rec.regs[i]) >>> 0 })),
      { name: 'eip', value: rec.resume >>> 0 },
      { name: 'eflags', value: (materializeStatus(lf) | (rec.s8 & POPF_OTHER) | 0x202) >>> 0 },
    ];
  }

  private guestContext(translator: GuestTranslator): { kind: 'live' } | { kind: 'saved'; record: ContextRecord } | null {
    const g = this.guestAt(this.pc);
    if (translator === 'user') {
      if (this.userTranslator?.runtime == null) return null;
      return (g !== null && g.translator === 'user') || !this.cpu.kernelMode ? { kind: 'live' } : null;
    }
    const kt = this.kernelTranslator;
    if (kt === null) return null;
    if (g !== null && g.translator === 'kernel') return { kind: 'live' };
    const stack = this.contextStack();
    for (let i = stack.length - 1; i >= 0; i--) if (stack[i].kind === 'kernel-call') return { kind: 'saved', record: stack[i] };
    return null;
  }

  /** Writes a guest register (eax..edi) of a translator's context, live or in its saved record. */
  setGuestRegister(translator: GuestTranslator, name: string, value: number): void {
    if (this.state !== 'stopped') throw new SessionError('registers can be written only while the run is stopped');
    const i = GUEST_NAMES.indexOf(name);
    if (i < 0) throw new SessionError(`guest register '${name}' cannot be written here (${GUEST_NAMES.join(', ')})`);
    const where = this.guestContext(translator);
    if (where === null) throw new SessionError(`the ${translator} translator's context is not available at pc 0x${this.pc.toString(16)}`);
    if (where.kind === 'live') this.cpu.regs[S0 + i] = value | 0;
    else if (i === 4) throw new SessionError('the saved esp of a kernel call cannot be written');
    else (this.kernelTranslator as KernelSpaceTranslator).writeContextRegister(where.record.depth, i, value);
  }

  /** The kernel translator's saved context stack, outermost first. */
  contextStack(): ContextRecord[] {
    // Shell records named by the driver's symbols (the translator knows only addresses).
    return (this.kernelTranslator?.contextStack() ?? []).map((r) => (r.kind === 'shell' ? { ...r, name: driverSymbolAt(this.driver, this.driverLayout, r.target) ?? r.name } : r));
  }

  /** Writes eax..edi of the saved kernel-call record at `depth` (reloaded when the kernel function returns). */
  writeContextRegister(depth: number, name: string, value: number): void {
    const i = GUEST_NAMES.indexOf(name);
    if (this.kernelTranslator === null || i < 0) throw new SessionError(`no saved guest register '${name}' in this run`);
    this.kernelTranslator.writeContextRegister(depth, i, value);
  }

  // ---- host memory ----------------------------------------------------------------------------------

  readPhysical(address: number, length: number): Uint8Array | null {
    const ram = this.system.machine.ram;
    if (address < 0 || length < 0 || address + length > ram.size) return null;
    return ram.readBytes(address, length);
  }

  writePhysical(address: number, bytes: Uint8Array): boolean {
    const ram = this.system.machine.ram;
    if (address < 0 || address + bytes.length > ram.size) return false;
    ram.writeBytes(address, bytes);
    return true;
  }

  // ---- symbols ------------------------------------------------------------------------------------------

  /**
   * Where a function breakpoint on `name` goes: the kernel's symbol, the driver's (at the address the
   * kernel loads it), or the player's; a host address for native code, a guest eip for translated code.
   */
  resolveFunction(owner: 'kernel' | 'driver' | 'app', name: string): BreakTarget {
    if (owner === 'kernel') {
      const s = symbolByName(this.system.kernelElf, name);
      if (s === undefined) throw new SessionError(`the kernel has no symbol '${name}'`);
      return { kind: 'host', address: s.value >>> 0 };
    }
    if (owner === 'driver') {
      const a = driverSymbolAddress(this.driver, this.driverLayout, name);
      if (a === undefined) throw new SessionError(`the driver ${this.driver.file} has no symbol '${name}'`);
      return this.driverTranslated ? { kind: 'guest', translator: 'kernel', eip: a } : { kind: 'host', address: a };
    }
    const s = symbolByName(this.player, name);
    if (s === undefined) throw new SessionError(`the player has no symbol '${name}'`);
    return this.appTranslated ? { kind: 'guest', translator: 'user', eip: s.value >>> 0 } : { kind: 'host', address: s.value >>> 0 };
  }

  /** The symbol holding a host address: kernel, driver or (native) player. */
  hostSymbolAt(address: number): string | undefined {
    address >>>= 0;
    const d = this.driverLayout;
    if (address >= d.base && address < d.end) {
      const s = driverSymbolAt(this.driver, d, address);
      return s === undefined ? undefined : `gfx_driver:${s}`;
    }
    const elf = address >= KSEG0 ? this.system.kernelElf : this.appTranslated ? null : this.player;
    if (elf === null) return undefined;
    const s = symbolAt(elf, address);
    return s === undefined ? undefined : address === s.value ? s.name : `${s.name}+${address - s.value}`;
  }
}
