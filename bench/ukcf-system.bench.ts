// The paper's measurement on the bundled default workload: `ukcf run --scheme ukcf` (the i386
// player through the user-space translator, the i386 driver through the kernel-space translator)
// beside `--scheme native` (the mipsel player and driver) in the same process.
// Goal (issue 5): at most 3.0 host instructions per guest instruction on the player's translated
// user code, the guest count being the x86 reference interpreter's replay of the same run.
// Also printed: the driver's ratio, the simulated-time slowdown against native, and the wall times.
import { join } from 'node:path';
import { runScheme, type SchemeRunResult } from '../emulator/system/run-scheme';

const WORKLOADS = join(__dirname, '..', 'workloads');
const GOAL_APP_RATIO = 3.0;

interface Timed {
  result: SchemeRunResult;
  ms: number;
}

function timed(scheme: 'native' | 'ukcf'): Timed {
  const start = performance.now();
  const result = runScheme({ scheme, workloads: WORKLOADS, reference: scheme === 'ukcf' });
  return { result, ms: performance.now() - start };
}

export async function run(): Promise<void> {
  const native = timed('native');
  const ukcf = timed('ukcf');
  const hashes = (r: SchemeRunResult) => r.displayed.map((d) => d.hash).join(',');
  if (hashes(native.result) !== hashes(ukcf.result)) throw new Error('the ukcf scheme displayed other frames than native');
  const stats = ukcf.result.ukcf?.stats as
    | { performance_loss_ratio: { app: number | null; app_translated_code_only: number | null; driver: number | null }; guest_instructions: { app: { executed_dynamic: number | null } } }
    | undefined;
  if (stats === undefined) throw new Error('the ukcf run produced no UKCF stats');
  const app = stats.performance_loss_ratio.app;
  console.log(`  frames: ${ukcf.result.displayed.length} displayed, hash for hash equal to native`);
  console.log(`  app (player) performance loss ratio: ${app ?? 'n/a'} host per guest instruction (translated code alone ${stats.performance_loss_ratio.app_translated_code_only ?? 'n/a'}; ${stats.guest_instructions.app.executed_dynamic ?? 'n/a'} guest instructions by the x86 reference replay); goal at most ${GOAL_APP_RATIO}: ${app !== null && app <= GOAL_APP_RATIO ? 'met' : 'NOT met'}`);
  console.log(`  driver performance loss ratio: ${stats.performance_loss_ratio.driver ?? 'n/a'}`);
  console.log(`  whole system: ${ukcf.result.instructions} host instructions under ukcf vs ${native.result.instructions} native = ${(ukcf.result.instructions / native.result.instructions).toFixed(2)}x simulated time`);
  console.log(`  wall time in this process: native ${native.ms.toFixed(0)} ms, ukcf ${ukcf.ms.toFixed(0)} ms (x86 reference replay included)`);
}

if (require.main === module) void run();
