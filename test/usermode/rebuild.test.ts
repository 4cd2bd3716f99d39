// The committed usermode test programs are exactly what build.sh produces from their sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PROGRAMS = join(__dirname, 'programs');
const missing = ['i686-linux-gnu-gcc', 'mipsel-linux-gnu-gcc'].filter((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status !== 0);

test('build.sh rebuilds every committed binary byte for byte', { skip: missing.length ? `${missing.join(', ')} missing` : false }, () => {
  const out = mkdtempSync(join(tmpdir(), 'ukcf-rebuild-'));
  try {
    execFileSync('bash', [join(PROGRAMS, 'build.sh'), out]);
    const committed = readdirSync(PROGRAMS).filter((f) => f.endsWith('.i386') || f.endsWith('.mipsel')).sort();
    assert.deepEqual(readdirSync(out).sort(), committed);
    assert.ok(committed.length >= 10);
    for (const f of committed) assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(PROGRAMS, f))), `${f} differs from its rebuild`);
  } finally {
    rmSync(out, { recursive: true });
  }
});
