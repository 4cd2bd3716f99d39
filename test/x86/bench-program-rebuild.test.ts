// The committed benchmark binary is exactly what bench/programs/build-x86.sh produces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveCrossCompiler } from './native-harness';

const ROOT = join(__dirname, '..', '..');

test('bench/programs/build-x86.sh rebuilds x86-cpu-loop byte for byte', { skip: haveCrossCompiler() ? false : 'i686-linux-gnu-gcc missing' }, () => {
  const out = mkdtempSync(join(tmpdir(), 'x86-bench-rebuild-'));
  try {
    execFileSync('sh', [join(ROOT, 'bench', 'programs', 'build-x86.sh'), out]);
    const rebuilt = readFileSync(join(out, 'x86-cpu-loop'));
    const committed = readFileSync(join(ROOT, 'bench', 'programs', 'x86-cpu-loop'));
    assert.ok(rebuilt.equals(committed), 'rebuilt binary differs from the committed one');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
