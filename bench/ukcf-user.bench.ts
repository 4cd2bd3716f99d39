// `ukcf user` (translated engine) on a CPU-bound i386 program, side by side with qemu-i386:
// wall time of the command (process start included for both, best of three), the in-process
// run time, and host (MIPS) instructions per guest instruction, with the reference interpreter's
// guest instruction count of the same run as the denominator. Goal (issue 5): at most 10x
// qemu-i386's wall time.
import { spawnSync, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runUserProgram } from '../emulator/usermode/run-user-program';
import { runTranslatedUserProgram } from '../emulator/ukcf/user-space/translated-user-program';

const ROOT = join(__dirname, '..');
const PROGRAM = join(__dirname, 'programs', 'x86-cpu-loop');
const CLI = join(ROOT, 'dist', 'cli.js');

/**
 * The environment for the node child: without NODE_EXTRA_CA_CERTS, which makes every node process
 * load a certificate bundle at start (~90 ms here) that a command line run never uses.
 */
function childEnvironment(keepCaCerts: boolean): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (!keepCaCerts) delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/** Best wall time of three runs of a command, and its stdout. */
function bestWall(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): { seconds: number; output: string } | null {
  let best = Infinity;
  let output = '';
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    const r = spawnSync(command, args, { encoding: 'latin1', env });
    const seconds = (performance.now() - start) / 1000;
    if (r.error !== undefined) return null;
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    best = Math.min(best, seconds);
    output = r.stdout;
  }
  return { seconds: best, output };
}

export async function run(): Promise<void> {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
  const sink = (): void => {};

  // The original-ISA count: the reference interpreter's guest instructions for the same run.
  const interp = runUserProgram({ isa: 'x86', program: PROGRAM, stdout: sink, stderr: sink });
  let best = Infinity;
  let result: ReturnType<typeof runTranslatedUserProgram> | null = null;
  let output = '';
  for (let round = 1; round <= 3; round++) {
    const chunks: Buffer[] = [];
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const r = runTranslatedUserProgram({ isa: 'x86', program: PROGRAM, stdout: (b) => chunks.push(Buffer.from(b)), stderr: sink });
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpuStart);
    const cpuSeconds = (used.user + used.system) / 1e6;
    best = Math.min(best, seconds);
    result = r;
    output = Buffer.concat(chunks).toString('latin1');
    // CPU time includes V8's compiler threads; on a loaded machine wall time overstates the cost.
    console.log(`  round ${round}: translated in-process ${(seconds * 1000).toFixed(0)} ms wall (${(cpuSeconds * 1000).toFixed(0)} ms CPU), ${r.hostInstructions} host instructions = ${(r.hostInstructions / seconds / 1e6).toFixed(1)} M host instructions/s`);
  }
  if (result === null) return;
  if (result.exitCode !== interp.exitCode) throw new Error(`translated exit ${result.exitCode}, interpreter ${interp.exitCode}`);
  const ratio = result.hostInstructions / interp.instructions;
  const regions = Object.entries(result.regions).filter(([, n]) => n > 0).map(([name, n]) => `${name} ${(n / interp.instructions).toFixed(3)}`).join(', ');
  console.log(`  host instructions per guest instruction: ${ratio.toFixed(2)} (${result.hostInstructions} / ${interp.instructions} interpreter guest instructions; per region: ${regions})`);
  const s = result.statistics;
  console.log(`  translator: ${s.blocksTranslated} blocks, ${s.guestInstructionsTranslated} guest instructions translated, cost ${s.translatorCost} modelled host instructions (${(s.translatorCost / result.hostInstructions * 100).toFixed(2)} % of the executed ones)`);

  const ukcf = bestWall(process.execPath, [CLI, 'user', PROGRAM], childEnvironment(false));
  const qemu = bestWall('qemu-i386', [PROGRAM]);
  if (ukcf === null) throw new Error('cannot run dist/cli.js');
  const same = (o: string) => (o === output ? 'same output' : 'OUTPUT DIFFERS');
  const caCerts = process.env.NODE_EXTRA_CA_CERTS;
  console.log(
    `  ukcf user (translated): ${(ukcf.seconds * 1000).toFixed(0)} ms wall, process start included (${same(ukcf.output)}); ` +
      `the node child runs without NODE_EXTRA_CA_CERTS${caCerts === undefined ? ' (not set here anyway)' : ''}`,
  );
  if (caCerts !== undefined) {
    const withCerts = bestWall(process.execPath, [CLI, 'user', PROGRAM], childEnvironment(true));
    if (withCerts !== null) console.log(`    with NODE_EXTRA_CA_CERTS=${caCerts} as set here: ${(withCerts.seconds * 1000).toFixed(0)} ms wall (certificate loading at node start)`);
  }
  if (qemu === null) {
    console.log('  qemu-i386: not installed, no ratio');
    return;
  }
  console.log(`  qemu-i386: ${(qemu.seconds * 1000).toFixed(0)} ms wall, process start included (${same(qemu.output)})`);
  console.log(`  ukcf user = ${(ukcf.seconds / qemu.seconds).toFixed(1)}x qemu-i386's wall time (goal: at most 10x); in-process run alone ${(best / qemu.seconds).toFixed(1)}x`);
}

if (require.main === module) void run();
