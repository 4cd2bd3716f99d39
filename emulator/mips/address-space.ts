// How the CPU sees memory: per-mode page tables (virtual page number → MemoryPage or null) that the
// interpreter and compiled blocks index directly, and a slow path (resolve) for everything a table
// entry of null stands for: MMIO, an address error, a missing mapping, a page holding compiled code.
//
// Two address spaces:
// * SystemAddressSpace — the full machine: PhysicalMemory + MmioBus behind a fixed-mapping MMU.
//     kuseg 0x00000000-0x7fffffff: mapped through ONE per-process window [vbase, vbase+size) →
//       [pbase, pbase+size) of RAM, set by the kernel in CP0 register 22 (see cpu.ts); elsewhere TLBL/TLBS.
//     kseg0 0x80000000-0x9fffffff and kseg1 0xa0000000-0xbfffffff: physical 0x00000000-0x1fffffff
//       (RAM, then MMIO devices; nothing there → bus error DBE/IBE). Kernel mode only.
//     kseg2/kseg3 0xc0000000-0xffffffff: nothing mapped (no TLB) → TLBL/TLBS. Kernel mode only.
//     User mode touching 0x80000000 and above → AdEL/AdES.
// * PagedAddressSpace — a flat PagedMemory (Linux user programs with emulated system calls, test
//     harnesses): virtual = PagedMemory address. User mode may not touch 0x80000000 and above (AdEL/AdES);
//     kernel mode sees all 4 GiB. Unmapped → TLBL/TLBS, write to a read-only page → Mod, fetch from a
//     page without PROT_EXEC → TLBL.

import { type MemoryPage, makeMemoryPage, PhysicalMemory } from '../machine/physical-memory';
import { MmioBus, type MmioDevice } from '../machine/mmio-bus';
import { directoryGet, directorySet, newPageDirectory, PagedMemory, type PageDirectory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../machine/paged-memory';

export const enum Access {
  Read = 0,
  Write = 1,
  Execute = 2,
}

/** resolve() results that are not exception codes. */
export const RESOLVE_PAGE = -1; // resolvedPage holds the page (e.g. a write to a page with compiled code)
export const RESOLVE_HOST = -2; // use hostRead/hostWrite at resolvedAddress (MMIO, watched paged memory)

export const EXC_MOD = 1;
export const EXC_TLBL = 2;
export const EXC_TLBS = 3;
export const EXC_ADEL = 4;
export const EXC_ADES = 5;
export const EXC_IBE = 6;
export const EXC_DBE = 7;

const PAGES = 1 << 20;

/**
 * Virtual page number → page, per access kind, as two-level directories (paged-memory.ts
 * PageDirectory): the fast paths read `table[vpn >>> 10][vpn & 1023]`; entries are set only
 * through directorySet.
 */
export interface PageTables {
  readonly read: PageDirectory<MemoryPage>;
  readonly write: PageDirectory<MemoryPage>;
  readonly exec: PageDirectory<MemoryPage>;
}

function newTables(): PageTables {
  return { read: newPageDirectory(), write: newPageDirectory(), exec: newPageDirectory() };
}

export interface MipsAddressSpace {
  readonly kernelTables: PageTables;
  readonly userTables: PageTables;
  /** Set by the CPU: called when the space replaced its tables. */
  onTablesChanged: (() => void) | null;
  /** Set by resolve() when it returns RESOLVE_PAGE / RESOLVE_HOST. */
  resolvedPage: MemoryPage | null;
  resolvedAddress: number;
  /** Classifies an access the page tables did not satisfy. Returns RESOLVE_PAGE, RESOLVE_HOST or an exception code. */
  resolve(address: number, access: Access, kernel: boolean): number;
  hostRead(address: number, size: 1 | 2 | 4): number;
  hostWrite(address: number, size: 1 | 2 | 4, value: number): void;
  /** Take a page's virtual aliases out of (or back into) the write tables, because compiled code lives there. */
  protectCode(page: MemoryPage, on: boolean): void;
  /**
   * Called by the space when a page's code must be dropped (host write, remap); set by the CPU.
   * With offset and length, only the code made from those bytes of the page (a write there).
   */
  onCodeInvalid: ((page: MemoryPage, offset?: number, length?: number) => void) | null;
}

export class SystemAddressSpace implements MipsAddressSpace {
  readonly kernelTables = newTables();
  readonly userTables = newTables();
  onTablesChanged: (() => void) | null = null;
  resolvedPage: MemoryPage | null = null;
  resolvedAddress = 0;
  onCodeInvalid: ((page: MemoryPage, offset?: number, length?: number) => void) | null = null;
  private windowVBase = 0;
  private windowPBase = 0;
  private windowSize = 0;
  private readonly ramPages: number;
  private readonly watchedRam = new Set<number>();
  /** Called after a CPU store landed on a page given to watchRamPage (physical address, size). */
  onWatchedRamWrite: ((physicalAddress: number, size: number) => void) | null = null;

  constructor(
    readonly ram: PhysicalMemory,
    readonly bus: MmioBus,
  ) {
    this.ramPages = ram.size >>> 12;
    for (let ppn = 0; ppn < this.ramPages; ppn++) {
      const page = ram.pages[ppn];
      for (const vpn of [0x80000 + ppn, 0xa0000 + ppn]) {
        directorySet(this.kernelTables.read, vpn, page);
        directorySet(this.kernelTables.write, vpn, page);
        directorySet(this.kernelTables.exec, vpn, page);
      }
    }
    ram.onCodeWrite = (page) => this.onCodeInvalid?.(page);
  }

  get userWindow(): { vbase: number; pbase: number; size: number } {
    return { vbase: this.windowVBase, pbase: this.windowPBase, size: this.windowSize };
  }

  /** Maps kuseg [vbase, vbase+size) onto RAM [pbase, pbase+size); size 0 unmaps kuseg. Returns an error text or null. */
  setUserWindow(vbase: number, pbase: number, size: number): string | null {
    vbase >>>= 0;
    pbase >>>= 0;
    size >>>= 0;
    if ((vbase | pbase | size) & 0xfff) return 'user window base, physical base and size must be 4 KiB aligned';
    if (vbase + size > 0x80000000) return 'user window must lie inside kuseg (below 0x80000000)';
    if (pbase + size > this.ram.size) return 'user window must lie inside RAM';
    for (let i = 0; i < this.windowSize >>> 12; i++) this.setUser((this.windowVBase >>> 12) + i, null);
    this.windowVBase = vbase;
    this.windowPBase = pbase;
    this.windowSize = size;
    for (let i = 0; i < size >>> 12; i++) this.setUser((vbase >>> 12) + i, this.ram.pages[(pbase >>> 12) + i]);
    return null;
  }

  private setUser(vpn: number, page: MemoryPage | null): void {
    for (const t of [this.kernelTables, this.userTables]) {
      directorySet(t.read, vpn, page);
      directorySet(t.write, vpn, page !== null && page.blocks === null && !this.watchedRam.has(page.number) ? page : null);
      directorySet(t.exec, vpn, page);
    }
  }

  /** Physical address of a virtual one as the CPU in the given mode sees it, or -1. */
  translate(address: number, kernel: boolean): number {
    const a = address >>> 0;
    if (a >= 0x80000000) {
      if (!kernel || a >= 0xc0000000) return -1;
      return a & 0x1fffffff;
    }
    const off = a - this.windowVBase;
    return off >= 0 && off < this.windowSize ? this.windowPBase + off : -1;
  }

  resolve(address: number, access: Access, kernel: boolean): number {
    const a = address >>> 0;
    if (a >= 0x80000000 && !kernel) return access === Access.Write ? EXC_ADES : EXC_ADEL;
    const phys = this.translate(a, kernel);
    if (phys < 0) return access === Access.Write ? EXC_TLBS : EXC_TLBL;
    if (phys < this.ram.size) {
      if (access === Access.Write && this.watchedRam.size !== 0 && this.watchedRam.has(phys >>> 12)) {
        this.resolvedAddress = phys; // through hostWrite, which reports it
        return RESOLVE_HOST;
      }
      this.resolvedPage = this.ram.pages[phys >>> 12];
      return RESOLVE_PAGE;
    }
    if (access === Access.Execute) return EXC_IBE;
    if (this.bus.find(phys) === null) return EXC_DBE;
    this.resolvedAddress = phys;
    return RESOLVE_HOST;
  }

  hostRead(address: number, size: 1 | 2 | 4): number {
    const hit = this.bus.find(address) as { device: MmioDevice; offset: number };
    return hit.device.read(hit.offset, size);
  }

  hostWrite(address: number, size: 1 | 2 | 4, value: number): void {
    if (address < this.ram.size) {
      // A watched RAM page (watchRamPage): write (dropping compiled code there), then report.
      if (size === 4) this.ram.write32(address, value);
      else if (size === 2) this.ram.write16(address, value);
      else this.ram.write8(address, value);
      this.onWatchedRamWrite?.(address, size);
      return;
    }
    const hit = this.bus.find(address) as { device: MmioDevice; offset: number };
    hit.device.write(hit.offset, size, size === 4 ? value >>> 0 : value & (size === 2 ? 0xffff : 0xff));
  }

  /**
   * Write-watch a RAM page: every store the CPU makes to it (any alias: kseg0, kseg1, the user
   * window) takes the slow path and is reported to onWatchedRamWrite after it landed (e.g. a
   * translator's guest code, for self-modifying code). Host-side writes are not reported.
   */
  watchRamPage(ppn: number): void {
    this.watchedRam.add(ppn);
    this.protectCode(this.ram.pages[ppn], true);
  }

  unwatchRamPage(ppn: number): void {
    if (!this.watchedRam.delete(ppn)) return;
    const page = this.ram.pages[ppn];
    this.protectCode(page, page.blocks !== null);
  }

  protectCode(page: MemoryPage, on: boolean): void {
    const ppn = page.number;
    const entry = on || this.watchedRam.has(ppn) ? null : page;
    directorySet(this.kernelTables.write, 0x80000 + ppn, entry);
    directorySet(this.kernelTables.write, 0xa0000 + ppn, entry);
    const off = ppn * 4096 - this.windowPBase;
    if (off >= 0 && off < this.windowSize) {
      const vpn = (this.windowVBase + off) >>> 12;
      directorySet(this.kernelTables.write, vpn, entry);
      directorySet(this.userTables.write, vpn, entry);
    }
  }
}

export class PagedAddressSpace implements MipsAddressSpace {
  readonly kernelTables = newTables();
  /** The same tables as the kernel's until a page at 0x80000000 or above is mapped (saves memory). */
  userTables: PageTables = this.kernelTables;
  resolvedPage: MemoryPage | null = null;
  resolvedAddress = 0;
  onCodeInvalid: ((page: MemoryPage, offset?: number, length?: number) => void) | null = null;
  private readonly pageByBytes = new WeakMap<Uint8Array, MemoryPage>();
  private readonly current: PageDirectory<MemoryPage> = newPageDirectory();

  constructor(readonly memory: PagedMemory) {
    const previousWatch = memory.onWatchedWrite;
    memory.onWatchedWrite = (pn, address, length) => {
      if (previousWatch !== null) previousWatch(pn, address, length);
      const page = directoryGet(this.current, pn);
      if (page !== null && page.blocks !== null) {
        if (address === undefined || length === undefined) this.onCodeInvalid?.(page);
        else this.onCodeInvalid?.(page, address & 4095, length);
      }
    };
    const previousChange = memory.onPageChange;
    memory.onPageChange = (pn) => {
      if (previousChange !== null) previousChange(pn);
      this.refresh(pn);
    };
    memory.forEachAllocatedPage((pn) => this.refresh(pn));
  }

  private refresh(pn: number): void {
    const old = directoryGet(this.current, pn);
    const bytes = this.memory.allocatedPageBytes(pn);
    let page: MemoryPage | null = null;
    if (bytes !== null) {
      page = this.pageByBytes.get(bytes) ?? null;
      if (page === null) {
        page = makeMemoryPage(bytes, pn);
        this.pageByBytes.set(bytes, page);
      }
    }
    const prot = page === null ? 0 : this.memory.protection(pn << 12);
    // Unmapping, remapping or losing PROT_EXEC drops the page's compiled code.
    if (old !== null && old.blocks !== null && (old !== page || !(prot & PROT_EXEC))) this.onCodeInvalid?.(old);
    directorySet(this.current, pn, page);
    const read = page !== null && prot & PROT_READ ? page : null;
    const write = page !== null && directoryGet(this.memory.writeDirectory, pn) !== null && page.blocks === null ? page : null;
    const exec = page !== null && prot & PROT_EXEC ? page : null;
    if (pn >= PAGES / 2 && page !== null && this.userTables === this.kernelTables) this.splitUserTables();
    directorySet(this.kernelTables.read, pn, read);
    directorySet(this.kernelTables.write, pn, write);
    directorySet(this.kernelTables.exec, pn, exec);
    if (pn < PAGES / 2 && this.userTables !== this.kernelTables) {
      directorySet(this.userTables.read, pn, read);
      directorySet(this.userTables.write, pn, write);
      directorySet(this.userTables.exec, pn, exec);
    }
  }

  /** Separate user tables: the kernel half stays out of reach of user mode. */
  private splitUserTables(): void {
    const t = newTables();
    const k = this.kernelTables;
    for (const [from, to] of [[k.read, t.read], [k.write, t.write], [k.exec, t.exec]]) {
      // Leaves of the lower half copied, not shared: each table's entries are set on their own.
      for (let d = 0; d < from.length / 2; d++) if (from[d].some((x) => x !== null)) to[d] = from[d].slice();
    }
    this.userTables = t;
    this.onTablesChanged?.();
  }

  /** Called when userTables is replaced (the CPU re-reads its mode's tables). */
  onTablesChanged: (() => void) | null = null;

  resolve(address: number, access: Access, kernel: boolean): number {
    const a = address >>> 0;
    if (a >= 0x80000000 && !kernel) return access === Access.Write ? EXC_ADES : EXC_ADEL;
    const pn = a >>> 12;
    const prot = this.memory.protection(a);
    const need = access === Access.Read ? PROT_READ : access === Access.Execute ? PROT_EXEC : PROT_WRITE;
    if (!(prot & need)) return access !== Access.Write ? EXC_TLBL : this.memory.isMapped(a) ? EXC_MOD : EXC_TLBS;
    // A mapped page gets its bytes at its first access (the PagedMemory then tells refresh()).
    if (directoryGet(this.current, pn) === null) this.memory.pageBytes(pn);
    if (access !== Access.Write) {
      this.resolvedPage = directoryGet(this.current, pn);
      return RESOLVE_PAGE;
    }
    // Writable but not in the fast table: watched (ours for code, or someone else's), or just given
    // its bytes. Write through the PagedMemory so that every watcher hears of it.
    this.resolvedAddress = a;
    return RESOLVE_HOST;
  }

  hostRead(address: number, size: 1 | 2 | 4): number {
    return size === 1 ? this.memory.read8(address) : size === 2 ? this.memory.read16(address) : this.memory.read32(address) >>> 0;
  }

  hostWrite(address: number, size: 1 | 2 | 4, value: number): void {
    if (size === 1) this.memory.write8(address, value);
    else if (size === 2) this.memory.write16(address, value);
    else this.memory.write32(address, value);
  }

  protectCode(page: MemoryPage, on: boolean): void {
    const pn = page.number;
    if (directoryGet(this.current, pn) !== page) return;
    if (on) {
      if (!this.memory.isWatched(pn)) this.memory.watch(pn); // refresh() runs and nulls the write entries
      directorySet(this.kernelTables.write, pn, null);
      if (pn < PAGES / 2) directorySet(this.userTables.write, pn, null); // the same tables unless split
    }
    // Off: the page stays watched (someone else may watch it too); writes take the slow path through
    // the PagedMemory, which is correct, only slower, for pages that once held code.
  }
}
