// A sparse 32-bit little-endian address space made of 4 KiB pages, for user-mode
// programs (the x86 reference interpreter, MIPS user mode). The hot paths are one
// array load and a null check; everything unusual (faults, watched pages) goes slow.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PAGE_MASK = PAGE_SIZE - 1;
const PAGE_COUNT = 1 << (32 - PAGE_SHIFT);

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

export type AccessKind = 'read' | 'write' | 'execute';

/** Thrown by every access to an unmapped page or against its protection. */
export class MemoryFault extends Error {
  constructor(
    readonly address: number,
    readonly access: AccessKind,
  ) {
    super(`${access} of unmapped or protected address 0x${(address >>> 0).toString(16).padStart(8, '0')}`);
    this.name = 'MemoryFault';
  }
}

export class PagedMemory {
  /** Page number → bytes, for every readable page. */
  readonly readPages: (Uint8Array | null)[] = new Array(PAGE_COUNT).fill(null);
  /** Page number → bytes, for writable pages nobody watches; others take the slow path. */
  readonly writePages: (Uint8Array | null)[] = new Array(PAGE_COUNT).fill(null);
  private readonly data: (Uint8Array | null)[] = new Array(PAGE_COUNT).fill(null);
  private readonly prot = new Uint8Array(PAGE_COUNT);
  private readonly watched = new Uint8Array(PAGE_COUNT);
  /** Called before a write lands on a watched page (e.g. one holding cached decoded code). */
  onWatchedWrite: ((pageNumber: number) => void) | null = null;
  /** Called after a page's mapping, protection or watch state changed (the MIPS CPU mirrors the page tables). */
  onPageChange: ((pageNumber: number) => void) | null = null;

  /** Maps [start, start+length) page-aligned outward; existing pages keep their contents. */
  map(start: number, length: number, prot: number): void {
    if (length <= 0) return;
    const first = start >>> PAGE_SHIFT;
    const last = (start + length - 1) >>> PAGE_SHIFT;
    for (let pn = first; pn <= last; pn++) {
      if (this.data[pn] === null) this.data[pn] = new Uint8Array(PAGE_SIZE);
      this.prot[pn] = prot;
      this.refresh(pn);
    }
  }

  unmap(start: number, length: number): void {
    if (length <= 0) return;
    const first = start >>> PAGE_SHIFT;
    const last = (start + length - 1) >>> PAGE_SHIFT;
    for (let pn = first; pn <= last; pn++) {
      this.data[pn] = null;
      this.prot[pn] = 0;
      this.refresh(pn);
    }
  }

  protect(start: number, length: number, prot: number): void {
    const first = start >>> PAGE_SHIFT;
    const last = (start + length - 1) >>> PAGE_SHIFT;
    for (let pn = first; pn <= last; pn++) {
      if (this.data[pn] === null) continue;
      this.prot[pn] = prot;
      this.refresh(pn);
    }
  }

  isMapped(address: number): boolean {
    return this.data[address >>> PAGE_SHIFT] !== null;
  }

  protection(address: number): number {
    return this.data[address >>> PAGE_SHIFT] === null ? 0 : this.prot[address >>> PAGE_SHIFT];
  }

  /** True when every page of [start, start+length) is unmapped. */
  isFree(start: number, length: number): boolean {
    const first = start >>> PAGE_SHIFT;
    const last = (start + length - 1) >>> PAGE_SHIFT;
    for (let pn = first; pn <= last; pn++) if (this.data[pn] !== null) return false;
    return true;
  }

  /** Write-watch a page: writes to it call onWatchedWrite first. */
  watch(pageNumber: number): void {
    this.watched[pageNumber] = 1;
    this.refresh(pageNumber);
  }

  unwatch(pageNumber: number): void {
    this.watched[pageNumber] = 0;
    this.refresh(pageNumber);
  }

  /** The page's bytes if it may be executed, else a fault. */
  executablePage(address: number): Uint8Array {
    const pn = address >>> PAGE_SHIFT;
    const page = this.data[pn];
    if (page === null || (this.prot[pn] & PROT_EXEC) === 0) throw new MemoryFault(address >>> 0, 'execute');
    return page;
  }

  private refresh(pn: number): void {
    const page = this.data[pn];
    const p = this.prot[pn];
    this.readPages[pn] = page !== null && p & PROT_READ ? page : null;
    this.writePages[pn] = page !== null && p & PROT_WRITE && !this.watched[pn] ? page : null;
    if (this.onPageChange !== null) this.onPageChange(pn);
  }

  /** The bytes of a mapped page whatever its protection (null when unmapped). */
  pageBytes(pageNumber: number): Uint8Array | null {
    return this.data[pageNumber];
  }

  isWatched(pageNumber: number): boolean {
    return this.watched[pageNumber] !== 0;
  }

  read8(address: number): number {
    const page = this.readPages[address >>> PAGE_SHIFT];
    if (page === null) throw new MemoryFault(address >>> 0, 'read');
    return page[address & PAGE_MASK];
  }

  read16(address: number): number {
    const off = address & PAGE_MASK;
    if (off <= PAGE_SIZE - 2) {
      const page = this.readPages[address >>> PAGE_SHIFT];
      if (page === null) throw new MemoryFault(address >>> 0, 'read');
      return page[off] | (page[off + 1] << 8);
    }
    return this.read8(address) | (this.read8((address + 1) | 0) << 8);
  }

  /** Signed 32-bit result (use >>> 0 for unsigned). */
  read32(address: number): number {
    const off = address & PAGE_MASK;
    if (off <= PAGE_SIZE - 4) {
      const page = this.readPages[address >>> PAGE_SHIFT];
      if (page === null) throw new MemoryFault(address >>> 0, 'read');
      return page[off] | (page[off + 1] << 8) | (page[off + 2] << 16) | (page[off + 3] << 24);
    }
    // A crossing access faults on whichever page is missing, before any effect.
    this.checkRead(address, 4);
    return this.read8(address) | (this.read8((address + 1) | 0) << 8) | (this.read8((address + 2) | 0) << 16) | (this.read8((address + 3) | 0) << 24);
  }

  write8(address: number, value: number): void {
    const page = this.writePages[address >>> PAGE_SHIFT];
    if (page === null) return this.writeSlow(address, value, 1);
    page[address & PAGE_MASK] = value;
  }

  write16(address: number, value: number): void {
    const off = address & PAGE_MASK;
    const page = this.writePages[address >>> PAGE_SHIFT];
    if (page === null || off > PAGE_SIZE - 2) return this.writeSlow(address, value, 2);
    page[off] = value;
    page[off + 1] = value >>> 8;
  }

  write32(address: number, value: number): void {
    const off = address & PAGE_MASK;
    const page = this.writePages[address >>> PAGE_SHIFT];
    if (page === null || off > PAGE_SIZE - 4) return this.writeSlow(address, value, 4);
    page[off] = value;
    page[off + 1] = value >>> 8;
    page[off + 2] = value >>> 16;
    page[off + 3] = value >>> 24;
  }

  /** Faults (without side effects) unless every byte of the range is readable. */
  checkRead(address: number, length: number): void {
    for (let pn = address >>> PAGE_SHIFT, last = (address + length - 1) >>> PAGE_SHIFT; ; pn = (pn + 1) & (PAGE_COUNT - 1)) {
      if (this.readPages[pn] === null) throw new MemoryFault(pn === address >>> PAGE_SHIFT ? address >>> 0 : (pn << PAGE_SHIFT) >>> 0, 'read');
      if (pn === last) break;
    }
  }

  /** Faults (without side effects) unless every byte of the range is writable. */
  checkWrite(address: number, length: number): void {
    for (let pn = address >>> PAGE_SHIFT, last = (address + length - 1) >>> PAGE_SHIFT; ; pn = (pn + 1) & (PAGE_COUNT - 1)) {
      if (this.data[pn] === null || (this.prot[pn] & PROT_WRITE) === 0) {
        throw new MemoryFault(pn === address >>> PAGE_SHIFT ? address >>> 0 : (pn << PAGE_SHIFT) >>> 0, 'write');
      }
      if (pn === last) break;
    }
  }

  private writeSlow(address: number, value: number, size: number): void {
    this.checkWrite(address, size);
    for (let i = 0; i < size; i++) {
      const a = (address + i) >>> 0;
      const pn = a >>> PAGE_SHIFT;
      if (this.watched[pn] && this.onWatchedWrite !== null) this.onWatchedWrite(pn);
      (this.data[pn] as Uint8Array)[a & PAGE_MASK] = value >>> (8 * i);
    }
  }

  readBytes(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    if (length === 0) return out;
    this.checkRead(address, length);
    for (let i = 0; i < length; ) {
      const a = (address + i) >>> 0;
      const page = this.readPages[a >>> PAGE_SHIFT] as Uint8Array;
      const off = a & PAGE_MASK;
      const n = Math.min(PAGE_SIZE - off, length - i);
      out.set(page.subarray(off, off + n), i);
      i += n;
    }
    return out;
  }

  writeBytes(address: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.checkWrite(address, bytes.length);
    for (let i = 0; i < bytes.length; ) {
      const a = (address + i) >>> 0;
      const pn = a >>> PAGE_SHIFT;
      const off = a & PAGE_MASK;
      const n = Math.min(PAGE_SIZE - off, bytes.length - i);
      if (this.watched[pn] && this.onWatchedWrite !== null) this.onWatchedWrite(pn);
      (this.data[pn] as Uint8Array).set(bytes.subarray(i, i + n), off);
      i += n;
    }
  }

  /** Writes ignoring protection (loaders filling read-only segments); pages must be mapped. */
  poke(address: number, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const a = (address + i) >>> 0;
      const page = this.data[a >>> PAGE_SHIFT];
      if (page === null) throw new MemoryFault(a, 'write');
      if (this.watched[a >>> PAGE_SHIFT] && this.onWatchedWrite !== null) this.onWatchedWrite(a >>> PAGE_SHIFT);
      page[a & PAGE_MASK] = bytes[i];
    }
  }

  /** Reads a NUL-terminated string of at most maxLength bytes. */
  readCString(address: number, maxLength = 4096): string {
    const bytes: number[] = [];
    for (let i = 0; i < maxLength; i++) {
      const b = this.read8((address + i) | 0);
      if (b === 0) return Buffer.from(bytes).toString('latin1');
      bytes.push(b);
    }
    throw new MemoryFault((address + maxLength) >>> 0, 'read');
  }
}
