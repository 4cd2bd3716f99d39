// The player without -b paces itself with clock_gettime + nanosleep on simulated time: the
// kernel's sleeping must advance the clock (and the vsyncs) exactly, deterministically.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HostSystem } from '../../emulator/system/host-system';
import { CLOCK_HZ, CYCLES_PER_VSYNC } from '../../emulator/system/host-system';
import { runScheme } from '../../emulator/system/run-scheme';
import { VIDEOS, WORKLOADS } from '../workloads/workload-files';

function paced(frames: number) {
  const sys = new HostSystem({
    kernel: readFileSync(join(WORKLOADS, 'kernel', 'kernel.mipsel')),
    files: [
      { name: 'player', bytes: readFileSync(join(WORKLOADS, 'player', 'player.mipsel')) },
      { name: 'gfx_driver.o', bytes: readFileSync(join(WORKLOADS, 'driver', 'gfx_driver.mipsel.o')) },
      { name: 'v.y4m', bytes: readFileSync(join(VIDEOS, 'testsrc-64x48.y4m')) },
    ],
    cmdline: `driver=/gfx_driver.o -- /player -f ${frames} /v.y4m`,
  });
  return sys.run();
}

test('a paced run (25 fps) sleeps on simulated time: elapsed = frames x 40 ms, no late frame', () => {
  const r = paced(4);
  assert.equal(r.status, 0, r.console);
  const m = /^played 4 frames .* late (\d+) elapsed_us (\d+)$/m.exec(r.console);
  assert.ok(m, r.console);
  assert.equal(Number(m[1]), 0);
  const elapsed = Number(m[2]);
  // The player sleeps until frame n+1 is due at t0 + (n+1) x 40 ms, also after the last frame.
  assert.ok(elapsed >= 160_000 && elapsed < 161_000, `elapsed_us ${elapsed}`);
  assert.ok(r.cycles >= 0.16 * CLOCK_HZ);
  // Mostly idle: far fewer instructions than cycles.
  assert.ok(r.instructions < r.cycles / 2, `${r.instructions} instructions in ${r.cycles} cycles`);
  // The same pictures as the unpaced run, each shown at a vsync about 40 ms after the previous one.
  const fast = runScheme({ scheme: 'native', workloads: WORKLOADS, frames: 4 });
  assert.deepEqual(r.displayed.slice(-4).map((d) => d.hash), fast.displayed.slice(-4).map((d) => d.hash));
  const vs = r.displayed.slice(-4).map((d) => d.vsync);
  // 40 ms is 2.4 vsync periods: consecutive frames land 2 or 3 vsyncs apart.
  for (let i = 1; i < vs.length; i++) assert.ok([2, 3].includes(vs[i] - vs[i - 1]), `vsync gap ${vs[i] - vs[i - 1]}`);
  assert.equal(Math.round((vs[vs.length - 1] - vs[0]) * CYCLES_PER_VSYNC / (0.04 * CLOCK_HZ)), 3);
  assert.deepEqual(paced(4).displayed, r.displayed);
});
