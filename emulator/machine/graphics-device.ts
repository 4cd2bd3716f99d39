// The graphics device the driver drives (register map and behaviour: workloads/include/gfx_device.h).
//
// * Registers: a 4 KiB MMIO block (ID, VERSION, CONTROL, STATUS, WIDTH, HEIGHT, FORMAT, PITCH,
//   FB_BASE, VRAM_SIZE, SCANOUT, FLIP, FRAME_COUNT, MAX_WIDTH, MAX_HEIGHT, IRQ_ACK).
// * VRAM is a range of the machine's RAM (FB_BASE reports its physical address): the driver's pixel
//   stores are ordinary RAM stores, as on a unified-memory GPU, so drawing runs at full simulator
//   speed. Only register accesses go through the bus (and are counted).
// * Vsync: every `cyclesPerFrame` simulated cycles (a machine deadline, so it is deterministic); at a
//   vsync FRAME_COUNT increments, a pending FLIP becomes SCANOUT, STATUS.VSYNC_IRQ is set (and the
//   interrupt line raised when CONTROL.VSYNC_IRQ).
// * Mode registers are written only while CONTROL.ENABLE is 0 (ignored otherwise); enabling samples
//   them: an invalid combination (zero or above MAX_*, unknown format, PITCH < WIDTH*bpp, the frame
//   running past VRAM) leaves STATUS.MODE_VALID clear and shows nothing.
// * Picture: picture() is what the screen shows now — WIDTH x HEIGHT pixels from VRAM + SCANOUT as
//   RGB bytes (3 per pixel; RGB565 widened as r<<3|r>>2, g<<2|g>>4, b<<3|b>>2) — or null when nothing
//   is shown. Each vsync at which a flip lands records a DisplayedFrame whose hash is the 32-bit
//   FNV-1a of that picture's RGB bytes (the frame-hash definition used by `ukcf run`).
import type { MmioDevice } from './mmio-bus';
import type { PhysicalMemory } from './physical-memory';

export const GFX_DEV_ID_VALUE = 0x55474658;
export const GFX_DEV_VERSION = 1;
export const GFX_REGS_SIZE = 0x1000;
export const GFX_FMT_RGB565 = 1;
export const GFX_FMT_XRGB8888 = 2;

const REG_ID = 0x00;
const REG_VERSION = 0x04;
const REG_CONTROL = 0x08;
const REG_STATUS = 0x0c;
const REG_WIDTH = 0x10;
const REG_HEIGHT = 0x14;
const REG_FORMAT = 0x18;
const REG_PITCH = 0x1c;
const REG_FB_BASE = 0x20;
const REG_VRAM_SIZE = 0x24;
const REG_SCANOUT = 0x28;
const REG_FLIP = 0x2c;
const REG_FRAME_COUNT = 0x30;
const REG_MAX_WIDTH = 0x34;
const REG_MAX_HEIGHT = 0x38;
const REG_IRQ_ACK = 0x3c;

const CTRL_ENABLE = 1;
const CTRL_VSYNC_IRQ = 2;
const STATUS_MODE_VALID = 1;
const STATUS_FLIP_PENDING = 2;
const STATUS_VSYNC_IRQ = 4;

export interface GraphicsClock {
  now(): number;
  /** Calls `handler` when simulated time reaches `atCycle`. */
  schedule(atCycle: number, handler: () => void): void;
}

export interface GraphicsDeviceOptions {
  ram: PhysicalMemory;
  vramBase: number;
  vramSize: number;
  cyclesPerFrame: number;
  maxWidth?: number;
  maxHeight?: number;
  /** Value of the ID register (default GFX_DEV_ID_VALUE; another value makes a driver's probe fail). */
  idValue?: number;
  setInterrupt?: (asserted: boolean) => void;
}

export interface Picture {
  width: number;
  height: number;
  format: number;
  rgb: Uint8Array;
}

export interface DisplayedFrame {
  /** FRAME_COUNT at the vsync that showed it. */
  vsync: number;
  /** Simulated cycle of that vsync. */
  cycle: number;
  width: number;
  height: number;
  /** FNV-1a 32 of the picture's RGB bytes; 0 when nothing is shown. */
  hash: number;
}

export function fnv1a32(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

export class GraphicsDevice implements MmioDevice {
  readonly name = 'graphics';
  readonly vramBase: number;
  readonly vramSize: number;
  readonly cyclesPerFrame: number;
  readonly maxWidth: number;
  readonly maxHeight: number;
  readonly idValue: number;
  /** Register accesses so far. */
  registerReads = 0;
  registerWrites = 0;
  /** One entry per vsync at which a flip landed. */
  readonly displayed: DisplayedFrame[] = [];
  /** Called after each entry is added to `displayed`. */
  onDisplay: ((frame: DisplayedFrame) => void) | null = null;

  private control = 0;
  private width = 0;
  private height = 0;
  private format = 0;
  private pitch = 0;
  private scanout = 0;
  private pending = 0;
  private flipPending = false;
  private frameCount = 0;
  private irqStatus = false;
  private modeValid = false;

  constructor(private readonly options: GraphicsDeviceOptions, private readonly clock: GraphicsClock) {
    const { vramBase, vramSize, cyclesPerFrame, ram } = options;
    if (vramBase % 4096 !== 0 || vramSize <= 0 || vramBase + vramSize > ram.size) {
      throw new Error(`graphics device: VRAM 0x${vramBase.toString(16)}+0x${vramSize.toString(16)} is not inside RAM (${ram.size} bytes)`);
    }
    if (!Number.isInteger(cyclesPerFrame) || cyclesPerFrame <= 0) throw new Error(`graphics device: bad cycles per frame ${cyclesPerFrame}`);
    this.vramBase = vramBase;
    this.vramSize = vramSize;
    this.cyclesPerFrame = cyclesPerFrame;
    this.maxWidth = options.maxWidth ?? 1024;
    this.maxHeight = options.maxHeight ?? 768;
    this.idValue = (options.idValue ?? GFX_DEV_ID_VALUE) >>> 0;
  }

  /** Starts the vsync clock (call once, after the clock can take deadlines). */
  start(): void {
    this.scheduleVsync();
  }

  get frameCounter(): number {
    return this.frameCount;
  }

  private scheduleVsync(): void {
    this.clock.schedule((this.frameCount + 1) * this.cyclesPerFrame, () => this.vsync());
  }

  private vsync(): void {
    this.frameCount = (this.frameCount + 1) >>> 0;
    this.irqStatus = true;
    if (this.control & CTRL_VSYNC_IRQ) this.options.setInterrupt?.(true);
    if (this.flipPending) {
      this.scanout = this.pending;
      this.flipPending = false;
      this.modeValid = this.validMode();
      const pic = this.picture();
      const frame: DisplayedFrame = {
        vsync: this.frameCount,
        cycle: this.clock.now(),
        width: pic?.width ?? 0,
        height: pic?.height ?? 0,
        hash: pic === null ? 0 : fnv1a32(pic.rgb),
      };
      this.displayed.push(frame);
      this.onDisplay?.(frame);
    }
    this.scheduleVsync();
  }

  private bpp(): number {
    return this.format === GFX_FMT_RGB565 ? 2 : this.format === GFX_FMT_XRGB8888 ? 4 : 0;
  }

  private validMode(): boolean {
    const bpp = this.bpp();
    if (bpp === 0 || this.width === 0 || this.height === 0 || this.width > this.maxWidth || this.height > this.maxHeight) return false;
    if (this.pitch < this.width * bpp) return false;
    const end = this.scanout + (this.height - 1) * this.pitch + this.width * bpp;
    return end <= this.vramSize;
  }

  /** What the screen shows now, or null. */
  picture(): Picture | null {
    if (!(this.control & CTRL_ENABLE) || !this.modeValid) return null;
    const { width, height, format, pitch } = this;
    const ram = this.options.ram.bytes;
    const rgb = new Uint8Array(width * height * 3);
    let o = 0;
    for (let y = 0; y < height; y++) {
      let a = this.vramBase + this.scanout + y * pitch;
      if (format === GFX_FMT_XRGB8888) {
        for (let x = 0; x < width; x++, a += 4) {
          rgb[o++] = ram[a + 2];
          rgb[o++] = ram[a + 1];
          rgb[o++] = ram[a];
        }
      } else {
        for (let x = 0; x < width; x++, a += 2) {
          const p = ram[a] | (ram[a + 1] << 8);
          const r = (p >> 11) & 0x1f;
          const g = (p >> 5) & 0x3f;
          const b = p & 0x1f;
          rgb[o++] = (r << 3) | (r >> 2);
          rgb[o++] = (g << 2) | (g >> 4);
          rgb[o++] = (b << 3) | (b >> 2);
        }
      }
    }
    return { width, height, format, rgb };
  }

  read(offset: number): number {
    this.registerReads++;
    switch (offset & ~3) {
      case REG_ID: return this.idValue;
      case REG_VERSION: return GFX_DEV_VERSION;
      case REG_CONTROL: return this.control;
      case REG_STATUS:
        return (this.modeValid && this.control & CTRL_ENABLE ? STATUS_MODE_VALID : 0) |
          (this.flipPending ? STATUS_FLIP_PENDING : 0) | (this.irqStatus ? STATUS_VSYNC_IRQ : 0);
      case REG_WIDTH: return this.width;
      case REG_HEIGHT: return this.height;
      case REG_FORMAT: return this.format;
      case REG_PITCH: return this.pitch;
      case REG_FB_BASE: return this.vramBase;
      case REG_VRAM_SIZE: return this.vramSize;
      case REG_SCANOUT: return this.scanout;
      case REG_FLIP: return this.pending;
      case REG_FRAME_COUNT: return this.frameCount;
      case REG_MAX_WIDTH: return this.maxWidth;
      case REG_MAX_HEIGHT: return this.maxHeight;
      default: return 0;
    }
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    this.registerWrites++;
    const v = value >>> 0;
    const enabled = (this.control & CTRL_ENABLE) !== 0;
    switch (offset & ~3) {
      case REG_CONTROL:
        this.control = v & (CTRL_ENABLE | CTRL_VSYNC_IRQ);
        if (!(this.control & CTRL_ENABLE)) this.flipPending = false;
        this.modeValid = (this.control & CTRL_ENABLE) !== 0 && this.validMode();
        if (!(this.control & CTRL_VSYNC_IRQ)) this.options.setInterrupt?.(false);
        break;
      case REG_WIDTH: if (!enabled) this.width = v; break;
      case REG_HEIGHT: if (!enabled) this.height = v; break;
      case REG_FORMAT: if (!enabled) this.format = v; break;
      case REG_PITCH: if (!enabled) this.pitch = v; break;
      case REG_SCANOUT:
        this.scanout = v;
        this.modeValid = enabled && this.validMode();
        break;
      case REG_FLIP:
        this.pending = v;
        this.flipPending = true;
        break;
      case REG_IRQ_ACK:
        if (v & STATUS_VSYNC_IRQ) {
          this.irqStatus = false;
          this.options.setInterrupt?.(false);
        }
        break;
      default: break;
    }
  }
}
