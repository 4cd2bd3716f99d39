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
import { UkcfUserTranslator } from '../system/ukcf-user-translator';
import { DebugSession, SessionError, type CodeCacheBlock, type GuestTranslation, type Outcome, type Probe } from './debug-session';
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
  maxInstructions?: number;
  blockCompiler?: boolean;
}

export const DEFAULT_SYSTEM_BUDGET = 20_000_000_000;
const KSEG0 = 0x80000000;
const TF_STATUS = 140;
const TF_CAUSE = 144;
const EXC_SYSCALL = 8;
const O32_NAMES = syscallNameTable(MIPS_O32_ABI);

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
  private readonly userTranslator: UkcfUserTranslator | null;

  constructor(readonly launch: FullSystemLaunch) {
    const w = launch.workloads;
    const ukcf = launch.scheme === 'ukcf';
    if (launch.scheme !== 'native' && launch.scheme !== 'ukcf') throw new SessionError(`unknown scheme '${String(launch.scheme)}' (native or ukcf)`);
    const playerBytes = readRequired(join(w, 'player', ukcf ? 'player.i386' : 'player.mipsel'), 'player');
    // The driver the kernel loads today in both schemes (run-scheme.ts): the native mipsel object.
    const driverBytes = readRequired(join(w, 'driver', 'gfx_driver.mipsel.o'), 'driver');
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
    if (ukcf) {
      this.userTranslator = new UkcfUserTranslator(system);
      attachUserTranslator(system, this.userTranslator);
    }
    if (system.graphics !== null) {
      system.graphics.onDisplay = (frame) => {
        if (this.wants('frame-displayed')) this.raise({ kind: 'frame-displayed', frame: { ...frame } });
      };
    }
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
      const stop = cpu.run(left);
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

  protected override ownsBreakpoint(pc: number): boolean {
    return this.system.breakpointHandler(pc) !== undefined;
  }

  protected override systemBreakpoint(pc: number): void {
    this.system.breakpointHandler(pc)?.();
  }

  // ---- probes ------------------------------------------------------------------------------------------

  protected probes(): Probe[] {
    const ram = this.system.machine.ram;
    const word = (va: number): number => ram.read32((va >>> 0) - KSEG0);
    const probes: Probe[] = [];
    probes.push({
      address: this.system.kernelSymbol('exception_dispatch'),
      kind: 'syscall',
      fire: () => {
        const frame = this.cpu.regs[4] >>> 0;
        if ((word(frame + TF_STATUS) & 0x18) !== 0x10 || ((word(frame + TF_CAUSE) >>> 2) & 31) !== EXC_SYSCALL) return null;
        const number = word(frame + 8) >>> 0;
        return {
          kind: 'syscall', translator: this.appTranslated ? 'user' : 'native', number, name: O32_NAMES.get(number) ?? `sys_${number}`,
          args: [4, 5, 6, 7].map((r) => word(frame + 4 * r) >>> 0), address: word(frame + 136) >>> 0,
        };
      },
    });
    return probes;
  }

  // ---- guest view (translated parts) ---------------------------------------------------------------

  guestAt(pc: number): { translator: GuestTranslator; eip: number } | null {
    if (this.userTranslator === null) return null;
    const eip = this.userTranslator.guestEip(pc >>> 0);
    return eip < 0 ? null : { translator: 'user', eip: eip >>> 0 };
  }

  translationOf(translator: GuestTranslator, eip: number): GuestTranslation[] {
    void translator;
    void eip;
    return []; // waits for the translators to run on the system's CPU (SYSTEM, KERNEL)
  }

  codeCacheBlocks(): CodeCacheBlock[] {
    return [];
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
