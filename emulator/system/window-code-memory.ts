// Guest code as the user-space translator sees it in the whole system: guest virtual addresses of
// an i386 process are host kuseg addresses of its user window (identity), backed by the RAM pages
// the window maps (CP0 register 22). Reads for the decoder and writes of translated code / lookup
// table go straight to those physical pages; a write to RAM drops the MIPS simulator's compiled view
// of the page (PhysicalMemory.onCodeWrite), so freshly written code is what runs.
//
// Self-modifying guest code: a page holding translated guest code is write-watched in the machine's
// address space (SystemAddressSpace.watchRamPage): every CPU store to it — translated guest code,
// or the kernel writing into it (read() into a code page) — is reported after it landed, and the
// runtime's listener (onGuestCodeWrite) invalidates the blocks translated from it.
//
// Parts of the window user mode may not store to (denyUserStores: the translator's code cache and
// lookup table, which only the translator writes, from TypeScript; its unused host stack): their
// pages are write-watched,
// so no store reaches them by the page tables' fast path, and a user-mode store there is answered
// with Mod by a wrapper of the address space's slow-path classifier (resolve) — the kernel sends
// SIGSEGV, as i386 Linux does for a store where nothing is mapped. No hot path changes.
//
// Recording writes (the reference replay's guest system calls): while a guest system call runs,
// every page of the guest's part of the window is write-watched too, and the byte ranges stored to
// are collected — whatever stored them (the kernel, the syscall glue), with no list of calls.
import type { PhysicalMemory } from '../machine/physical-memory';
import { MemoryFault } from '../machine/paged-memory';
import { Access, EXC_MOD, type SystemAddressSpace } from '../mips/address-space';

const PAGE = 4096;

export class WindowCodeMemory {
  /** Guest pages watched, by physical page number. */
  private readonly watched = new Map<number, number>();
  private listener: ((page: number) => void) | null = null;
  /** While recording: physical range watched, pages watched only for it, stores seen (physical address, size). */
  private recording: { low: number; high: number; added: number[]; stores: number[] } | null = null;
  /** denyUserStores: the physical pages watched for it, and the resolve it wraps. */
  private denied: { pages: number[]; inner: SystemAddressSpace['resolve'] } | null = null;

  constructor(
    private readonly ram: PhysicalMemory,
    private readonly space: SystemAddressSpace,
    readonly vbase: number,
    readonly pbase: number,
    readonly size: number,
  ) {
    const previous = space.onWatchedRamWrite;
    space.onWatchedRamWrite = (physical, bytes) => {
      previous?.(physical, bytes);
      const r = this.recording;
      if (r !== null && physical + bytes > r.low && physical < r.high) r.stores.push(physical, bytes);
      if (this.listener === null) return;
      for (let ppn = physical >>> 12; ppn <= (physical + bytes - 1) >>> 12; ppn++) {
        const page = this.watched.get(ppn);
        if (page !== undefined) this.listener(page);
      }
    };
  }

  private physical(address: number, length: number, access: 'read' | 'write'): number {
    const off = (address >>> 0) - this.vbase;
    if (off < 0 || length < 0 || off + length > this.size) throw new MemoryFault(address >>> 0, access); // outside the process's window
    return this.pbase + off;
  }

  fetch(address: number, length: number): Uint8Array {
    return this.ram.readBytes(this.physical(address, length, 'read'), length);
  }

  read8(address: number): number {
    return this.ram.bytes[this.physical(address, 1, 'read')];
  }

  /** A host word of the area (lookup table, counters), straight from RAM (also after the window is unmapped). */
  read32(address: number): number {
    return this.ram.read32(this.physical(address, 4, 'read'));
  }

  poke(address: number, bytes: Uint8Array): void {
    this.ram.writeBytes(this.physical(address, bytes.length, 'write'), bytes);
  }

  watchPage(page: number): void {
    const ppn = this.physical(page * PAGE, PAGE, 'read') >>> 12;
    if (this.watched.has(ppn)) return;
    this.watched.set(ppn, page);
    this.space.watchRamPage(ppn);
  }

  unwatchPage(page: number): void {
    const ppn = this.physical(page * PAGE, PAGE, 'read') >>> 12;
    if (!this.watched.delete(ppn)) return;
    const r = this.recording;
    if (r !== null && ppn * PAGE >= r.low && ppn * PAGE < r.high) r.added.push(ppn); // still watched for the recording
    else this.space.unwatchRamPage(ppn);
  }

  /** User-mode stores into these virtual ranges (page aligned, inside the window) fault with Mod from now until release. */
  denyUserStores(ranges: { start: number; end: number }[]): void {
    if (this.denied !== null) throw new Error('user stores are denied already');
    const space = this.space;
    const pages: number[] = [];
    for (const r of ranges) {
      const low = this.physical(r.start, r.end - r.start, 'read');
      for (let ppn = low >>> 12; ppn < (low + (r.end - r.start)) >>> 12; ppn++) {
        if (this.watched.has(ppn)) throw new Error('a page with guest code cannot be denied to user stores');
        pages.push(ppn);
        space.watchRamPage(ppn);
      }
    }
    const inner = space.resolve;
    const list = ranges.map((r) => ({ start: r.start >>> 0, end: r.end >>> 0 }));
    this.denied = { pages, inner };
    space.resolve = function (address: number, access: Access, kernel: boolean): number {
      if (access === Access.Write && !kernel) {
        const a = address >>> 0;
        for (const r of list) if (a >= r.start && a < r.end) return EXC_MOD;
      }
      return inner.call(this, address, access, kernel);
    };
  }

  /** Starts collecting the stores into guest virtual [from, to) (page aligned), by anyone, until stopRecordingWrites. */
  startRecordingWrites(from: number, to: number): void {
    if (this.recording !== null) throw new Error('window writes are being recorded already');
    const low = this.physical(from, to - from, 'read');
    const r = { low, high: low + (to - from), added: [] as number[], stores: [] as number[] };
    for (let ppn = low >>> 12; ppn < r.high >>> 12; ppn++) {
      if (this.watched.has(ppn)) continue; // watched for its guest code already
      r.added.push(ppn);
      this.space.watchRamPage(ppn);
    }
    this.recording = r;
  }

  /** Stops recording; the guest virtual byte ranges stored to, merged and in address order, with their bytes now. */
  stopRecordingWrites(): { address: number; bytes: Uint8Array }[] {
    const r = this.recording;
    if (r === null) return [];
    this.recording = null;
    for (const ppn of r.added) if (!this.watched.has(ppn)) this.space.unwatchRamPage(ppn);
    const spans: [number, number][] = [];
    for (let i = 0; i < r.stores.length; i += 2) {
      const start = Math.max(r.stores[i], r.low);
      const end = Math.min(r.stores[i] + r.stores[i + 1], r.high);
      if (start < end) spans.push([start, end]);
    }
    spans.sort((a, b) => a[0] - b[0]);
    const out: { address: number; bytes: Uint8Array }[] = [];
    let i = 0;
    while (i < spans.length) {
      let [start, end] = spans[i++];
      while (i < spans.length && spans[i][0] <= end) end = Math.max(end, spans[i++][1]);
      out.push({ address: this.vbase + (start - this.pbase), bytes: this.ram.readBytes(start, end - start) });
    }
    return out;
  }

  onWrite(listener: (page: number) => void): void {
    this.listener = listener;
  }

  /** Stops watching everything (the process is gone; its pages go back to plain RAM). */
  release(): void {
    this.stopRecordingWrites();
    const d = this.denied;
    if (d !== null) {
      this.denied = null;
      this.space.resolve = d.inner;
      for (const ppn of d.pages) this.space.unwatchRamPage(ppn);
    }
    for (const ppn of this.watched.keys()) this.space.unwatchRamPage(ppn);
    this.watched.clear();
    this.listener = null;
  }

  get watchedPages(): number {
    return this.watched.size;
  }
}
