// A sparse 32-bit little-endian address space made of 4 KiB pages, for user-mode
// programs (the x86 reference interpreter, MIPS user mode). The hot paths are two
// array loads (a page directory) and a null check; everything unusual (faults,
// watched pages) goes slow.

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

/**
 * A page table for the whole 32-bit space as two levels: 1024 leaves of 1024 pages. Leaves are made
 * when a page in their 4 MiB is first set; until then a directory entry is the shared EMPTY_LEAF
 * (all null, never written), so a lookup is always `dir[pn >>> 10][pn & 1023]` without a test.
 * A flat 2^20-entry array would cost 8 MiB per table to allocate and for the garbage collector to
 * scan, which dominated the start of a short run.
 */
export type PageLeaf<T> = (T | null)[];
export type PageDirectory<T> = PageLeaf<T>[];
export const LEAF_BITS = 10;
export const LEAF_SIZE = 1 << LEAF_BITS;
export const LEAF_MASK = LEAF_SIZE - 1;
const EMPTY_LEAF: PageLeaf<never> = new Array(LEAF_SIZE).fill(null);

export function newPageDirectory<T>(): PageDirectory<T> {
  return new Array(LEAF_SIZE).fill(EMPTY_LEAF);
}

export function directoryGet<T>(dir: PageDirectory<T>, pn: number): T | null {
  return dir[pn >>> LEAF_BITS][pn & LEAF_MASK];
}

export function directorySet<T>(dir: PageDirectory<T>, pn: number, value: T | null): void {
  let leaf = dir[pn >>> LEAF_BITS];
  if (leaf === EMPTY_LEAF) {
    if (value === null) return;
    leaf = new Array(LEAF_SIZE).fill(null);
    dir[pn >>> LEAF_BITS] = leaf;
  }
  leaf[pn & LEAF_MASK] = value;
}

/** Calls fn for every page number whose entry is not null, in ascending order. */
export function directoryForEach<T>(dir: PageDirectory<T>, fn: (pn: number, value: T) => void): void {
  for (let d = 0; d < LEAF_SIZE; d++) {
    const leaf = dir[d];
    if (leaf === EMPTY_LEAF) continue;
    for (let i = 0; i < LEAF_SIZE; i++) {
      const v = leaf[i];
      if (v !== null) fn((d << LEAF_BITS) | i, v);
    }
  }
}

export class PagedMemory {
  /** Page number → bytes, for every readable page that has its bytes (two levels, see PageDirectory). */
  readonly readDirectory: PageDirectory<Uint8Array> = newPageDirectory();
  /** Page number → bytes, for writable pages nobody watches; others take the slow path. */
  readonly writeDirectory: PageDirectory<Uint8Array> = newPageDirectory();
  /**
   * The bytes of mapped pages. A page gets them at its first access (or pageBytes()): mapping a
   * large range (an 8 MiB stack, a 16 MiB heap) costs nothing until it is used, and reads as zeros.
   */
  private readonly data: PageDirectory<Uint8Array> = newPageDirectory();
  private readonly mapped = new Uint8Array(PAGE_COUNT);
  private readonly prot = new Uint8Array(PAGE_COUNT);
  private readonly watched = new Uint8Array(PAGE_COUNT);
  /** Pages an owner keeps for itself without mapping them yet (isFree is false there). */
  private readonly reserved = new Uint8Array(PAGE_COUNT);
  /** Flat copies of the read/write directories, made for a client that asks (readPages/writePages) and kept up to date from then on. */
  private flatRead: (Uint8Array | null)[] | null = null;
  private flatWrite: (Uint8Array | null)[] | null = null;
  /**
   * Called before a write lands on a watched page (e.g. one holding cached decoded code): once per
   * page a write touches, with the written part of that page [address, address + length) (a
   * listener that chains to an earlier one should pass both on; without them, the whole page).
   */
  onWatchedWrite: ((pageNumber: number, address?: number, length?: number) => void) | null = null;
  /**
   * Called after a page's mapping, protection or watch state changed, or it got its bytes (the MIPS
   * CPU mirrors the page tables). Not called for a mapped page that has no bytes yet.
   */
  onPageChange: ((pageNumber: number) => void) | null = null;

  /**
   * Page number → bytes for every readable page, as one flat array (made on first use: 8 MiB). A
   * null entry may still be a mapped page without its bytes yet: the slow path (read8...) gives them.
   */
  get readPages(): (Uint8Array | null)[] {
    if (this.flatRead === null) this.flatRead = this.flatten(this.readDirectory);
    return this.flatRead;
  }

  /** Page number → bytes for writable unwatched pages, as one flat array (made on first use: 8 MiB); null entries as in readPages. */
  get writePages(): (Uint8Array | null)[] {
    if (this.flatWrite === null) this.flatWrite = this.flatten(this.writeDirectory);
    return this.flatWrite;
  }

  private flatten(dir: PageDirectory<Uint8Array>): (Uint8Array | null)[] {
    const flat: (Uint8Array | null)[] = new Array(PAGE_COUNT).fill(null);
    directoryForEach(dir, (pn, bytes) => (flat[pn] = bytes));
    return flat;
  }

  /** Calls fn for every mapped page that has its bytes, in ascending order. */
  forEachAllocatedPage(fn: (pageNumber: number) => void): void {
    directoryForEach(this.data, (pn) => fn(pn));
  }

  /** Maps [start, start+length) page-aligned outward; existing pages keep their contents, new ones read as zeros. */
  map(start: number, length: number, prot: number): void {
    if (length <= 0) return;
    const first = start >>> PAGE_SHIFT;
    const last = (start + length - 1) >>> PAGE_SHIFT;
    for (let pn = first; pn <= last; pn++) {
      this.mapped[pn] = 1;
      this.prot[pn] = prot;
      // A page without bytes has nothing in the tables: nobody needs to hear of it until it gets them.
      if (directoryGet(this.data, pn) !== null) this.refresh(pn);
    }
  }

  unmap(start: number, length: number): void {
    if (length <= 0) return;
    const first = start >>> PAGE_SHIFT;
    const last = (start + length - 1) >>> PAGE_SHIFT;
    for (let pn = first; pn <= last; pn++) {
      if (this.mapped[pn] === 0) continue;
      directorySet(this.data, pn, null);
      this.mapped[pn] = 0;
      this.prot[pn] = 0;
      this.refresh(pn);
    }
  }

  protect(start: number, length: number, prot: number): void {
    const first = start >>> PAGE_SHIFT;
    const last = (start + length - 1) >>> PAGE_SHIFT;
    for (let pn = first; pn <= last; pn++) {
      if (this.mapped[pn] === 0) continue;
      this.prot[pn] = prot;
      this.refresh(pn);
    }
  }

  isMapped(address: number): boolean {
    return this.mapped[address >>> PAGE_SHIFT] !== 0;
  }

  protection(address: number): number {
    return this.prot[address >>> PAGE_SHIFT];
  }

  /** True when every page of [start, start+length) is unmapped and not reserved. */
  isFree(start: number, length: number): boolean {
    const first = start >>> PAGE_SHIFT;
    const last = (start + length - 1) >>> PAGE_SHIFT;
    for (let pn = first; pn <= last; pn++) if (this.mapped[pn] !== 0 || this.reserved[pn] !== 0) return false;
    return true;
  }

  /**
   * Keeps [start, start+length) for an owner that maps its pages later, when it first uses them
   * (e.g. a code cache of many megabytes of which a short run fills a few pages): the pages stay
   * unmapped, but isFree() is false there, so nobody placing a mapping by isFree takes them.
   */
  reserve(start: number, length: number): void {
    if (length <= 0) return;
    this.reserved.fill(1, start >>> PAGE_SHIFT, ((start + length - 1) >>> PAGE_SHIFT) + 1);
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
    if ((this.prot[pn] & PROT_EXEC) === 0 || this.mapped[pn] === 0) throw new MemoryFault(address >>> 0, 'execute');
    return this.bytesOf(pn);
  }

  private refresh(pn: number): void {
    const page = directoryGet(this.data, pn);
    const p = this.prot[pn];
    const read = page !== null && p & PROT_READ ? page : null;
    const write = page !== null && p & PROT_WRITE && !this.watched[pn] ? page : null;
    directorySet(this.readDirectory, pn, read);
    directorySet(this.writeDirectory, pn, write);
    if (this.flatRead !== null) this.flatRead[pn] = read;
    if (this.flatWrite !== null) this.flatWrite[pn] = write;
    if (this.onPageChange !== null) this.onPageChange(pn);
  }

  /** The bytes of a mapped page (given to it now if it had none). */
  private bytesOf(pn: number): Uint8Array {
    let bytes = directoryGet(this.data, pn);
    if (bytes === null) {
      bytes = new Uint8Array(PAGE_SIZE);
      directorySet(this.data, pn, bytes);
      this.refresh(pn);
    }
    return bytes;
  }

  /** The bytes of a mapped page whatever its protection (given to it now if it had none; null when unmapped). */
  pageBytes(pageNumber: number): Uint8Array | null {
    return this.mapped[pageNumber] === 0 ? null : this.bytesOf(pageNumber);
  }

  /** The bytes of a mapped page if it has them yet (null when unmapped or never used). */
  allocatedPageBytes(pageNumber: number): Uint8Array | null {
    return directoryGet(this.data, pageNumber);
  }

  isWatched(pageNumber: number): boolean {
    return this.watched[pageNumber] !== 0;
  }

  /** The bytes of the page of a readable address, else a fault. */
  private readablePage(address: number): Uint8Array {
    const pn = address >>> PAGE_SHIFT;
    if ((this.prot[pn] & PROT_READ) === 0 || this.mapped[pn] === 0) throw new MemoryFault(address >>> 0, 'read');
    return this.bytesOf(pn);
  }

  read8(address: number): number {
    let page = this.readDirectory[address >>> 22][(address >>> PAGE_SHIFT) & LEAF_MASK];
    if (page === null) page = this.readablePage(address);
    return page[address & PAGE_MASK];
  }

  read16(address: number): number {
    const off = address & PAGE_MASK;
    if (off <= PAGE_SIZE - 2) {
      let page = this.readDirectory[address >>> 22][(address >>> PAGE_SHIFT) & LEAF_MASK];
      if (page === null) page = this.readablePage(address);
      return page[off] | (page[off + 1] << 8);
    }
    return this.read8(address) | (this.read8((address + 1) | 0) << 8);
  }

  /** Signed 32-bit result (use >>> 0 for unsigned). */
  read32(address: number): number {
    const off = address & PAGE_MASK;
    if (off <= PAGE_SIZE - 4) {
      let page = this.readDirectory[address >>> 22][(address >>> PAGE_SHIFT) & LEAF_MASK];
      if (page === null) page = this.readablePage(address);
      return page[off] | (page[off + 1] << 8) | (page[off + 2] << 16) | (page[off + 3] << 24);
    }
    // A crossing access faults on whichever page is missing, before any effect.
    this.checkRead(address, 4);
    return this.read8(address) | (this.read8((address + 1) | 0) << 8) | (this.read8((address + 2) | 0) << 16) | (this.read8((address + 3) | 0) << 24);
  }

  write8(address: number, value: number): void {
    const page = this.writeDirectory[address >>> 22][(address >>> PAGE_SHIFT) & LEAF_MASK];
    if (page === null) return this.writeSlow(address, value, 1);
    page[address & PAGE_MASK] = value;
  }

  write16(address: number, value: number): void {
    const off = address & PAGE_MASK;
    const page = this.writeDirectory[address >>> 22][(address >>> PAGE_SHIFT) & LEAF_MASK];
    if (page === null || off > PAGE_SIZE - 2) return this.writeSlow(address, value, 2);
    page[off] = value;
    page[off + 1] = value >>> 8;
  }

  write32(address: number, value: number): void {
    const off = address & PAGE_MASK;
    const page = this.writeDirectory[address >>> 22][(address >>> PAGE_SHIFT) & LEAF_MASK];
    if (page === null || off > PAGE_SIZE - 4) return this.writeSlow(address, value, 4);
    page[off] = value;
    page[off + 1] = value >>> 8;
    page[off + 2] = value >>> 16;
    page[off + 3] = value >>> 24;
  }

  /** Faults (without side effects) unless every byte of the range is readable. */
  checkRead(address: number, length: number): void {
    for (let pn = address >>> PAGE_SHIFT, last = (address + length - 1) >>> PAGE_SHIFT; ; pn = (pn + 1) & (PAGE_COUNT - 1)) {
      if (this.mapped[pn] === 0 || (this.prot[pn] & PROT_READ) === 0) throw new MemoryFault(pn === address >>> PAGE_SHIFT ? address >>> 0 : (pn << PAGE_SHIFT) >>> 0, 'read');
      if (pn === last) break;
    }
  }

  /** Faults (without side effects) unless every byte of the range is writable. */
  checkWrite(address: number, length: number): void {
    for (let pn = address >>> PAGE_SHIFT, last = (address + length - 1) >>> PAGE_SHIFT; ; pn = (pn + 1) & (PAGE_COUNT - 1)) {
      if (this.mapped[pn] === 0 || (this.prot[pn] & PROT_WRITE) === 0) {
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
      if ((i === 0 || (a & PAGE_MASK) === 0) && this.watched[pn] && this.onWatchedWrite !== null) {
        this.onWatchedWrite(pn, a, Math.min(size - i, PAGE_SIZE - (a & PAGE_MASK)));
      }
      this.bytesOf(pn)[a & PAGE_MASK] = value >>> (8 * i);
    }
  }

  readBytes(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    if (length === 0) return out;
    this.checkRead(address, length);
    for (let i = 0; i < length; ) {
      const a = (address + i) >>> 0;
      const pn = a >>> PAGE_SHIFT;
      const off = a & PAGE_MASK;
      const n = Math.min(PAGE_SIZE - off, length - i);
      const page = directoryGet(this.data, pn);
      if (page !== null) out.set(page.subarray(off, off + n), i); // a page without bytes reads as zeros
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
      if (this.watched[pn] && this.onWatchedWrite !== null) this.onWatchedWrite(pn, a, n);
      this.bytesOf(pn).set(bytes.subarray(i, i + n), off);
      i += n;
    }
  }

  /** Writes ignoring protection (loaders filling read-only segments); pages must be mapped. */
  poke(address: number, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; ) {
      const a = (address + i) >>> 0;
      const pn = a >>> PAGE_SHIFT;
      if (this.mapped[pn] === 0) throw new MemoryFault(a, 'write');
      const off = a & PAGE_MASK;
      const n = Math.min(PAGE_SIZE - off, bytes.length - i);
      if (this.watched[pn] && this.onWatchedWrite !== null) this.onWatchedWrite(pn, a, n);
      this.bytesOf(pn).set(bytes.subarray(i, i + n), off);
      i += n;
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
