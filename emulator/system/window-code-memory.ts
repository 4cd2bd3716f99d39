// Guest code as the user-space translator sees it in the whole system: guest virtual addresses of
// an i386 process are host kuseg addresses of its user window (identity), backed by the RAM pages
// the window maps (CP0 register 22). Reads for the decoder and writes of translated code / lookup
// table go straight to those physical pages; a write to RAM drops the MIPS simulator's compiled view
// of the page (PhysicalMemory.onCodeWrite), so freshly written code is what runs.
//
// Self-modifying guest code: the machine has no write watch on RAM pages, so a guest store into a
// translated page cannot be caught as it happens. Instead the bytes of every watched page are kept
// and compared (`verify`) at every system call and at exit: a change stops the run with a clear
// error (never a silently stale translation). The player and driver do not modify their code.
import type { PhysicalMemory } from '../machine/physical-memory';
import { MemoryFault } from '../machine/paged-memory';

const PAGE = 4096;

export class WindowCodeMemory {
  private readonly watched = new Map<number, Uint8Array>();

  constructor(
    private readonly ram: PhysicalMemory,
    readonly vbase: number,
    readonly pbase: number,
    readonly size: number,
  ) {}

  private physical(address: number, length: number, access: 'read' | 'write'): number {
    const off = (address >>> 0) - this.vbase;
    if (off < 0 || length < 0 || off + length > this.size) {
      throw new MemoryFault(address >>> 0, access); // outside the process's window
    }
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
    if (!this.watched.has(page)) this.watched.set(page, this.fetch(page * PAGE, PAGE));
  }

  unwatchPage(page: number): void {
    this.watched.delete(page);
  }

  /** First watched page whose bytes changed since it was watched, or -1. */
  changedPage(): number {
    for (const [page, bytes] of this.watched) {
      const at = this.physical(page * PAGE, PAGE, 'read');
      const now = this.ram.bytes;
      for (let i = 0; i < PAGE; i++) if (now[at + i] !== bytes[i]) return page;
    }
    return -1;
  }

  get watchedPages(): number {
    return this.watched.size;
  }
}
