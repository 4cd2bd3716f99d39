// The player's -o output (the converted frames) against an independent TypeScript
// computation of the documented conversion: the i386 build on the real CPU, the
// mipsel build under qemu-mipsel.  Two implementations agreeing on every byte of
// every frame of every test video, in both pixel formats and with scaling.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  FMT_RGB565,
  FMT_XRGB8888,
  PLAYER_I386,
  convertFrame,
  fnv1a,
  hex8,
  i386Unavailable,
  readBytes,
  readY4m,
  runPlayer,
  toolAvailable,
  videoFiles,
  type Y4mVideo,
} from './workload-files';

interface Case {
  video: string;
  args: string[];
  format: number;
  size?: [number, number];
  maxFrames?: number;
}

function cases(): Case[] {
  const list: Case[] = [];
  for (const video of videoFiles()) {
    list.push({ video, args: [], format: FMT_XRGB8888 });
    list.push({ video, args: ['-p', 'rgb565'], format: FMT_RGB565 });
  }
  const byName = (n: string) => videoFiles().find((v) => basename(v) === n) as string;
  // Scaling up and down, odd sizes, and a frame limit.
  list.push({ video: byName('testsrc-33x17.y4m'), args: ['-s', '100x61'], format: FMT_XRGB8888, size: [100, 61] });
  list.push({ video: byName('smptebars-160x120.y4m'), args: ['-s', '47x35', '-p', 'rgb565'], format: FMT_RGB565, size: [47, 35] });
  list.push({ video: byName('testsrc2-320x240.y4m'), args: ['-s', '640x480', '-f', '2'], format: FMT_XRGB8888, size: [640, 480], maxFrames: 2 });
  list.push({ video: byName('mandelbrot-160x120.y4m'), args: ['-f', '5', '-s', '160x1'], format: FMT_XRGB8888, size: [160, 1], maxFrames: 5 });
  return list;
}

const videoCache = new Map<string, Y4mVideo>();
function video(path: string): Y4mVideo {
  let v = videoCache.get(path);
  if (!v) {
    v = readY4m(readBytes(path));
    videoCache.set(path, v);
  }
  return v;
}

/** Expected raw output and report lines for one case. */
function expected(c: Case): { raw: Uint8Array; frameLines: string[]; frames: number } {
  const v = video(c.video);
  const [w, h] = c.size ?? [v.width, v.height];
  const frames = v.frames.slice(0, c.maxFrames ?? v.frames.length);
  const converted = frames.map((f) => convertFrame(v, f, w, h, c.format));
  const raw = new Uint8Array(converted.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of converted) {
    raw.set(f, at);
    at += f.length;
  }
  return { raw, frameLines: converted.map((f, i) => `frame ${i} fnv1a ${hex8(fnv1a(f))}`), frames: frames.length };
}

function checkRun(isa: 'i386' | 'mipsel', c: Case, dir: string, index: number): void {
  const out = join(dir, `${isa}-${index}.raw`);
  const label = `${isa} player ${c.args.join(' ')} ${basename(c.video)}`;
  const r = runPlayer(isa, [...c.args, '-o', out, c.video]);
  assert.equal(r.status, 0, `${label}: exit status (stderr: ${r.stderr})`);
  const want = expected(c);
  const got = readBytes(out);
  assert.equal(got.length, want.raw.length, `${label}: output size`);
  if (!Buffer.from(got).equals(want.raw)) {
    const diff = got.findIndex((b, i) => b !== want.raw[i]);
    assert.fail(`${label}: first differing byte at ${diff}`);
  }
  const lines = r.stdout.split('\n');
  assert.deepEqual(
    lines.filter((l) => l.startsWith('frame ')),
    want.frameLines,
    `${label}: per-frame checksums`,
  );
  const v = video(c.video);
  const [w, h] = c.size ?? [v.width, v.height];
  const fmt = c.format === FMT_RGB565 ? 'rgb565' : 'xrgb8888';
  assert.ok(
    lines.includes(`video ${c.video}: ${v.width}x${v.height} C420jpeg F${v.rateNum}:${v.rateDen} Ip`),
    `${label}: video line in ${r.stdout.slice(0, 200)}`,
  );
  const played = lines.find((l) => l.startsWith('played ')) ?? '';
  assert.match(played, new RegExp(`^played ${want.frames} frames ${w}x${h} ${fmt} bytes ${want.raw.length} `), label);
}

const i386Skip = i386Unavailable();

test('i386 player on the real CPU: -o frames equal the TypeScript conversion', { skip: i386Skip ?? false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'player-i386-'));
  try {
    cases().forEach((c, i) => checkRun('i386', c, dir, i));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mipsel player under qemu-mipsel: -o frames equal the TypeScript conversion', { skip: toolAvailable('qemu-mipsel') ? false : 'qemu-mipsel is not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'player-mipsel-'));
  try {
    cases().forEach((c, i) => checkRun('mipsel', c, dir, i));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-o - writes the frames to standard output and the report to standard error', { skip: i386Skip ?? false }, () => {
  const path = videoFiles().find((v) => basename(v) === 'testsrc-64x48.y4m') as string;
  const c: Case = { video: path, args: ['-f', '3'], format: FMT_XRGB8888, maxFrames: 3 };
  const r = spawnRaw(['-f', '3', '-o', '-', path]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(Buffer.from(expected(c).raw).equals(r.stdout), 'stdout holds exactly the 3 converted frames');
  assert.deepEqual(
    r.stderr.split('\n').filter((l) => l.startsWith('frame ')),
    expected(c).frameLines,
  );
});

function spawnRaw(args: string[]): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(PLAYER_I386, args, { maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}
