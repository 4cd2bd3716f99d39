// The committed test drivers and their client rebuild byte for byte from
// workloads/test-drivers/build.sh with the Debian cross compilers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_DRIVERS } from './kernel-boot';

const missing = ['i686-linux-gnu-gcc', 'mipsel-linux-gnu-gcc'].filter((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).error);

test('test drivers rebuild identically', { skip: missing.length > 0 ? `${missing.join(', ')} not installed` : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ukcf-test-drivers-'));
  try {
    const r = spawnSync('bash', [join(TEST_DRIVERS, 'build.sh'), dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const built = readdirSync(dir).sort();
    assert.deepEqual(built, ['bad_ops_driver.i386.o', 'crossings_driver.i386.o', 'crossings_driver.mipsel.o', 'deep_driver.i386.o', 'gfx_client', 'smc_driver.i386.o', 'wild_driver.i386.o']);
    for (const name of built) assert.ok(readFileSync(join(dir, name)).equals(readFileSync(join(TEST_DRIVERS, name))), `${name} differs from the committed one`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
