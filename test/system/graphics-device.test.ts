// The graphics device model against its register contract (workloads/include/gfx_device.h).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphicsDevice, GFX_DEV_ID_VALUE } from '../../emulator/machine/graphics-device';
import { PhysicalMemory } from '../../emulator/machine/physical-memory';

const REG = { ID: 0x00, VERSION: 0x04, CONTROL: 0x08, STATUS: 0x0c, WIDTH: 0x10, HEIGHT: 0x14, FORMAT: 0x18, PITCH: 0x1c, FB_BASE: 0x20, VRAM_SIZE: 0x24, SCANOUT: 0x28, FLIP: 0x2c, FRAME_COUNT: 0x30, MAX_WIDTH: 0x34, MAX_HEIGHT: 0x38, IRQ_ACK: 0x3c };
const VRAM = 0x100000;
const VRAM_SIZE = 0x80000;
const PERIOD = 1000;

class Clock {
  t = 0;
  private at = Infinity;
  private handler: (() => void) | null = null;
  now(): number { return this.t; }
  schedule(at: number, handler: () => void): void { this.at = at; this.handler = handler; }
  advance(to: number): void {
    while (this.at <= to && this.handler) {
      this.t = this.at;
      this.at = Infinity;
      this.handler();
    }
    this.t = to;
  }
}

function device(options: { idValue?: number; irq?: (on: boolean) => void } = {}) {
  const ram = new PhysicalMemory(2 * 1024 * 1024);
  const clock = new Clock();
  const dev = new GraphicsDevice({ ram, vramBase: VRAM, vramSize: VRAM_SIZE, cyclesPerFrame: PERIOD, idValue: options.idValue, setInterrupt: options.irq }, clock);
  dev.start();
  const mode = (w: number, h: number, format: number, pitch: number, scanout = 0) => {
    dev.write(REG.CONTROL, 4, 0);
    dev.write(REG.WIDTH, 4, w);
    dev.write(REG.HEIGHT, 4, h);
    dev.write(REG.FORMAT, 4, format);
    dev.write(REG.PITCH, 4, pitch);
    dev.write(REG.SCANOUT, 4, scanout);
    dev.write(REG.CONTROL, 4, 1);
    return (dev.read(REG.STATUS) & 1) === 1;
  };
  return { ram, clock, dev, mode };
}

function fnv(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h;
}

test('identification and fixed registers', () => {
  const { dev } = device();
  assert.equal(dev.read(REG.ID), GFX_DEV_ID_VALUE);
  assert.equal(dev.read(REG.VERSION), 1);
  assert.equal(dev.read(REG.FB_BASE), VRAM);
  assert.equal(dev.read(REG.VRAM_SIZE), VRAM_SIZE);
  assert.equal(dev.read(REG.MAX_WIDTH), 1024);
  assert.equal(dev.read(REG.MAX_HEIGHT), 768);
  assert.equal(device({ idValue: 0xdeadbeef }).dev.read(REG.ID), 0xdeadbeef);
  assert.equal(dev.registerReads, 6);
});

test('mode validity: every rule of the contract', () => {
  const { mode } = device();
  assert.equal(mode(320, 240, 2, 1280), true);
  assert.equal(mode(320, 240, 1, 640), true);
  assert.equal(mode(0, 240, 2, 1280), false);
  assert.equal(mode(320, 0, 2, 1280), false);
  assert.equal(mode(1025, 10, 2, 4100), false);
  assert.equal(mode(10, 769, 2, 40), false);
  assert.equal(mode(320, 240, 3, 1280), false);
  assert.equal(mode(320, 240, 2, 1279), false);
  // The frame must end inside VRAM (512 KiB): 410 lines of 1280 bytes do not fit at offset 0 ...
  assert.equal(mode(320, 409, 2, 1280), true);
  assert.equal(mode(320, 410, 2, 1280), false);
  // ... and the scan-out offset counts.
  assert.equal(mode(320, 409, 2, 1280, 1280), false);
});

test('mode registers are ignored while scan-out is enabled', () => {
  const { dev, mode } = device();
  mode(320, 240, 2, 1280);
  dev.write(REG.WIDTH, 4, 100);
  dev.write(REG.PITCH, 4, 64);
  assert.equal(dev.read(REG.WIDTH), 320);
  assert.equal(dev.read(REG.PITCH), 1280);
  assert.equal(dev.picture()?.width, 320);
});

test('FLIP lands at the next vsync; disabling cancels it; frame counter follows simulated time', () => {
  const { dev, mode, clock, ram } = device();
  mode(4, 2, 2, 16);
  ram.bytes.fill(0x11, VRAM + 0x1000, VRAM + 0x1000 + 32);
  clock.advance(PERIOD - 1);
  assert.equal(dev.read(REG.FRAME_COUNT), 0);
  dev.write(REG.FLIP, 4, 0x1000);
  assert.equal(dev.read(REG.STATUS) & 2, 2);
  assert.equal(dev.read(REG.SCANOUT), 0);
  assert.equal(dev.read(REG.FLIP), 0x1000);
  clock.advance(PERIOD);
  assert.equal(dev.read(REG.FRAME_COUNT), 1);
  assert.equal(dev.read(REG.SCANOUT), 0x1000);
  assert.equal(dev.read(REG.STATUS) & 2, 0);
  assert.equal(dev.displayed.length, 1);
  const pic = dev.picture();
  assert.ok(pic);
  assert.deepEqual(Array.from(pic.rgb), new Array(24).fill(0x11));
  assert.deepEqual(dev.displayed[0], { vsync: 1, cycle: PERIOD, width: 4, height: 2, hash: fnv(pic.rgb) });
  // A flip cancelled by disabling scan-out never lands.
  dev.write(REG.FLIP, 4, 0);
  dev.write(REG.CONTROL, 4, 0);
  assert.equal(dev.read(REG.STATUS) & 3, 0);
  assert.equal(dev.picture(), null);
  clock.advance(5 * PERIOD + 10);
  assert.equal(dev.read(REG.FRAME_COUNT), 5);
  assert.equal(dev.read(REG.SCANOUT), 0x1000);
  assert.equal(dev.displayed.length, 1);
});

test('picture: XRGB8888 bytes B,G,R,X and every RGB565 value widened exactly', () => {
  const { ram, mode, dev } = device();
  mode(256, 256, 1, 512);
  for (let v = 0; v < 65536; v++) {
    ram.bytes[VRAM + 2 * v] = v & 0xff;
    ram.bytes[VRAM + 2 * v + 1] = v >> 8;
  }
  const pic = dev.picture();
  assert.ok(pic);
  for (let v = 0; v < 65536; v++) {
    const r5 = v >> 11, g6 = (v >> 5) & 63, b5 = v & 31;
    const want = [Math.round((r5 * 255) / 31), Math.round((g6 * 255) / 63), Math.round((b5 * 255) / 31)];
    // Bit replication equals rounding of the exact scale for 5 and 6 bits except where it is off by one;
    // check replication itself, and that it never strays more than 1 from the exact value.
    const got: number[] = [pic.rgb[3 * v], pic.rgb[3 * v + 1], pic.rgb[3 * v + 2]];
    assert.deepEqual(got, [r5 * 8 + (r5 >> 2), g6 * 4 + (g6 >> 4), b5 * 8 + (b5 >> 2)]);
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(got[k] - want[k]) <= 1);
  }
  mode(2, 1, 2, 64, 64);
  ram.bytes.set([1, 2, 3, 4, 5, 6, 7, 8], VRAM + 64);
  assert.deepEqual(Array.from(dev.picture()?.rgb ?? []), [3, 2, 1, 7, 6, 5]);
});

test('vsync interrupt status, line and acknowledge', () => {
  const lines: boolean[] = [];
  const { dev, clock } = device({ irq: (on) => lines.push(on) });
  dev.write(REG.CONTROL, 4, 2);
  clock.advance(PERIOD);
  assert.equal(dev.read(REG.STATUS) & 4, 4);
  assert.deepEqual(lines, [true]);
  dev.write(REG.IRQ_ACK, 4, 4);
  assert.equal(dev.read(REG.STATUS) & 4, 0);
  assert.deepEqual(lines, [true, false]);
  assert.equal(dev.registerWrites, 2);
});
