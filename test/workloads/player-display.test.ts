// The player's display path end to end: the player's own sources, with /dev/gfx
// served in-process by the committed driver object on the test kernel
// (test-kernel/player-syscalls.c), on the real CPU (i386) and under qemu-mipsel.
// After playing, the buffer the device scans out must hold exactly the last frame
// (TypeScript conversion, then the driver's documented pixel conversion), centred
// and clipped on black, with the mode's pitch.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DRIVER_I386,
  DRIVER_MIPSEL,
  FMT_RGB565,
  FMT_XRGB8888,
  ROOT,
  VIDEOS,
  convertFrame,
  fnv1a,
  hex8,
  i386Unavailable,
  readBytes,
  readY4m,
  toolAvailable,
} from './workload-files';

const COMMON = ['-nostdlib', '-nostartfiles', '-ffreestanding', '-fno-builtin', '-fno-pic', '-fno-pie', '-fno-stack-protector',
  '-fno-asynchronous-unwind-tables', '-O2', '-Wall', '-Wextra', '-Werror'];
const targets = {
  i386: { cc: 'i686-linux-gnu-gcc', flags: ['-m32', '-march=i686', '-mgeneral-regs-only'], syscalls: 'syscall-i386.c', driver: DRIVER_I386 },
  mipsel: { cc: 'mipsel-linux-gnu-gcc', flags: ['-EL', '-march=mips32r2', '-mabi=32', '-msoft-float', '-mno-abicalls', '-G0'], syscalls: 'syscall-mipsel.c', driver: DRIVER_MIPSEL },
};

function buildPlayerWithDriver(isa: keyof typeof targets, dir: string): string {
  const t = targets[isa];
  const cc = (args: string[]) => {
    const r = spawnSync(t.cc, [...t.flags, ...COMMON, ...args], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, `${t.cc} ${args.join(' ')}:\n${r.stderr}`);
  };
  const syscalls = join(dir, 'host-syscalls.o');
  cc(['-c', '-Dsys_open=host_sys_open', '-Dsys_close=host_sys_close', '-Dsys_ioctl=host_sys_ioctl', '-o', syscalls, `workloads/player/libc/${t.syscalls}`]);
  const out = join(dir, `player-with-driver.${isa}`);
  cc(['-static', '-no-pie', '-Wl,--build-id=none', '-o', out,
    ...['player.c', 'y4m.c', 'convert.c', 'libc/string.c', 'libc/output.c', 'libc/alloc.c'].map((f) => `workloads/player/${f}`),
    syscalls, 'test/workloads/test-kernel/player-syscalls.c', 'test/workloads/test-kernel/test-kernel.c', t.driver]);
  return out;
}

interface DisplayCase {
  video: string;
  args: string[];
  frames: number;
  mode: [number, number, number]; // the mode after the player set it (default 320x240 xrgb8888)
  out: [number, number];          // the player's frame size
  playerFormat: number;
}

const cases: DisplayCase[] = [
  { video: 'testsrc-64x48.y4m', args: ['-f', '5'], frames: 5, mode: [320, 240, FMT_XRGB8888], out: [64, 48], playerFormat: FMT_XRGB8888 },
  { video: 'smptebars-160x120.y4m', args: ['-f', '4', '-m', '100x80', '-M', 'rgb565'], frames: 4, mode: [100, 80, FMT_RGB565], out: [160, 120], playerFormat: FMT_XRGB8888 },
  { video: 'testsrc-33x17.y4m', args: ['-p', 'rgb565', '-m', '64x48'], frames: 6, mode: [64, 48, FMT_XRGB8888], out: [33, 17], playerFormat: FMT_RGB565 },
  { video: 'mandelbrot-160x120.y4m', args: ['-f', '3', '-z', '-m', '50x40', '-M', 'rgb565', '-p', 'rgb565'], frames: 3, mode: [50, 40, FMT_RGB565], out: [50, 40], playerFormat: FMT_RGB565 },
];

/** A player pixel as the driver stores it in the mode's format (table atop gfx_driver.c). */
function toMode(bytes: Uint8Array, at: number, from: number, to: number): number {
  if (from === FMT_XRGB8888) {
    const [b, g, r] = [bytes[at], bytes[at + 1], bytes[at + 2]];
    return to === FMT_XRGB8888 ? (r << 16) | (g << 8) | b : ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3);
  }
  const p = bytes[at] | (bytes[at + 1] << 8);
  if (to === FMT_RGB565) return p;
  const [r5, g6, b5] = [(p >> 11) & 31, (p >> 5) & 63, p & 31];
  return (((r5 << 3) | (r5 >> 2)) << 16) | (((g6 << 2) | (g6 >> 4)) << 8) | ((b5 << 3) | (b5 >> 2));
}

function expectedScreen(c: DisplayCase): { screen: Uint8Array; pitch: number; frameLines: string[] } {
  const video = readY4m(readBytes(join(VIDEOS, c.video)));
  const [mw, mh, mf] = c.mode;
  const [ow, oh] = c.out;
  const mbpp = mf === FMT_RGB565 ? 2 : 4;
  const pbpp = c.playerFormat === FMT_RGB565 ? 2 : 4;
  const pitch = Math.ceil((mw * mbpp) / 64) * 64;
  const frames = video.frames.slice(0, c.frames).map((f) => convertFrame(video, f, ow, oh, c.playerFormat));
  const last = frames[frames.length - 1];
  const screen = new Uint8Array(pitch * mh);
  const view = new DataView(screen.buffer);
  const x0 = Math.trunc((mw - ow) / 2);
  const y0 = Math.trunc((mh - oh) / 2);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const sx = x0 + x;
      const sy = y0 + y;
      if (sx < 0 || sy < 0 || sx >= mw || sy >= mh) continue;
      const v = toMode(last, (y * ow + x) * pbpp, c.playerFormat, mf);
      if (mbpp === 4) view.setUint32(sy * pitch + sx * 4, v, true);
      else view.setUint16(sy * pitch + sx * 2, v, true);
    }
  }
  return { screen, pitch, frameLines: frames.map((f, i) => `frame ${i} fnv1a ${hex8(fnv1a(f))}`) };
}

function runCases(isa: keyof typeof targets): void {
  const dir = mkdtempSync(join(tmpdir(), `player-display-${isa}-`));
  try {
    const program = buildPlayerWithDriver(isa, dir);
    for (const c of cases) {
      const label = `${isa} player ${c.args.join(' ')} ${c.video}`;
      const argv = ['-b', '-w', ...c.args, join(VIDEOS, c.video)];
      const r = isa === 'i386'
        ? spawnSync(program, argv, { cwd: dir, encoding: 'utf8', timeout: 120_000 })
        : spawnSync('qemu-mipsel', ['-cpu', '24Kc', program, ...argv], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      assert.equal(r.status, 0, `${label}: exit ${r.status} ${r.signal ?? ''}\n${r.stderr}`);
      const want = expectedScreen(c);
      const [mw, mh, mf] = c.mode;
      const fmt = mf === FMT_RGB565 ? 'rgb565' : 'xrgb8888';
      assert.ok(r.stdout.includes(`to display ${mw}x${mh} ${fmt} pitch ${want.pitch} buffers 2\n`), `${label}: display line in\n${r.stdout}`);
      assert.deepEqual(r.stdout.split('\n').filter((l) => l.startsWith('frame ')), want.frameLines, `${label}: frames`);
      // Each FLIP waited for its vsync: the last drawn buffer is on screen, nothing pending.
      const shim = /gfx-shim scanout (\d+) frame (\d+) flips-pending (\d+)/.exec(r.stderr);
      assert.ok(shim, `${label}: shim report in ${r.stderr}`);
      const [scanout, vsyncs, pending] = shim.slice(1).map(Number);
      assert.equal(pending, 0, `${label}: no flip pending`);
      assert.equal(vsyncs, c.frames, `${label}: one vsync per frame`);
      const vram = readFileSync(join(dir, 'vram.bin'));
      const shown = vram.subarray(scanout, scanout + want.screen.length);
      if (!shown.equals(want.screen)) {
        const at = shown.findIndex((b, i) => b !== want.screen[i]);
        assert.fail(`${label}: displayed buffer differs at byte ${at} (line ${Math.floor(at / want.pitch)}, byte ${at % want.pitch} of the line)`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const i386Skip = !toolAvailable('i686-linux-gnu-gcc') ? 'i686-linux-gnu-gcc is not installed' : i386Unavailable();
const mipselSkip = !toolAvailable('mipsel-linux-gnu-gcc') ? 'mipsel-linux-gnu-gcc is not installed' : !toolAvailable('qemu-mipsel') ? 'qemu-mipsel is not installed' : null;

test('i386 player through gfx_driver.i386.o: the screen shows the last frame', { skip: i386Skip ?? false }, () => runCases('i386'));

test('mipsel player through gfx_driver.mipsel.o (qemu-mipsel): the screen shows the last frame', { skip: mipselSkip ?? false }, () => runCases('mipsel'));

test('without -b the player paces frames at the stream rate (clock_gettime + nanosleep)', { skip: i386Skip ?? false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'player-pacing-'));
  try {
    const program = buildPlayerWithDriver('i386', dir);
    // 4 frames at 25 fps: the player sleeps until frame 4 would be due, 160 ms after the first.
    const r = spawnSync(program, ['-f', '4', join(VIDEOS, 'testsrc-64x48.y4m')], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const played = /^played 4 frames .* elapsed_us (\d+)$/m.exec(r.stdout);
    assert.ok(played, `summary line in\n${r.stdout}`);
    const elapsed = Number(played[1]);
    assert.ok(elapsed >= 160_000, `elapsed ${elapsed} us, want at least 160000`);
    assert.ok(elapsed < 30_000_000, `elapsed ${elapsed} us: pacing runs away`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
