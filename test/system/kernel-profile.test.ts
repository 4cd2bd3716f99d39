// HostSystem's kernelProfile: the kernel's instructions per function (regions split at every
// .text symbol). The split must not change any count (a compiled block never spans two regions),
// the functions must add up to the kernel's count, and it must see what the README's explanation
// of the ukcf/native kernel difference rests on: the driver's vsync polling (msleep, ktime_get_ms).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScheme } from '../../emulator/system/run-scheme';
import { WORKLOADS } from '../workloads/workload-files';

test('kernel profile: per-function counts add up to the kernel count and change nothing', () => {
  const plain = runScheme({ scheme: 'native', workloads: WORKLOADS, frames: 3 });
  const profiled = runScheme({ scheme: 'native', workloads: WORKLOADS, frames: 3, kernelProfile: true });
  assert.equal(plain.kernelFunctions, undefined);
  const f = profiled.kernelFunctions;
  assert.ok(f !== undefined);
  assert.equal(profiled.instructions, plain.instructions);
  assert.deepEqual(profiled.counts, plain.counts);
  assert.deepEqual(profiled.displayed.map((d) => d.hash), plain.displayed.map((d) => d.hash));
  assert.equal(Object.values(f).reduce((a, b) => a + b, 0), plain.counts.kernel);
  assert.ok(!Object.keys(profiled.regions).some((n) => n.startsWith('kernel:')));
  for (const fn of ['exception_dispatch', 'memcpy', 'msleep', 'ktime_get_ms', 'sleep_ns', 'clock_ns']) assert.ok((f[fn] ?? 0) > 0, fn);
});
