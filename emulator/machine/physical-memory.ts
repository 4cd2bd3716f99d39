// The simulated machine's RAM: one little-endian buffer seen page by page. Each 4 KiB page has a
// MemoryPage with typed views on the same bytes, which the MIPS CPU puts straight into its page
// tables (so a load is a table lookup and a typed-array read). A page also records whether the CPU
// has compiled code from it: host-side writes to such a page call onCodeWrite first, so that no
// stale compiled block survives a write, whoever made it.

export const RAM_PAGE_SHIFT = 12;
export const RAM_PAGE_SIZE = 1 << RAM_PAGE_SHIFT;

/** One page of bytes with the views the CPU's fast paths use. */
export interface MemoryPage {
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  /** Page number in its memory (physical page number for RAM, virtual page number for a PagedMemory). */
  readonly number: number;
  /** Compiled code blocks of this page, by word index (owned by the CPU's block cache); null when none. */
  blocks: unknown[] | null;
}

export function makeMemoryPage(bytes: Uint8Array, number: number): MemoryPage {
  return {
    u8: bytes,
    u16: new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 1),
    i32: new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2),
    number,
    blocks: null,
  };
}

export class PhysicalMemory {
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly pages: readonly MemoryPage[];
  /** Called before a host-side write lands on a page holding compiled code. */
  onCodeWrite: ((page: MemoryPage) => void) | null = null;

  constructor(size: number) {
    if (!Number.isInteger(size) || size <= 0 || size % RAM_PAGE_SIZE !== 0 || size > 0x20000000) {
      throw new Error(`RAM size must be a positive multiple of 4 KiB up to 512 MiB, not ${size}`);
    }
    this.size = size;
    this.bytes = new Uint8Array(size);
    const pages: MemoryPage[] = [];
    for (let pn = 0; pn < size / RAM_PAGE_SIZE; pn++) {
      pages.push(makeMemoryPage(this.bytes.subarray(pn * RAM_PAGE_SIZE, (pn + 1) * RAM_PAGE_SIZE), pn));
    }
    this.pages = pages;
  }

  contains(address: number, length = 1): boolean {
    return address >= 0 && length >= 0 && address + length <= this.size;
  }

  private check(address: number, length: number): void {
    if (!this.contains(address, length)) {
      throw new RangeError(`physical access 0x${(address >>> 0).toString(16)}+${length} is outside RAM (0x${this.size.toString(16)} bytes)`);
    }
  }

  private touch(address: number, length: number): void {
    if (this.onCodeWrite === null || length === 0) return;
    for (let pn = address >>> RAM_PAGE_SHIFT; pn <= (address + length - 1) >>> RAM_PAGE_SHIFT; pn++) {
      if (this.pages[pn].blocks !== null) this.onCodeWrite(this.pages[pn]);
    }
  }

  read8(address: number): number {
    this.check(address, 1);
    return this.bytes[address];
  }

  read16(address: number): number {
    this.check(address, 2);
    return this.bytes[address] | (this.bytes[address + 1] << 8);
  }

  /** Signed 32-bit result. */
  read32(address: number): number {
    this.check(address, 4);
    const b = this.bytes;
    return b[address] | (b[address + 1] << 8) | (b[address + 2] << 16) | (b[address + 3] << 24);
  }

  write8(address: number, value: number): void {
    this.check(address, 1);
    this.touch(address, 1);
    this.bytes[address] = value;
  }

  write16(address: number, value: number): void {
    this.check(address, 2);
    this.touch(address, 2);
    this.bytes[address] = value;
    this.bytes[address + 1] = value >>> 8;
  }

  write32(address: number, value: number): void {
    this.check(address, 4);
    this.touch(address, 4);
    const b = this.bytes;
    b[address] = value;
    b[address + 1] = value >>> 8;
    b[address + 2] = value >>> 16;
    b[address + 3] = value >>> 24;
  }

  readBytes(address: number, length: number): Uint8Array {
    this.check(address, length);
    return this.bytes.slice(address, address + length);
  }

  writeBytes(address: number, data: Uint8Array): void {
    this.check(address, data.length);
    this.touch(address, data.length);
    this.bytes.set(data, address);
  }
}
