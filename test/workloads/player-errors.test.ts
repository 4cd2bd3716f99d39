// Bad input to the player: each case gets its documented exit status and a one-line
// message naming what is wrong and where (workloads/player/player.c lists them).
// Run on the i386 build natively and on the mipsel build under qemu-mipsel: both
// must say the same thing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VIDEOS, i386Unavailable, runPlayer, toolAvailable } from './workload-files';

interface BadCase {
  name: string;
  file?: Buffer;          // written to <dir>/<name>.y4m and passed as the video
  args?: (video: string, dir: string) => string[];
  status: number;
  message: RegExp;        // the whole stderr
  stdoutFrames?: number;  // frame lines printed before the error
}

const good = readFileSync(join(VIDEOS, 'testsrc-64x48.y4m'));
const frameSize = 64 * 48 * 3 / 2;
const headerEnd = good.indexOf(0x0a) + 1;
const header = (params: string) => Buffer.from(`YUV4MPEG2 ${params}\n`, 'latin1');
const frame = (size: number) => Buffer.concat([Buffer.from('FRAME\n'), Buffer.alloc(size, 0x80)]);

const cases: BadCase[] = [
  { name: 'missing', args: (_v, dir) => [join(dir, 'no-such.y4m')], status: 2, message: /^player: cannot open .*no-such\.y4m \(errno 2\)\n$/ },
  { name: 'empty', file: Buffer.alloc(0), status: 3, message: /^player: .*empty\.y4m: byte 0: empty file \(no YUV4MPEG2 header\)\n$/ },
  { name: 'png', file: Buffer.from('\x89PNG\r\n\x1a\n0000', 'latin1'), status: 3, message: /: byte 0: not a YUV4MPEG2 file \(bad signature\)\n$/ },
  { name: 'no-newline', file: Buffer.from('YUV4MPEG2 W64 H48', 'latin1'), status: 3, message: /: byte 0: header line not ended by a newline\n$/ },
  { name: 'long-header', file: Buffer.concat([Buffer.from('YUV4MPEG2 W64 H48 X'), Buffer.alloc(2000, 0x61)]), status: 3, message: /: byte 0: header line longer than 1024 bytes\n$/ },
  { name: 'no-height', file: Buffer.concat([header('W64 F25:1'), frame(frameSize)]), status: 3, message: /: byte 0: stream header lacks W or H\n$/ },
  { name: 'bad-width', file: Buffer.concat([header('W6x4 H48'), frame(frameSize)]), status: 3, message: /: byte 10: bad width parameter W\n$/ },
  { name: 'zero-rate', file: Buffer.concat([header('W64 H48 F25:0'), frame(frameSize)]), status: 3, message: /: byte 18: bad frame rate parameter F .*\n$/ },
  { name: 'bad-interlace', file: Buffer.concat([header('W64 H48 Ix'), frame(frameSize)]), status: 3, message: /: byte 18: bad interlace parameter I/ },
  { name: 'chroma-422', file: Buffer.concat([header('W64 H48 C422'), frame(64 * 48 * 2)]), status: 4, message: /: byte 18: unsupported chroma format \(only 420jpeg, 420paldv, 420mpeg2, 420\): C422\n$/ },
  { name: 'chroma-444', file: Buffer.concat([header('W64 H48 F25:1 C444')]), status: 4, message: /unsupported chroma format .*: C444\n$/ },
  { name: 'chroma-mono', file: Buffer.concat([header('W64 H48 Cmono')]), status: 4, message: /: Cmono\n$/ },
  { name: 'chroma-10bit', file: Buffer.concat([header('W64 H48 C420p10')]), status: 4, message: /: C420p10\n$/ },
  { name: 'too-wide', file: Buffer.concat([header('W4000 H100')]), status: 5, message: /: byte 0: frame larger than 1920x1088: 4000x100\n$/ },
  { name: 'too-tall', file: Buffer.concat([header('W16 H1090')]), status: 5, message: /: 16x1090\n$/ },
  {
    name: 'truncated',
    file: good.subarray(0, headerEnd + 2 * (6 + frameSize) + 6 + 100),
    status: 3,
    message: new RegExp(`: byte ${headerEnd + 2 * (6 + frameSize)}: truncated frame data \\(after frame 1\\)\\n$`),
    stdoutFrames: 2,
  },
  {
    name: 'cut-frame-header',
    file: good.subarray(0, headerEnd + 6 + frameSize + 3),
    status: 3,
    message: new RegExp(`: byte ${headerEnd + 6 + frameSize}: truncated FRAME header \\(after frame 0\\)\\n$`),
    stdoutFrames: 1,
  },
  {
    name: 'not-a-frame',
    file: Buffer.concat([good.subarray(0, headerEnd + 6 + frameSize), Buffer.from('FRAMES\n'), Buffer.alloc(frameSize)]),
    status: 3,
    message: new RegExp(`: byte ${headerEnd + 6 + frameSize}: expected a FRAME header \\(after frame 0\\)\\n$`),
    stdoutFrames: 1,
  },
  { name: 'no-args', args: () => [], status: 1, message: /^player: no video file given\nusage: player / },
  { name: 'zero-frames', args: (v) => ['-f', '0', v], status: 1, message: /^player: -f wants a frame count >= 1: 0\n/ },
  { name: 'bad-format', args: (v) => ['-p', 'yuyv', v], status: 1, message: /^player: -p wants xrgb8888 or rgb565: yuyv\n/ },
  { name: 'bad-size', args: (v) => ['-s', '4000x10', '-o', '/dev/null', v], status: 1, message: /^player: -s wants WxH within 1920x1088: 4000x10\n/ },
  { name: 'unknown-option', args: (v) => ['-q', v], status: 1, message: /^player: unknown option: -q\n/ },
  { name: 'missing-value', args: (v) => [v, '-o'], status: 1, message: /^player: option needs a value: -o\n/ },
  { name: 'zoom-to-file', args: (v) => ['-z', '-o', '/dev/null', v], status: 1, message: /^player: -z, -m, -M and -w need the display, not -o\n/ },
  { name: 'unwritable-output', args: (v, dir) => ['-o', join(dir, 'no-dir', 'out.raw'), v], status: 7, message: /^player: cannot create .*out\.raw \(errno 2\)\n$/ },
  // No /dev/gfx on the build machine: the display path fails cleanly.
  { name: 'no-device', args: (v) => [v], status: 6, message: /^player: \/dev\/gfx: open failed \(errno 2\)\n$/ },
];

function runCases(isa: 'i386' | 'mipsel'): void {
  const dir = mkdtempSync(join(tmpdir(), `player-errors-${isa}-`));
  try {
    for (const c of cases) {
      const video = join(dir, `${c.name}.y4m`);
      if (c.file) writeFileSync(video, c.file);
      const args = c.args ? c.args(join(VIDEOS, 'testsrc-64x48.y4m'), dir) : ['-o', join(dir, 'out.raw'), video];
      const r = runPlayer(isa, args);
      assert.equal(r.status, c.status, `${isa} ${c.name}: exit status (stderr: ${r.stderr})`);
      assert.match(r.stderr, c.message, `${isa} ${c.name}: message`);
      assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('player: ')).length, 1, `${isa} ${c.name}: one error line`);
      const frames = r.stdout.split('\n').filter((l) => l.startsWith('frame ')).length;
      assert.equal(frames, c.stdoutFrames ?? 0, `${isa} ${c.name}: frames shown before the error`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const i386Skip = i386Unavailable();

test('i386 player: bad input gives the documented errors', { skip: i386Skip ?? false }, () => runCases('i386'));

test('mipsel player (qemu-mipsel): bad input gives the same errors', { skip: toolAvailable('qemu-mipsel') ? false : 'qemu-mipsel is not installed' }, () =>
  runCases('mipsel'));
