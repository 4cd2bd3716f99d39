// `ukcf run` from the command line (through tsx, as the CLI tests do): output, --stats JSON,
// usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

function ukcf(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'ukcf.ts'), ...args], { encoding: 'utf8', cwd: ROOT, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('ukcf run --scheme native --frames 2 --stats: displayed frames, counts, JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ukcf-run-'));
  try {
    const stats = join(dir, 'stats.json');
    const r = ukcf(['run', '--scheme', 'native', '--frames', '2', '--stats', stats]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^played 2 frames 64x48 xrgb8888 /m);
    const shown = [...r.stdout.matchAll(/^\[ukcf\] displayed (\d+) vsync (\d+) 320x240 fnv1a ([0-9a-f]{8})$/gm)];
    assert.ok(shown.length >= 2);
    const m = /^\[ukcf\] instructions: kernel (\d+) driver (\d+) app (\d+) other 0 total (\d+)$/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    const [kernel, driver, app, total] = m.slice(1).map(Number);
    assert.equal(kernel + driver + app, total);
    const json = JSON.parse(readFileSync(stats, 'utf8'));
    assert.equal(json.scheme, 'native');
    assert.equal(json.frames_played, 2);
    assert.deepEqual(json.instructions, { kernel, driver, app, other: 0, total });
    assert.deepEqual(json.displayed.map((d: { fnv1a: string }) => d.fnv1a), shown.map((s) => s[3]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ukcf run --scheme ukcf --frames 2 --stats: translated player and driver, the same frames, the translators\' figures', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ukcf-run-'));
  try {
    const stats = join(dir, 'stats.json');
    const r = ukcf(['run', '--scheme', 'ukcf', '--frames', '2', '--stats', stats]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^played 2 frames 64x48 xrgb8888 /m);
    assert.match(r.stdout, /^\[ukcf\] app: guest instructions \d+ executed \(x86 reference replay\), \d+ translated; host \d+ translated code \+ \d+ glue/m);
    assert.match(r.stdout, /^\[ukcf\] performance loss ratio \(app\): \d+\.\d+ host per guest instruction/m);
    assert.match(r.stdout, /^\[ukcf\] driver: guest instructions \d+ executed \(block entry counters\)/m);
    assert.match(r.stdout, /^\[ukcf\] crossings: \d+ shell entries, \d+ jump-monitor exits to kernel functions$/m);
    const native = ukcf(['run', '--scheme', 'native', '--frames', '2']);
    const hashes = (out: string) => [...out.matchAll(/^\[ukcf\] displayed \d+ vsync \d+ 320x240 fnv1a ([0-9a-f]{8})$/gm)].map((m) => m[1]);
    assert.deepEqual(hashes(r.stdout), hashes(native.stdout));
    const json = JSON.parse(readFileSync(stats, 'utf8'));
    assert.equal(json.scheme, 'ukcf');
    assert.equal(json.ukcf.driver, 'translated-i386');
    assert.ok(json.ukcf.performance_loss_ratio.app > 1);
    assert.equal(json.ukcf.guest_instructions.app.executed_dynamic, json.ukcf.guest_instructions.app.executed_dynamic_counted_in_translated_code);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ukcf run: usage errors and a missing video', () => {
  const bad = ukcf(['run', '--scheme', 'qemu']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^ukcf: unknown scheme 'qemu' \(available: native, ukcf\)$/m);
  const driver = ukcf(['run', '--scheme', 'ukcf', '--driver', 'arm']);
  assert.equal(driver.status, 2);
  assert.match(driver.stderr, /^ukcf: unknown driver 'arm' \(available: i386, mipsel\)$/m);
  const frames = ukcf(['run', '--frames', '0']);
  assert.equal(frames.status, 2);
  assert.match(frames.stderr, /--frames needs a positive integer/);
  const missing = ukcf(['run', '--video', '/nonexistent/clip.y4m']);
  assert.equal(missing.status, 2, missing.stderr);
  assert.match(missing.stdout, /^player: .*clip\.y4m/m);
  assert.doesNotMatch(missing.stderr, /at .*\.ts:\d+/);
});
