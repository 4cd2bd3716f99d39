// Shared by the workload tests: where the committed workloads live, how to run the
// player, and an independent TypeScript reading of YUV4MPEG2 and of the player's
// documented YUV -> RGB conversion (workloads/player/convert.c states the formula).

import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const WORKLOADS = join(ROOT, 'workloads');
export const VIDEOS = join(WORKLOADS, 'videos');
export const PLAYER_I386 = join(WORKLOADS, 'player', 'player.i386');
export const PLAYER_MIPSEL = join(WORKLOADS, 'player', 'player.mipsel');
export const DRIVER_I386 = join(WORKLOADS, 'driver', 'gfx_driver.i386.o');
export const DRIVER_MIPSEL = join(WORKLOADS, 'driver', 'gfx_driver.mipsel.o');

export const FMT_RGB565 = 1;
export const FMT_XRGB8888 = 2;

export function toolAvailable(tool: string): boolean {
  const r = spawnSync(tool, ['--version'], { stdio: 'ignore' });
  return !r.error;
}

/** Why i386 ELF executables cannot run here, or null when they can. */
export function i386Unavailable(): string | null {
  const r = spawnSync(PLAYER_I386, [], { encoding: 'utf8' });
  if (r.error) return `cannot run i386 executables natively here (${r.error.message})`;
  return null;
}

export function videoFiles(): string[] {
  return readdirSync(VIDEOS)
    .filter((n) => n.endsWith('.y4m'))
    .sort()
    .map((n) => join(VIDEOS, n));
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the i386 player natively, or the mipsel one under qemu-mipsel. */
export function runPlayer(isa: 'i386' | 'mipsel', args: string[]): RunResult {
  const r =
    isa === 'i386'
      ? spawnSync(PLAYER_I386, args, { encoding: 'utf8', timeout: 120_000 })
      : spawnSync('qemu-mipsel', ['-cpu', '24Kc', PLAYER_MIPSEL, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw new Error(`running the ${isa} player failed: ${r.error.message}`);
  if (r.status === null) throw new Error(`the ${isa} player died from signal ${r.signal}: ${r.stderr}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface Y4mVideo {
  width: number;
  height: number;
  rateNum: number;
  rateDen: number;
  frames: Uint8Array[]; // Y plane, then U, then V
}

/** A deliberately plain reader: header line, then "FRAME...\n" + planes, repeated. */
export function readY4m(bytes: Uint8Array): Y4mVideo {
  const text = (from: number, to: number) => Buffer.from(bytes.subarray(from, to)).toString('latin1');
  let nl = bytes.indexOf(0x0a);
  if (nl < 0) throw new Error('y4m: no header line');
  const fields = text(0, nl).split(' ');
  if (fields[0] !== 'YUV4MPEG2') throw new Error('y4m: bad signature');
  let width = 0;
  let height = 0;
  let rateNum = 25;
  let rateDen = 1;
  for (const f of fields.slice(1)) {
    if (f.startsWith('W')) width = Number(f.slice(1));
    if (f.startsWith('H')) height = Number(f.slice(1));
    if (f.startsWith('F')) [rateNum, rateDen] = f.slice(1).split(':').map(Number);
    if (f.startsWith('C') && !f.startsWith('C420')) throw new Error(`y4m: chroma ${f}`);
  }
  const chroma = Math.ceil(width / 2) * Math.ceil(height / 2);
  const frameSize = width * height + 2 * chroma;
  const frames: Uint8Array[] = [];
  let pos = nl + 1;
  while (pos < bytes.length) {
    nl = bytes.indexOf(0x0a, pos);
    if (!text(pos, nl).startsWith('FRAME')) throw new Error(`y4m: no FRAME at ${pos}`);
    pos = nl + 1;
    if (pos + frameSize > bytes.length) throw new Error('y4m: truncated frame');
    frames.push(bytes.subarray(pos, pos + frameSize));
    pos += frameSize;
  }
  return { width, height, rateNum, rateDen, frames };
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** The documented conversion, written independently of convert.c. */
export function convertFrame(video: Y4mVideo, frame: Uint8Array, outW: number, outH: number, format: number): Uint8Array {
  const { width: w, height: h } = video;
  const cw = Math.ceil(w / 2);
  const uBase = w * h;
  const vBase = uBase + cw * Math.ceil(h / 2);
  const bpp = format === FMT_RGB565 ? 2 : 4;
  const out = new Uint8Array(outW * outH * bpp);
  let o = 0;
  for (let dy = 0; dy < outH; dy++) {
    const sy = Math.floor((dy * h) / outH);
    for (let dx = 0; dx < outW; dx++) {
      const sx = Math.floor((dx * w) / outW);
      const c = frame[sy * w + sx] - 16;
      const ci = Math.floor(sy / 2) * cw + Math.floor(sx / 2);
      const d = frame[uBase + ci] - 128;
      const e = frame[vBase + ci] - 128;
      const r = clamp(Math.floor((298 * c + 409 * e + 128) / 256));
      const g = clamp(Math.floor((298 * c - 100 * d - 208 * e + 128) / 256));
      const b = clamp(Math.floor((298 * c + 516 * d + 128) / 256));
      if (bpp === 4) {
        out[o++] = b;
        out[o++] = g;
        out[o++] = r;
        out[o++] = 0;
      } else {
        const p = (Math.floor(r / 8) << 11) | (Math.floor(g / 4) << 5) | Math.floor(b / 8);
        out[o++] = p & 0xff;
        out[o++] = p >> 8;
      }
    }
  }
  return out;
}

export function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h >>> 0;
}

export function hex8(v: number): string {
  return v.toString(16).padStart(8, '0');
}

export function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}
