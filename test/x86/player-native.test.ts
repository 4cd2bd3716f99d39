// The committed i386 video player (workloads/player) on the interpreter with the Linux syscall
// layer writes exactly the frames the native run writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { canRunNative, runEmulatedLinux } from './native-harness';

const ROOT = join(__dirname, '..', '..');
const PLAYER = join(ROOT, 'workloads', 'player', 'player.i386');
const VIDEO = join(ROOT, 'workloads', 'videos', 'testsrc2-320x240.y4m');
const skip = !canRunNative() ? 'needs a kernel that runs i386 binaries' : !existsSync(PLAYER) || !existsSync(VIDEO) ? 'player or video not built' : false;

test('player.i386 converts 8 frames identically on the interpreter and natively', { skip }, () => {
  const args = [PLAYER, '-f', '8', '-s', '200x150', '-o', '-', VIDEO];
  const native = spawnSync(PLAYER, args.slice(1), { maxBuffer: 1 << 28 });
  assert.equal(native.status, 0, native.stderr.toString());
  const emulated = runEmulatedLinux(PLAYER, args);
  assert.equal(emulated.stop, null, JSON.stringify(emulated.stop));
  assert.equal(emulated.exitCode, 0);
  assert.equal(emulated.stdout.length, native.stdout.length);
  assert.ok(emulated.stdout.equals(native.stdout), 'frame bytes differ');
  const framesLine = (s: string) => s.split('\n').filter((l) => l.startsWith('frame ')).join('\n');
  assert.equal(framesLine(emulated.stderr.toString('latin1')), framesLine(native.stderr.toString('latin1')));
});
