// The `ukcf` command line (bundled into dist/cli.js). Exit codes: the guest's own status
// (128 + signal for a fatal one) for runs; 1 for a bad program or an emulator failure; 2 for
// a usage error. Messages are one line on stderr, prefixed "ukcf:", never a stack trace.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createSystem, UserProgramError, EmulatorInternalError, type UserLaunch, type UserProgramResult } from '../emulator/index';
import { runScheme, schemeStats, schemeSummary, SCHEMES, SystemError, ElfError, type Scheme } from '../emulator/index';
import { runTranslatedUserProgram, type TranslatedRunResult } from '../emulator/index';
import packageJson from '../package.json';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const ENGINES = ['translated', 'interp'] as const;

const USAGE = `usage: ukcf <command> [options]

commands:
  user [--engine translated|interp] [--max-instructions N] [--stats] [--strace] PROGRAM [ARGS...]
        run a static i386 Linux executable: translated (default) by UKCF onto the MIPS simulator
        as a user process of the o32 Linux layer, or by the x86 reference interpreter (interp);
        translated: --max-instructions counts host (MIPS) instructions, --stats adds region
        counts, translator cost and the host/guest ratio, --strace shows the host's o32 calls
  mips [--max-instructions N] [--stats] [--strace] PROGRAM [ARGS...]
        run a static mipsel (o32) Linux executable on the MIPS simulator
        (--strace: one line per system call on stderr; --stats: instruction count)
  demo  run the bundled x86 demo program and report its instruction count
  run [--scheme native|ukcf] [--driver i386|mipsel] [--video FILE] [--frames N] [--stats FILE.json]
        boot the host kernel on the MIPS simulator and play a video through the graphics
        driver; prints each displayed frame's hash and instruction counts per region
        (ukcf: the i386 player and driver translated by UKCF, with the translators' stats;
        --driver mipsel keeps the native driver under the translated player)

options:
  --help       show this help
  --version    show the version

The program's exit status becomes ukcf's (128 + signal number if it was killed);
1 means the program could not be run, 2 a usage error.`;

class UsageError extends Error {}

interface RunCommand {
  isa: 'x86' | 'mips';
  engine: (typeof ENGINES)[number];
  maxInstructions?: number;
  stats: boolean;
  strace: boolean;
  program: string;
  args: string[];
}

function parseRun(isa: 'x86' | 'mips', command: string, argv: string[]): RunCommand {
  const run: RunCommand = { isa, engine: isa === 'x86' ? 'translated' : 'interp', stats: false, strace: false, program: '', args: [] };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { i++; break; }
    if (!a.startsWith('-') || a === '-') break;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw new UsageError(`option '${flag}' needs a value`);
      return argv[++i];
    };
    if (flag === '--engine' && isa === 'x86') {
      const e = value();
      if (!(ENGINES as readonly string[]).includes(e)) throw new UsageError(`unknown engine '${e}' (available: ${ENGINES.join(', ')})`);
      run.engine = e as RunCommand['engine'];
    } else if (flag === '--max-instructions') {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) <= 0) throw new UsageError(`--max-instructions needs a positive integer, got '${v}'`);
      run.maxInstructions = Number(v);
    } else if (flag === '--stats' && inline === undefined) {
      run.stats = true;
    } else if (flag === '--strace' && inline === undefined) {
      run.strace = true;
    } else {
      throw new UsageError(`unknown option '${a}' for '${command}'`);
    }
  }
  if (i >= argv.length) throw new UsageError(`'${command}' needs a PROGRAM`);
  run.program = argv[i];
  run.args = argv.slice(i + 1);
  return run;
}

/**
 * The guest's stdin is the host's, read when the guest reads (so an interactive program can
 * talk to a terminal, and a program that never reads stdin never waits for it).
 */
function hostStdinReader(): (maxBytes: number) => Uint8Array {
  let ended = false;
  return (maxBytes) => {
    if (ended) return new Uint8Array(0);
    const buffer = Buffer.alloc(maxBytes);
    for (;;) {
      try {
        const n = fs.readSync(0, buffer, 0, maxBytes, null);
        if (n === 0) ended = true;
        return buffer.subarray(0, n);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); // non-blocking stdin with nothing yet
          continue;
        }
        ended = true; // no stdin (closed, EOF on a terminal, a directory...): end of input
        return new Uint8Array(0);
      }
    }
  };
}

const SIGPIPE_EXIT = 128 + 13;

/**
 * Synchronous, complete writes (the guest's output must be out before its next instruction).
 * EPIPE propagates: for guest output the Linux layer turns it into SIGPIPE.
 */
function writeFully(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) {
    try {
      done += fs.writeSync(fd, bytes, done, bytes.length - done);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); // a non-blocking pipe is full: wait a little
    }
  }
}

/** ukcf's own text: a reader that has gone away is not an error worth reporting. */
function say(fd: number, text: string): void {
  try {
    writeFully(fd, Buffer.from(text));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw e;
  }
}

/** Bytes of ukcf's own on stdout (a reader that has gone away is ignored). */
function writeOut(bytes: Uint8Array): void {
  try {
    writeFully(1, bytes);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw e;
  }
}

/** A run through the emulator facade; with `trace`, each system call is printed as it returns. */
function runProgram(launch: UserLaunch, trace: boolean): UserProgramResult {
  const system = createSystem(launch);
  system.on('output', (e) => {
    if (e.stream === 'diagnostic') say(2, Buffer.from(e.bytes).toString('latin1'));
    else writeFully(e.stream === 'stdout' ? 1 : 2, e.bytes);
  });
  if (trace) system.on('syscall', (e) => say(2, `[syscall] ${system.describeSyscall(e)}\n`));
  return system.runToEnd();
}

function finish(result: UserProgramResult, stats: boolean): number {
  // A program killed by SIGPIPE (its reader went away) ends quietly, as in a shell pipeline.
  if (result.message && result.exitCode !== SIGPIPE_EXIT) say(2, `ukcf: ${result.message}\n`);
  if (stats) say(2, `ukcf: ${result.instructions} instructions retired, exit status ${result.exitCode}\n`);
  return result.exitCode;
}

/** `ukcf user` on the translated engine; --stats reports where the host's instructions went. */
function runTranslated(run: RunCommand): number {
  const result = runTranslatedUserProgram({
    isa: 'x86', program: run.program, args: run.args, stdinReader: hostStdinReader(), maxInstructions: run.maxInstructions,
    stdout: (b) => writeFully(1, b), stderr: (b) => writeFully(2, b), diagnostic: (line) => say(2, line + '\n'),
    countGuestInstructions: run.stats,
    onHostSyscall: run.strace ? (line) => say(2, `[host syscall] ${line}\n`) : undefined,
  });
  if (result.message && result.exitCode !== SIGPIPE_EXIT) say(2, `ukcf: ${result.message}\n`);
  if (run.stats) say(2, translatedStats(result));
  return result.exitCode;
}

function translatedStats(r: TranslatedRunResult): string {
  const s = r.statistics;
  const guest = s.guestInstructionsExecuted ?? 0;
  const host = r.hostInstructions - r.countingOverhead;
  const regions = Object.entries(r.regions).filter(([, n]) => n > 0).map(([name, n]) => `${name} ${n}`).join(', ');
  const lines = [
    `ukcf: translated run, exit status ${r.exitCode}`,
    `ukcf: guest instructions ${guest} (exact, from block entry counts)`,
    `ukcf: host instructions ${host} (block entry counting's ${r.countingOverhead} not included; per region with it: ${regions})`,
    `ukcf: host/guest ratio ${guest > 0 ? (host / guest).toFixed(2) : 'n/a'}`,
    `ukcf: translator cost ${s.translatorCost} modelled host instructions (${s.blocksTranslated} blocks, ${s.guestInstructionsTranslated} guest instructions translated, ${s.chainsPatched} chains, ${s.evictions} evictions, ${s.smcInvalidations} SMC invalidations)`,
    `ukcf: dispatches ${s.dispatches} (${s.dispatchMisses} misses), host system calls ${r.hostSyscalls}`,
  ];
  return lines.join('\n') + '\n';
}

function demoProgram(): string {
  // dist/cli.js and cli/ukcf.ts both sit one level below the repository root.
  return path.join(__dirname, '..', 'workloads', 'demo', 'demo.i386');
}

/** `ukcf run`: a whole-system run (emulator/system/run-scheme.ts). */
function runCommand(argv: string[]): number {
  let scheme: Scheme = 'native';
  let driver: 'i386' | 'mipsel' | undefined;
  let video: string | undefined;
  let frames: number | undefined;
  let stats: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw new UsageError(`option '${flag}' needs a value`);
      return argv[++i];
    };
    if (flag === '--scheme') {
      const v = value();
      if (!(SCHEMES as readonly string[]).includes(v)) throw new UsageError(`unknown scheme '${v}' (available: ${SCHEMES.join(', ')})`);
      scheme = v as Scheme;
    } else if (flag === '--driver') {
      const v = value();
      if (v !== 'i386' && v !== 'mipsel') throw new UsageError(`unknown driver '${v}' (available: i386, mipsel)`);
      driver = v;
    } else if (flag === '--video') video = value();
    else if (flag === '--frames') {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) <= 0) throw new UsageError(`--frames needs a positive integer, got '${v}'`);
      frames = Number(v);
    } else if (flag === '--stats') stats = value();
    else throw new UsageError(`unknown option '${argv[i]}' for 'run'`);
  }
  // The machine's console, passed on a line at a time.
  let line: number[] = [];
  const onConsole = (bytes: Uint8Array): void => {
    for (const b of bytes) {
      line.push(b);
      if (b === 0x0a) {
        writeOut(Uint8Array.from(line));
        line = [];
      }
    }
  };
  if (driver !== undefined && scheme !== 'ukcf') throw new UsageError(`--driver applies to --scheme ukcf only`);
  const r = runScheme({ scheme, workloads: path.join(__dirname, '..', 'workloads'), video, frames, onConsole, driver });
  if (line.length > 0) writeOut(Uint8Array.from(line));
  const out: string[] = [''];
  r.displayed.forEach((d, i) => out.push(`[ukcf] displayed ${i} vsync ${d.vsync} ${d.width}x${d.height} fnv1a ${d.hash.toString(16).padStart(8, '0')}`));
  out.push(`[ukcf] scheme ${r.scheme}: frames played ${r.framesPlayed ?? 'none'}, displayed ${r.displayed.length}, exit status ${r.status}${r.panicked ? ' (kernel panic)' : ''}`);
  out.push(`[ukcf] instructions: kernel ${r.counts.kernel} driver ${r.counts.driver} app ${r.counts.app} other ${r.counts.other} total ${r.instructions}`);
  // Under ukcf the app and driver run as translated code and glue: their own regions, not 'app'/'driver'.
  const more = Object.entries(r.regions).filter(([name, n]) => n > 0 && !(name in r.counts));
  if (more.length > 0) out.push(`[ukcf] translated regions: ${more.map(([name, n]) => `${name} ${n}`).join(' ')}`);
  out.push(`[ukcf] simulated time ${(r.simulatedSeconds * 1000).toFixed(3)} ms (${r.cycles} cycles)`);
  out.push(...schemeSummary(r));
  say(1, out.join('\n') + '\n');
  if (stats !== undefined) {
    try {
      fs.writeFileSync(stats, JSON.stringify(schemeStats(r), null, 2) + '\n');
    } catch (e) {
      throw new SystemError(`cannot write ${stats}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return r.panicked ? EXIT_FAILURE : r.status;
}

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      throw new UsageError('no command given');
    case '--help':
    case '-h':
    case 'help':
      say(1, USAGE + '\n');
      return 0;
    case '--version':
    case '-V':
      say(1, `ukcf ${packageJson.version}\n`);
      return 0;
    case 'user':
    case 'mips': {
      const run = parseRun(command === 'user' ? 'x86' : 'mips', command, rest);
      if (run.isa === 'x86' && run.engine === 'translated') return runTranslated(run);
      const result = runProgram({ kind: 'user', isa: run.isa, program: run.program, args: run.args, stdinReader: hostStdinReader(), maxInstructions: run.maxInstructions }, run.strace);
      return finish(result, run.stats);
    }
    case 'demo': {
      if (rest.length > 0) throw new UsageError(`'demo' takes no arguments (got '${rest[0]}')`);
      const program = demoProgram();
      const result = runProgram({ kind: 'user', isa: 'x86', program }, false);
      const code = finish(result, false);
      say(1, `\n[ukcf] ${result.instructions.toLocaleString('en-US')} x86 instructions retired by the reference interpreter; exit status ${result.exitCode}\n`);
      return code;
    }
    case 'run':
      return runCommand(rest);
    default:
      throw new UsageError(command.startsWith('-') ? `unknown option '${command}'` : `unknown command '${command}'`);
  }
}

function exitWith(code: number): void {
  process.exitCode = code;
}

try {
  exitWith(main(process.argv.slice(2)));
} catch (e) {
  if (e instanceof UsageError) {
    say(2, `ukcf: ${e.message}\n${USAGE}\n`);
    exitWith(EXIT_USAGE);
  } else if (e instanceof UserProgramError || e instanceof EmulatorInternalError || e instanceof SystemError || e instanceof ElfError) {
    say(2, `ukcf: ${e.message}\n`);
    exitWith(EXIT_FAILURE);
  } else {
    say(2, `ukcf: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    exitWith(EXIT_FAILURE);
  }
}
