// What the graphics driver should do, modelled from its documented contract
// (workloads/include/gfx.h, gfx_device.h, the conversion table atop gfx_driver.c)
// together with the test kernel in test-kernel/ (device timing, user
// memory bounds).  It answers the harness's command language with the lines the
// harness should print, and keeps the VRAM image the driver should have drawn.

export const USER_SIZE = 1 << 20;
export const VRAM_SIZE = 640 * 1024;
const MAX_W = 1024;
const MAX_H = 768;
const DEVICE_ID = 0x55474658;
const FMT_RGB565 = 1;
const FMT_XRGB8888 = 2;
const EIO = 5;
const EFAULT = 14;
const EBUSY = 16;
const ENODEV = 19;
const EINVAL = 22;
const ENOTTY = 25;

export const IOC = {
  GET_INFO: 0x80304701,
  SET_MODE: 0x40104702,
  BLIT: 0x40204703,
  FILL: 0x40184704,
  WAIT_VSYNC: 0x80044705,
  FLIP: 0xc0084706,
} as const;

const u32 = (v: number) => v >>> 0;
const i32 = (v: number) => v | 0;
const bppOf = (f: number) => (f === FMT_RGB565 ? 2 : f === FMT_XRGB8888 ? 4 : 0);

export function xorshiftBytes(seed: number, count: number, sink: (k: number, byte: number) => void): void {
  let x = u32(seed) || 1;
  for (let k = 0; k < count; k++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    sink(k, x & 0xff);
  }
}

export class GfxDriverModel {
  readonly user = new Uint8Array(USER_SIZE);
  readonly vram = new Uint8Array(VRAM_SIZE);
  private readonly view = new DataView(this.vram.buffer);
  private readonly userView = new DataView(this.user.buffer);
  // device registers
  private scanout = 0;
  private pending = 0;
  private flipPending = false;
  private frame = 0;
  private now = 0;
  private stalled = false;
  // driver state
  private registered = false;
  private opened = false;
  private width = 0;
  private height = 0;
  private format = 0;
  private bpp = 0;
  private pitch = 0;
  private bufferSize = 0;
  private buffers = 0;
  private back = 0;
  private out: string[] = [];

  /** Runs one harness command line; returns the lines the harness should print. */
  run(line: string): string[] {
    this.out = [];
    const [name, ...rest] = line.split(' ');
    const a = rest.map((w) => u32(Number(w)));
    const emit = (s: string) => this.out.push(s);
    switch (name) {
      case 'init':
        emit(`init ${this.init()}`);
        break;
      case 'open':
        emit(`open ${this.registered ? ((this.opened = true), 0) : -ENODEV}`);
        break;
      case 'release':
        emit(`release ${this.registered ? ((this.opened = false), 0) : -ENODEV}`);
        break;
      case 'info': {
        this.user.fill(0xee, 0, 48);
        const rc = this.ioctl(IOC.GET_INFO, 0);
        const words = Array.from({ length: 12 }, (_, i) => this.userView.getUint32(4 * i, true));
        emit(`info ${rc} ${words.join(' ')}`);
        break;
      }
      case 'mode':
        this.storeWords(a.slice(0, 4));
        emit(`mode ${this.ioctl(IOC.SET_MODE, 0)}`);
        break;
      case 'blit': {
        const start = a[0];
        xorshiftBytes(a[8], Math.min(u32(Math.imul(a[2], a[3])), USER_SIZE), (k, byte) => {
          const off = u32(start + k);
          if (off >= 64 && off < USER_SIZE) this.user[off] = byte;
        });
        this.storeWords(a.slice(0, 8)); // src word holds the user offset here, the address in the harness
        emit(`blit ${this.ioctl(IOC.BLIT, 0)}`);
        break;
      }
      case 'fill':
        this.storeWords(a.slice(0, 6));
        emit(`fill ${this.ioctl(IOC.FILL, 0)}`);
        break;
      case 'flip': {
        this.storeWords([a[0], 0xdead]);
        const rc = this.ioctl(IOC.FLIP, 0);
        emit(`flip ${rc} ${this.userView.getUint32(4, true)}`);
        break;
      }
      case 'vsync': {
        this.storeWords([0xdead]);
        const rc = this.ioctl(IOC.WAIT_VSYNC, 0);
        emit(`vsync ${rc} ${this.userView.getUint32(0, true)}`);
        break;
      }
      case 'ioctl':
        emit(`ioctl ${this.ioctl(a[0], a[1])}`);
        break;
      case 'sleep':
        this.msleep(a[0]);
        emit(`sleep ${this.now}`);
        break;
      case 'stall':
        this.stalled = a[0] !== 0;
        emit(`stall ${this.stalled ? 1 : 0}`);
        break;
      case 'dump':
        emit(`dump ${this.scanout} ${this.flipPending ? 1 : 0} ${this.frame}`);
        break;
      default:
        throw new Error(`model: unknown command ${line}`);
    }
    return this.out;
  }

  private storeWords(words: number[]): void {
    words.forEach((w, i) => this.userView.setUint32(4 * i, u32(w), true));
  }

  private userOk(off: number, n: number): boolean {
    return off <= USER_SIZE && n <= USER_SIZE - off;
  }

  private msleep(ms: number): void {
    for (let i = 0; i < ms; i++) {
      this.now = u32(this.now + 1);
      if (this.now % 16 === 0 && !this.stalled) {
        this.frame = u32(this.frame + 1);
        if (this.flipPending) {
          this.scanout = this.pending;
          this.flipPending = false;
        }
      }
    }
  }

  private init(): number {
    if (this.registered) return -EBUSY;
    const rc = this.applyMode(320, 240, FMT_XRGB8888);
    if (rc === 0) {
      this.registered = true;
      this.out.push('printk gfx: mode %ux%u xrgb8888', 'printk gfx: vram %u KiB, %u buffers');
    }
    return rc;
  }

  private applyMode(w: number, h: number, format: number): number {
    const bpp = bppOf(format);
    const pitch = (w * bpp + 63) & ~63;
    const size = pitch * h;
    if (size > VRAM_SIZE) return -EINVAL;
    this.flipPending = false; // CONTROL = 0 cancels a pending flip
    this.scanout = 0;
    Object.assign(this, { width: w, height: h, format, bpp, pitch, bufferSize: size });
    this.buffers = Math.floor(VRAM_SIZE / size) >= 2 ? 2 : 1;
    this.back = this.buffers - 1;
    this.vram.fill(0, 0, size * this.buffers);
    return 0;
  }

  private ioctl(cmd: number, argOff: number): number {
    if (!this.registered || !this.opened) return -ENODEV;
    switch (u32(cmd)) {
      case IOC.GET_INFO: {
        if (!this.userOk(argOff, 48)) return -EFAULT;
        const info = [DEVICE_ID, this.width, this.height, this.format, this.pitch, this.bpp, VRAM_SIZE, this.buffers, this.frame, MAX_W, MAX_H, 0];
        info.forEach((w, i) => this.userView.setUint32(argOff + 4 * i, w, true));
        return 0;
      }
      case IOC.SET_MODE: {
        if (!this.userOk(argOff, 16)) return -EFAULT;
        const [w, h, f, reserved] = this.words(argOff, 4);
        if (reserved || !bppOf(f) || w === 0 || h === 0 || w > MAX_W || h > MAX_H) return -EINVAL;
        return this.applyMode(w, h, f);
      }
      case IOC.BLIT:
        return this.blit(argOff);
      case IOC.FILL:
        return this.fill(argOff);
      case IOC.FLIP: {
        if (!this.userOk(argOff, 8)) return -EFAULT;
        const [flags] = this.words(argOff, 1);
        if (flags & ~1) return -EINVAL;
        const start = this.frame;
        if (this.buffers === 2) {
          this.pending = this.back * this.bufferSize;
          this.flipPending = true;
          this.back ^= 1;
        }
        if (flags & 1) {
          const rc = this.waitVsync(start, this.buffers === 2);
          if (rc) return rc;
        }
        this.userView.setUint32(argOff + 4, this.frame, true);
        return 0;
      }
      case IOC.WAIT_VSYNC: {
        const rc = this.waitVsync(this.frame, false);
        if (rc) return rc;
        if (!this.userOk(argOff, 4)) return -EFAULT;
        this.userView.setUint32(argOff, this.frame, true);
        return 0;
      }
      default:
        return -ENOTTY;
    }
  }

  private words(off: number, n: number): number[] {
    return Array.from({ length: n }, (_, i) => this.userView.getUint32(off + 4 * i, true));
  }

  private waitVsync(start: number, flip: boolean): number {
    const t0 = this.now;
    for (;;) {
      if (this.frame !== start && !(flip && this.flipPending)) return 0;
      if (u32(this.now - t0) >= 100) {
        this.out.push('printk gfx: vsync timeout at frame %u');
        return -EIO;
      }
      this.msleep(1);
    }
  }

  /** Clipping as documented for BLIT and FILL: [skipX, skipY, visW, visH], or null if nothing shows. */
  private clip(x: number, y: number, w: number, h: number): [number, number, number, number] | null {
    if (x <= -w || y <= -h || x >= this.width || y >= this.height) return null;
    const skipX = x < 0 ? -x : 0;
    const skipY = y < 0 ? -y : 0;
    const visW = Math.min(w - skipX, this.width - Math.max(x, 0));
    const visH = Math.min(h - skipY, this.height - Math.max(y, 0));
    return visW > 0 && visH > 0 ? [skipX, skipY, visW, visH] : null;
  }

  private blit(argOff: number): number {
    if (!this.userOk(argOff, 32)) return -EFAULT;
    const [src, w, h, pitch, format, dxRaw, dyRaw, flags] = this.words(argOff, 8);
    const sbpp = bppOf(format);
    if (!sbpp || flags || w > 4096 || h > 4096 || pitch > 65536 || pitch < w * sbpp) return -EINVAL;
    const dx = i32(dxRaw);
    const dy = i32(dyRaw);
    const c = this.clip(dx, dy, w, h);
    if (!c) return 0;
    const [skipX, skipY, visW, visH] = c;
    let dst = this.back * this.bufferSize + Math.max(dy, 0) * this.pitch + Math.max(dx, 0) * this.bpp;
    for (let row = 0; row < visH; row++) {
      const off = u32(src + (skipY + row) * pitch + skipX * sbpp);
      if (!this.userOk(off, visW * sbpp)) return -EFAULT;
      for (let i = 0; i < visW; i++) {
        const p = sbpp === 4 ? this.userView.getUint32(off + 4 * i, true) : this.userView.getUint16(off + 2 * i, true);
        this.putPixel(dst + i * this.bpp, this.convert(p, format));
      }
      dst += this.pitch;
    }
    return 0;
  }

  private fill(argOff: number): number {
    if (!this.userOk(argOff, 24)) return -EFAULT;
    const [xRaw, yRaw, w, h, color, reserved] = this.words(argOff, 6);
    if (reserved || w > 4096 || h > 4096) return -EINVAL;
    const c = this.clip(i32(xRaw), i32(yRaw), w, h);
    if (!c) return 0;
    const [, , visW, visH] = c;
    const value = this.convert(color, FMT_XRGB8888);
    let dst = this.back * this.bufferSize + Math.max(i32(yRaw), 0) * this.pitch + Math.max(i32(xRaw), 0) * this.bpp;
    for (let row = 0; row < visH; row++) {
      for (let i = 0; i < visW; i++) this.putPixel(dst + i * this.bpp, value);
      dst += this.pitch;
    }
    return 0;
  }

  /** A source pixel in `from` format, as the mode's format (table atop gfx_driver.c). */
  private convert(p: number, from: number): number {
    if (this.format === FMT_XRGB8888) {
      if (from === FMT_XRGB8888) return p & 0xffffff;
      const r = (p >> 11) & 31;
      const g = (p >> 5) & 63;
      const b = p & 31;
      return (((r << 3) | (r >> 2)) << 16) | (((g << 2) | (g >> 4)) << 8) | ((b << 3) | (b >> 2));
    }
    if (from === FMT_RGB565) return p;
    const r = (p >> 16) & 255;
    const g = (p >> 8) & 255;
    const b = p & 255;
    return ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3);
  }

  private putPixel(at: number, value: number): void {
    if (this.bpp === 4) this.view.setUint32(at, value, true);
    else this.view.setUint16(at, value, true);
  }
}
