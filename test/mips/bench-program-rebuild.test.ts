// The committed MIPS benchmark binary must be what bench/programs/build-mips.sh builds from source,
// and must run on the CPU to the output qemu-mipsel gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const compiler = spawnSync('mipsel-linux-gnu-gcc', ['--version']).status === 0;

test('bench/programs/mips-cpu-mix.mipsel rebuilds byte for byte', { skip: compiler ? false : 'mipsel-linux-gnu-gcc not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mips-bench-'));
  try {
    const r = spawnSync('sh', [join(root, 'bench/programs/build-mips.sh'), dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readFileSync(join(dir, 'mips-cpu-mix.mipsel')), readFileSync(join(root, 'bench/programs/mips-cpu-mix.mipsel')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
