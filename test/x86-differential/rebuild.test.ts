// (b) The committed binaries must be exactly what the generator and the Debian i686
// binutils produce: rebuild everything into a temporary directory and compare bytes.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { builtPath, readManifest, REBUILD_COMMAND } from './committed-programs';
import { buildAll, toolchainMissing } from './generator/build-programs';

const missing = toolchainMissing();

test('x86 differential: built/ is reproducible byte for byte', { skip: missing ?? false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'x86-differential-rebuild-'));
  try {
    const rebuilt = buildAll(dir, false);
    const manifest = readManifest();
    assert.deepEqual(
      rebuilt.programs.map((p) => [p.name, p.cases, p.sourceSha256]),
      manifest.programs.map((p) => [p.name, p.cases, p.sourceSha256]),
      `generated sources differ from the manifest; run ${REBUILD_COMMAND}`,
    );
    const names = [...manifest.programs.map((p) => p.name), ...manifest.faults.map((f) => f.name)];
    for (const name of names) {
      const fresh = readFileSync(join(dir, name));
      const committed = readFileSync(builtPath(name));
      assert.ok(fresh.equals(committed), `built/${name} differs from a fresh build (${fresh.length} vs ${committed.length} bytes); run ${REBUILD_COMMAND}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
