// The committed test programs of the user-space translator rebuild byte for byte from their
// sources with the Debian cross compiler (programs/build.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const DIR = path.join(__dirname, 'programs');
const missing = spawnSync('i686-linux-gnu-gcc', ['--version']).status !== 0;

test('programs/build.sh rebuilds the committed binaries byte for byte', { skip: missing ? 'i686-linux-gnu-gcc is not installed' : false }, () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ukcf-user-programs-'));
  execFileSync('bash', [path.join(DIR, 'build.sh'), out]);
  for (const name of ['syscalls.i386']) {
    assert.ok(Buffer.compare(fs.readFileSync(path.join(out, name)), fs.readFileSync(path.join(DIR, name))) === 0, `${name} differs from its rebuild`);
  }
  fs.rmSync(out, { recursive: true, force: true });
});
