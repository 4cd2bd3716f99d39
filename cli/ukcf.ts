// The `ukcf` command line (bundled into dist/cli.js). Exit codes: the guest's own status
// (128 + signal for a fatal one) for runs; 1 for a bad program or an emulator failure; 2 for
// a usage error. Messages are one line on stderr, prefixed "ukcf:", never a stack trace.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runUserProgram, UserProgramError, EmulatorInternalError, type UserProgramOptions, type UserProgramResult } from '../emulator/index';
import packageJson from '../package.json';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const ENGINES = ['interp'] as const;

const USAGE = `usage: ukcf <command> [options]

commands:
  user [--engine interp] [--max-instructions N] [--stats] PROGRAM [ARGS...]
        run a static i386 Linux executable (engine interp: the x86 reference interpreter)
  mips [--max-instructions N] [--stats] PROGRAM [ARGS...]
        run a static mipsel (o32) Linux executable on the MIPS simulator
  demo  run the bundled x86 demo program and report its instruction count

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
  program: string;
  args: string[];
}

function parseRun(isa: 'x86' | 'mips', command: string, argv: string[]): RunCommand {
  const run: RunCommand = { isa, engine: 'interp', stats: false, program: '', args: [] };
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
    } else {
      throw new UsageError(`unknown option '${a}' for '${command}'`);
    }
  }
  if (i >= argv.length) throw new UsageError(`'${command}' needs a PROGRAM`);
  run.program = argv[i];
  run.args = argv.slice(i + 1);
  return run;
}

/** Host stdin for the guest when it is a file, pipe or socket (never wait on a terminal). */
function hostStdin(): Uint8Array {
  try {
    const st = fs.fstatSync(0);
    if (st.isFile() || st.isFIFO() || st.isSocket()) return fs.readFileSync(0);
  } catch {
    /* no stdin */
  }
  return new Uint8Array(0);
}

function writeOut(bytes: Uint8Array): void {
  process.stdout.write(bytes);
}

function writeErr(bytes: Uint8Array): void {
  process.stderr.write(bytes);
}

function execute(options: UserProgramOptions): UserProgramResult {
  return runUserProgram({ stdout: writeOut, stderr: writeErr, diagnostic: (l) => process.stderr.write(l + '\n'), ...options });
}

function finish(result: UserProgramResult, stats: boolean): number {
  if (result.message) process.stderr.write(`ukcf: ${result.message}\n`);
  if (stats) process.stderr.write(`ukcf: ${result.instructions} instructions retired, exit status ${result.exitCode}\n`);
  return result.exitCode;
}

function demoProgram(): string {
  // dist/cli.js and cli/ukcf.ts both sit one level below the repository root.
  return path.join(__dirname, '..', 'workloads', 'demo', 'demo.i386');
}

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      throw new UsageError('no command given');
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE + '\n');
      return 0;
    case '--version':
    case '-V':
      process.stdout.write(`ukcf ${packageJson.version}\n`);
      return 0;
    case 'user':
    case 'mips': {
      const run = parseRun(command === 'user' ? 'x86' : 'mips', command, rest);
      const result = execute({ isa: run.isa, program: run.program, args: run.args, stdin: hostStdin(), maxInstructions: run.maxInstructions });
      return finish(result, run.stats);
    }
    case 'demo': {
      if (rest.length > 0) throw new UsageError(`'demo' takes no arguments (got '${rest[0]}')`);
      const program = demoProgram();
      const result = execute({ isa: 'x86', program });
      const code = finish(result, false);
      process.stdout.write(`\n[ukcf] ${result.instructions.toLocaleString('en-US')} x86 instructions retired by the reference interpreter; exit status ${result.exitCode}\n`);
      return code;
    }
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
    process.stderr.write(`ukcf: ${e.message}\n${USAGE}\n`);
    exitWith(EXIT_USAGE);
  } else if (e instanceof UserProgramError || e instanceof EmulatorInternalError) {
    process.stderr.write(`ukcf: ${e.message}\n`);
    exitWith(EXIT_FAILURE);
  } else {
    process.stderr.write(`ukcf: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    exitWith(EXIT_FAILURE);
  }
}
