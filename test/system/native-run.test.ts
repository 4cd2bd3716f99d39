// `runScheme('native')`: the host kernel, the native mipsel driver and the mipsel player on the
// MIPS simulator. The displayed frames are checked against frames computed without the simulator:
// the i386 player run natively on this CPU (-o: its converted frames), placed on the screen the
// way the player centres them, through the driver's documented XRGB8888 -> XRGB8888 conversion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScheme, type SchemeRunResult } from '../../emulator/system/run-scheme';
import { i386Unavailable, runPlayer, VIDEOS, WORKLOADS } from '../workloads/workload-files';

const SCREEN_W = 320;
const SCREEN_H = 240;

function fnv(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h;
}

// The driver's documented conversions (top of workloads/driver/gfx_driver.c) and the device's
// RGB565 display: XRGB8888 -> RGB565 truncates, RGB565 -> 8 bits replicates the top bits.
const widen5 = (v: number) => (v << 3) | (v >> 2);
const widen6 = (v: number) => (v << 2) | (v >> 4);
type Pixel = (raw: Uint8Array, at: number) => [number, number, number];
const FROM_XRGB: Pixel = (raw, p) => [raw[p + 2], raw[p + 1], raw[p]];
const FROM_RGB565: Pixel = (raw, p) => {
  const v = raw[p] | (raw[p + 1] << 8);
  return [widen5(v >> 11), widen6((v >> 5) & 63), widen5(v & 31)];
};
const XRGB_ON_RGB565_SCREEN: Pixel = (raw, p) => [widen5(raw[p + 2] >> 3), widen6(raw[p + 1] >> 2), widen5(raw[p] >> 3)];

interface Setup {
  /** Player options of the simulated run, besides -b -w -f. */
  playerArgs: string[];
  /** Options of the native -o run that produce the same source pixels. */
  nativeArgs: string[];
  bytesPerPixel: number;
  pixel: Pixel;
}
const XRGB: Setup = { playerArgs: [], nativeArgs: [], bytesPerPixel: 4, pixel: FROM_XRGB };

/** Screen pictures (RGB) for the frames the i386 player writes with -o, centred on a black screen. */
function expectedScreens(video: string, frames: number | undefined, dir: string, setup: Setup): { hashes: number[]; playerLines: string[] } {
  const out = join(dir, 'frames.raw');
  const args = [...setup.nativeArgs, ...(frames === undefined ? [] : ['-f', String(frames)]), '-o', out, video];
  const r = runPlayer('i386', args);
  assert.equal(r.status, 0, `i386 player: ${r.stderr}`);
  const m = /output: (\d+)x(\d+) /.exec(r.stdout);
  assert.ok(m, `i386 player output line: ${r.stdout}`);
  const w = Number(m[1]);
  const h = Number(m[2]);
  const raw = readFileSync(out);
  const size = w * h * setup.bytesPerPixel;
  assert.equal(raw.length % size, 0);
  const x0 = Math.trunc((SCREEN_W - w) / 2);
  const y0 = Math.trunc((SCREEN_H - h) / 2);
  const hashes: number[] = [];
  for (let f = 0; f < raw.length / size; f++) {
    const screen = new Uint8Array(SCREEN_W * SCREEN_H * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const sx = x0 + x;
        const sy = y0 + y;
        if (sx < 0 || sy < 0 || sx >= SCREEN_W || sy >= SCREEN_H) continue;
        const o = (sy * SCREEN_W + sx) * 3;
        screen.set(setup.pixel(raw, f * size + (y * w + x) * setup.bytesPerPixel), o);
      }
    }
    hashes.push(fnv(screen));
  }
  return { hashes, playerLines: r.stdout.split('\n').filter((l) => l.startsWith('frame ')) };
}

const BLACK = fnv(new Uint8Array(SCREEN_W * SCREEN_H * 3));

function checkAgainstNative(video: string, frames?: number, setup: Setup = XRGB): SchemeRunResult {
  const dir = mkdtempSync(join(tmpdir(), 'ukcf-native-'));
  try {
    const want = expectedScreens(video, frames, dir, setup);
    const r = runScheme({ scheme: 'native', workloads: WORKLOADS, video, frames, playerArgs: setup.playerArgs });
    assert.equal(r.status, 0, r.console);
    assert.equal(r.panicked, false);
    assert.equal(r.framesPlayed, want.hashes.length);
    // The player clears the screen first (FILL + FLIP without waiting): a black screen is shown
    // first unless the first frame's FLIP replaced it before the vsync.
    let first = 0;
    while (first < r.displayed.length && r.displayed[first].hash === BLACK) first++;
    assert.ok(first <= 1, `${first} black screens before the first frame`);
    assert.deepEqual(r.displayed.slice(first).map((d) => d.hash), want.hashes);
    for (const d of r.displayed) assert.deepEqual([d.width, d.height], [SCREEN_W, SCREEN_H]);
    // Each FLIP waited for a vsync of its own.
    const vs = r.displayed.map((d) => d.vsync);
    for (let i = 1; i < vs.length; i++) assert.ok(vs[i] > vs[i - 1], `vsync ${vs[i]} after ${vs[i - 1]}`);
    // The mipsel player on the simulated kernel converted exactly what the i386 one did.
    assert.deepEqual(r.console.split('\n').filter((l) => l.startsWith('frame ')), want.playerLines);
    return r;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const skipI386 = i386Unavailable();

test('displayed frames equal the natively computed ones (testsrc 64x48, 6 frames)', { skip: skipI386 ?? false }, () => {
  const r = checkAgainstNative(join(VIDEOS, 'testsrc-64x48.y4m'), 6);
  assert.ok(r.counts.kernel > 0 && r.counts.driver > 0 && r.counts.app > 0, JSON.stringify(r.counts));
  assert.equal(r.counts.other, 0);
  assert.equal(r.counts.kernel + r.counts.driver + r.counts.app, r.instructions);
});

test('displayed frames equal the natively computed ones (odd size 33x17, whole video)', { skip: skipI386 ?? false }, () => {
  checkAgainstNative(join(VIDEOS, 'testsrc-33x17.y4m'));
});

test('displayed frames: RGB565 source widened by the driver (-p rgb565)', { skip: skipI386 ?? false }, () => {
  checkAgainstNative(join(VIDEOS, 'rgbtestsrc-64x48.y4m'), 4, { playerArgs: ['-p', 'rgb565'], nativeArgs: ['-p', 'rgb565'], bytesPerPixel: 2, pixel: FROM_RGB565 });
});

test('displayed frames: RGB565 display mode, XRGB source truncated by the driver (-M rgb565)', { skip: skipI386 ?? false }, () => {
  checkAgainstNative(join(VIDEOS, 'smptebars-160x120.y4m'), 3, { playerArgs: ['-M', 'rgb565'], nativeArgs: [], bytesPerPixel: 4, pixel: XRGB_ON_RGB565_SCREEN });
});

test('displayed frames: RGB565 source on an RGB565 display (-p rgb565 -M rgb565)', { skip: skipI386 ?? false }, () => {
  checkAgainstNative(join(VIDEOS, 'testsrc-64x48.y4m'), 2, { playerArgs: ['-p', 'rgb565', '-M', 'rgb565'], nativeArgs: ['-p', 'rgb565'], bytesPerPixel: 2, pixel: FROM_RGB565 });
});

test('displayed frames: a frame larger than the screen is clipped on all sides (-s 400x300)', { skip: skipI386 ?? false }, () => {
  checkAgainstNative(join(VIDEOS, 'testsrc-64x48.y4m'), 2, { playerArgs: ['-s', '400x300'], nativeArgs: ['-s', '400x300'], bytesPerPixel: 4, pixel: FROM_XRGB });
});

test('the interpreter alone gives the same run as the block compiler (counts, cycles, frames)', () => {
  const a = runScheme({ scheme: 'native', workloads: WORKLOADS, frames: 2 });
  const b = runScheme({ scheme: 'native', workloads: WORKLOADS, frames: 2, blockCompiler: false });
  assert.equal(a.status, 0);
  assert.deepEqual(b.counts, a.counts);
  assert.equal(b.cycles, a.cycles);
  assert.deepEqual(b.displayed, a.displayed);
  assert.equal(b.console, a.console);
});

test('a run is deterministic: same counts, cycles, hashes and console twice', () => {
  const run = () => runScheme({ scheme: 'native', workloads: WORKLOADS, frames: 3 });
  const a = run();
  const b = run();
  assert.equal(a.status, 0);
  assert.deepEqual(a.counts, b.counts);
  assert.equal(a.cycles, b.cycles);
  assert.deepEqual(a.displayed, b.displayed);
  assert.equal(a.console, b.console);
});

interface BadCase {
  name: string;
  video?: Uint8Array; // undefined: the file does not exist
  playerArgs?: string[];
  status: number;
  message: RegExp;
}

const y4m = (header: string, body = ''): Uint8Array => Buffer.from(header + '\n' + body, 'latin1');
const BAD: BadCase[] = [
  { name: 'missing video file', status: 2, message: /^player: .*video\.y4m/m },
  { name: 'malformed video (bad signature)', video: y4m('YUV4MPEG3 W8 H8'), status: 3, message: /^player: .*video\.y4m/m },
  { name: 'truncated frame', video: y4m('YUV4MPEG2 W8 H8 F25:1', 'FRAME\n' + 'x'.repeat(20)), status: 3, message: /^player: .*video\.y4m/m },
  { name: 'unsupported chroma', video: y4m('YUV4MPEG2 W8 H8 C422'), status: 4, message: /^player: /m },
  { name: 'oversize frame', video: y4m('YUV4MPEG2 W4096 H4096 F25:1'), status: 5, message: /^player: /m },
  { name: 'unknown pixel format', video: y4m('YUV4MPEG2 W8 H8 F25:1'), playerArgs: ['-p', 'yuv420'], status: 1, message: /^player: /m },
];

for (const c of BAD) {
  test(`bad input: ${c.name} -> player error ${c.status}, clean shutdown`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'ukcf-bad-'));
    try {
      const video = join(dir, 'video.y4m');
      if (c.video) writeFileSync(video, c.video);
      const r = runScheme({ scheme: 'native', workloads: WORKLOADS, video, playerArgs: c.playerArgs });
      assert.equal(r.status, c.status, r.console);
      assert.equal(r.panicked, false);
      assert.match(r.console, c.message);
      assert.match(r.console, new RegExp(`^kernel: /player exited with status ${c.status}$`, 'm'));
      assert.equal(r.framesPlayed, null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('driver probe failure (wrong device id) is reported and /dev/gfx opens fail cleanly', () => {
  const r = runScheme({ scheme: 'native', workloads: WORKLOADS, frames: 1, graphicsId: 0x12345678 });
  assert.match(r.console, /^gfx: unknown device id 12345678 \(want 55474658\)$/m);
  assert.match(r.console, /^kernel: gfx driver probe failed: -19$/m);
  assert.match(r.console, /^module \/gfx_driver\.o: gfx_init failed: -19$/m);
  assert.match(r.console, /^player: .*\/dev\/gfx/m);
  assert.equal(r.status, 6);
  assert.equal(r.panicked, false);
  assert.equal(r.displayed.length, 0);
});
