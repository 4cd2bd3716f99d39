// The committed kernel image and kernel test programs are reproducible byte for byte from their
// build scripts with the Debian cross compiler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const gcc = spawnSync('mipsel-linux-gnu-gcc', ['--version'], { stdio: 'ignore' });
const skip = gcc.error ? 'mipsel-linux-gnu-gcc not installed' : false;

const BUILDS: [string, string[]][] = [
  ['workloads/kernel', ['kernel.mipsel']],
  ['test/kernel/programs', ['syscalls', 'fault', 'sleeper', 'fuzz', 'crash_driver.o', 'probe_driver.o']],
];

for (const [folder, outputs] of BUILDS) {
  test(`${folder}/build.sh rebuilds the committed binaries byte for byte`, { skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'ukcf-kernel-build-'));
    try {
      const r = spawnSync('bash', [join(ROOT, folder, 'build.sh'), dir], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      for (const name of outputs) {
        assert.ok(Buffer.compare(readFileSync(join(dir, name)), readFileSync(join(ROOT, folder, name))) === 0, `${folder}/${name} differs from its rebuild`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
