// `ukcf run --scheme S`: one whole run of the video player on the simulated host.
//
// Scheme "native" (the upper bound of the paper's comparison): the host kernel on the MIPS
// simulator, the mipsel graphics driver loaded as a native module, the mipsel player as the init
// process, playing the video in benchmark mode with every FLIP waiting for vsync (`-b -w`), so
// that each frame is displayed exactly once. The video is a file of the RAM filesystem named after
// its host basename; a host file that cannot be read is simply absent, and the player reports it.
//
// Scheme "ukcf" (the paper's system): the same kernel and video, but the i386 player, exec'd by
// the kernel as an i386 process and run by the UKCF user-space translator in its user window
// (ukcf-user-translator.ts), and the i386 driver loaded as a data array by the kernel and run by
// the kernel-space translator (ukcf-driver-translation.ts; `driver: 'mipsel'` keeps the native one). Its stats add the translators' figures and the performance loss ratio
// against the x86 reference interpreter replaying the same run (reference-replay.ts).
// Later schemes (full system) plug in beside these in SCHEMES.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { HostSystem, SystemError, BOOT_UKCF_USER, type BootFile, type HostRunResult } from './host-system';
import { CLOCK_HZ } from './host-system';
import { SyscallTrace, type TracedSyscall } from './syscall-trace';
import { GuestSyscallTrace, type GuestSyscall, type GuestTimeStamp } from './guest-syscall-trace';
import { attachUserTranslator } from './user-translator-port';
import { UkcfUserTranslator, type UserTranslationReport } from './ukcf-user-translator';
import { replayOnReference, ReplayMismatch, type GuestImage } from './reference-replay';
import { ukcfStats, ukcfSummary } from './ukcf-stats';
import { UkcfDriverTranslation, type DriverTranslationReport } from './ukcf-driver-translation';

export const SCHEMES = ['native', 'ukcf'] as const;
export type Scheme = (typeof SCHEMES)[number];
export const DEFAULT_VIDEO = 'testsrc-64x48.y4m';

export interface SchemeRunOptions {
  scheme: Scheme;
  /** The repository's workloads/ folder (kernel, driver, player, videos). */
  workloads: string;
  /** Host path of the video (default: workloads/videos/DEFAULT_VIDEO). */
  video?: string;
  /** Play at most this many frames (the player's -f). */
  frames?: number;
  /** Graphics device ID register (tests: a wrong one makes the driver's probe fail). */
  graphicsId?: number;
  /** More player options, placed before the video (e.g. ['-p', 'rgb565']). */
  playerArgs?: string[];
  onConsole?: (bytes: Uint8Array) => void;
  maxInstructions?: number;
  /** false: the MIPS interpreter alone (default: block compiler). */
  blockCompiler?: boolean;
  /** Record the user process's system calls (costs no simulated instruction; always on for ukcf). */
  traceSyscalls?: boolean;
  /** ukcf: replay the run on the x86 reference interpreter for the guest instruction count (default true). */
  reference?: boolean;
  /**
   * ukcf: also count executed guest instructions in the translated code (block entry counters, 4 host
   * instructions per block entry, reported apart and left out of the ratios). Default true: it gives the
   * chaining hit rate and a second dynamic count, checked equal to the reference's.
   */
  countGuestInstructions?: boolean;
  /** ukcf: the i386 driver translated in the kernel (default), or the native mipsel one. */
  driver?: 'i386' | 'mipsel';
  /** Also count the kernel's instructions per function (result.kernelFunctions). */
  kernelProfile?: boolean;
}

/** What the ukcf scheme adds to a run's result. */
export interface UkcfSchemeReport {
  driver: 'translated-i386' | 'native-mipsel';
  /** The kernel-space translator's figures (null with the native driver). */
  kernel: DriverTranslationReport | null;
  /** null: the kernel never started an i386 process (exec refused, no video...). */
  user: UserTranslationReport | null;
  /** The x86 reference interpreter's replay of the app (null: not asked for). */
  reference: { instructions: number; syscalls: number; exitStatus: number | null; fault: string | null; timeStamps: number } | null;
  /** The guest's memory at its start (what the replay starts from), null if no i386 process started. */
  image: GuestImage | null;
  /** The `ukcf` section of the stats JSON (ukcf-stats.ts). */
  stats: object;
}

export interface SchemeRunResult extends HostRunResult {
  scheme: Scheme;
  video: string;
  /** Frames the player reports having played ("played N frames ..."), null if it did not get there. */
  framesPlayed: number | null;
  simulatedSeconds: number;
  /** The user process's system calls (traceSyscalls, or scheme ukcf). */
  syscalls: TracedSyscall[] | null;
  /** ukcf: the i386 process's own system calls, as the reference replay gets them (guest-syscall-trace.ts). */
  guestSyscalls: GuestSyscall[] | null;
  /** ukcf: the i386 process's time-stamp reads (rdtsc), as the reference replay gets them. */
  guestTimeStamps: GuestTimeStamp[] | null;
  ukcf: UkcfSchemeReport | null;
}

function readRequired(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new SystemError(`cannot read the ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function ramfsName(video: string): string {
  const name = basename(video);
  return name.length > 0 && name.length < 48 && !name.includes('\0') ? name : 'video.y4m';
}

export function runScheme(options: SchemeRunOptions): SchemeRunResult {
  if (!(SCHEMES as readonly string[]).includes(options.scheme)) throw new SystemError(`unknown scheme '${options.scheme}'`);
  const w = options.workloads;
  const ukcf = options.scheme === 'ukcf';
  const video = options.video ?? join(w, 'videos', DEFAULT_VIDEO);
  const i386Driver = ukcf && options.driver !== 'mipsel';
  const files: BootFile[] = [
    { name: 'player', bytes: ukcf ? readRequired(join(w, 'player', 'player.i386'), 'player') : readRequired(join(w, 'player', 'player.mipsel'), 'player') },
    { name: 'gfx_driver.o', bytes: readRequired(join(w, 'driver', i386Driver ? 'gfx_driver.i386.o' : 'gfx_driver.mipsel.o'), 'driver') },
  ];
  const name = ramfsName(video);
  try {
    files.push({ name, bytes: readFileSync(video) });
  } catch {
    // Absent from the RAM filesystem: the player's open() fails and it says so.
  }
  const args = ['/player', '-b', '-w'];
  if (options.frames !== undefined) args.push('-f', String(options.frames));
  for (const a of options.playerArgs ?? []) {
    if (a.length === 0 || /\s/.test(a)) throw new SystemError(`player argument '${a}' is empty or contains white space`);
    args.push(a);
  }
  args.push('/' + name);
  const system = new HostSystem({
    kernel: readRequired(join(w, 'kernel', 'kernel.mipsel'), 'kernel'),
    kernelPath: join(w, 'kernel', 'kernel.mipsel'),
    files,
    cmdline: `driver=/gfx_driver.o -- ${args.join(' ')}`,
    graphicsId: options.graphicsId,
    blockCompiler: options.blockCompiler,
    onConsole: options.onConsole,
    ukcf: ukcf ? BOOT_UKCF_USER : 0,
    kernelProfile: options.kernelProfile,
  });
  const trace = ukcf || options.traceSyscalls === true ? new SyscallTrace(system) : null;
  let user: UkcfUserTranslator | null = null;
  const counting = options.countGuestInstructions ?? true;
  const driverTranslation = i386Driver ? new UkcfDriverTranslation(system, counting) : null;
  const guestTrace = ukcf ? new GuestSyscallTrace(system) : null;
  if (ukcf) {
    user = new UkcfUserTranslator(system, {
      countGuestInstructions: counting, onStart: (p) => guestTrace?.attach(p), onTimeStamp: (eip, value) => guestTrace?.recordTimeStamp(eip, value),
    });
    attachUserTranslator(system, user);
  }
  const result = system.run(options.maxInstructions);
  const played = /^played (\d+) frames /m.exec(result.console);
  let report: UkcfSchemeReport | null = null;
  if (user !== null && trace !== null && guestTrace !== null) {
    let reference: UkcfSchemeReport['reference'] = null;
    const image = user.guestImage;
    if (options.reference !== false && image !== null) {
      // Killed by a fault (status 128 + signal, the kernel asked for the guest eip): the reference must fault there too.
      // For a memory exception the kernel also asked for the guest address: the reference must name the same byte.
      const fault = user.lastFault;
      const killed = (user.exitedWith ?? 0) >= 128 && fault !== null ? { faultEip: fault.eip, faultAddress: fault.address } : null;
      try {
        reference = replayOnReference(image, guestTrace.calls, killed, undefined, guestTrace.timeStamps);
      } catch (e) {
        if (e instanceof ReplayMismatch) throw new SystemError(`the translated player and the x86 reference interpreter disagree: ${e.message}`);
        throw e;
      }
      if (reference.exitStatus !== null && reference.exitStatus !== result.status) {
        throw new SystemError(`the x86 reference interpreter's replay exits with ${reference.exitStatus}, the translated player with ${result.status}`);
      }
    }
    const userReport = user.report();
    const executed = userReport?.statistics.guestInstructionsExecuted ?? null;
    // (A killed process: its last block's counter counted the instructions after the fault too.)
    if (reference !== null && reference.fault === null && executed !== null && executed !== reference.instructions) {
      throw new SystemError(`guest instruction counts disagree: ${executed} counted in the translated code, ${reference.instructions} by the x86 reference interpreter`);
    }
    const kernel = driverTranslation?.report() ?? null;
    const driver = kernel !== null ? 'translated-i386' : 'native-mipsel';
    const stats = ukcfStats({ regions: result.regions, instructions: result.instructions, hostSyscalls: trace.calls.length, reference, user: userReport, kernel, driver });
    report = { driver, user: userReport, kernel, reference, image, stats };
  }
  return {
    ...result,
    scheme: options.scheme,
    video,
    framesPlayed: played ? Number(played[1]) : null,
    simulatedSeconds: result.cycles / CLOCK_HZ,
    syscalls: trace?.calls ?? null,
    guestSyscalls: guestTrace?.calls ?? null,
    guestTimeStamps: guestTrace?.timeStamps ?? null,
    ukcf: report,
  };
}

/** The --stats JSON document of a run. */
export function schemeStats(r: SchemeRunResult): object {
  return {
    scheme: r.scheme,
    video: r.video,
    exit_status: r.status,
    kernel_panic: r.panicked,
    frames_played: r.framesPlayed,
    frames_displayed: r.displayed.length,
    displayed: r.displayed.map((d) => ({ vsync: d.vsync, cycle: d.cycle, width: d.width, height: d.height, fnv1a: d.hash.toString(16).padStart(8, '0') })),
    instructions: { kernel: r.counts.kernel, driver: r.counts.driver, app: r.counts.app, other: r.counts.other, total: r.instructions },
    cycles: r.cycles,
    clock_hz: CLOCK_HZ,
    simulated_seconds: r.simulatedSeconds,
    graphics_register_reads: r.graphicsRegisterReads,
    graphics_register_writes: r.graphicsRegisterWrites,
    ...(r.ukcf !== null ? { ukcf: r.ukcf.stats } : {}),
  };
}

/** Scheme-specific lines for the CLI (none for native). */
export function schemeSummary(r: SchemeRunResult): string[] {
  return r.ukcf !== null ? ukcfSummary(r.ukcf.stats) : [];
}
