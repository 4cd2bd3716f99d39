// The code cache's bookkeeping: where translated blocks and their exit stubs live in host memory,
// which guest pages each block came from, which exits are chained to which blocks, and the lookup
// table of the dispatch glue. It decides what to drop and restores every jump into dropped code;
// it never runs guest code. Layout and policy: README.md "Code cache".

import { encodeInstruction } from '../mips/encoder';
import type { IrBlock } from './ir';

/** Exit stubs out of line: `lui v0, hi; ori v0, v0, lo; sdbbp code` (3 words). */
export const EXIT_STUB_BYTES = 12;

export interface CacheExit {
  readonly owner: CacheBlock;
  /** Host address of the `j` in the block body: `j stub` unchained, `j block` chained (a `nop` follows). */
  readonly site: number;
  /** Host address of the out-of-line stub. */
  readonly stub: number;
  /** Guest eip the exit leaves to. */
  readonly target: number;
  /** Hypercall code of the stub (chain, boundary, untranslated, syscall). */
  readonly code: number;
  chainedTo: CacheBlock | null;
  /** Chained as `j block+4` with the block's first word copied into the delay slot (one instruction less). */
  delayCopy: boolean;
}

export type CacheBlockState = 'live' | 'invalid' | 'evicted';

export interface CacheBlock {
  readonly ir: IrBlock;
  readonly eip: number;
  /** Host address of the first instruction (entry counter included). */
  readonly host: number;
  readonly bytes: number;
  readonly stubs: number;
  readonly stubBytes: number;
  /** (host address, guest eip) at the start of each guest instruction's code, ascending. */
  readonly guestMap: readonly { host: number; eip: number }[];
  readonly exits: CacheExit[];
  /** Exits of other blocks chained to this one. */
  readonly incoming: Set<CacheExit>;
  readonly pages: readonly number[];
  /** live: reachable; invalid: unlinked after a guest store to its code (its code may still be running); evicted: gone. */
  state: CacheBlockState;
  /** Address of its entry counter word, or -1 (counting off). */
  readonly counter: number;
  readonly serial: number;
}

export interface CodeCacheMemory {
  /** Writes host words (code or table); invalidates the CPU's compiled view of them. */
  writeWords(address: number, words: Uint32Array): void;
  readWord(address: number): number;
}

/** A ring of host memory filled in order; making room drops what lies ahead, a zone at a time. */
class Ring {
  head: number;
  /** [head, clearedTo) holds nothing. */
  clearedTo: number;
  readonly zone: number;

  constructor(
    readonly start: number,
    readonly end: number,
    zones: number,
  ) {
    this.head = start;
    this.clearedTo = end;
    this.zone = Math.max(16, Math.floor((end - start) / zones / 16) * 16);
  }

  /** Where `bytes` go, and the range that must be emptied first (empty when from >= to). */
  place(bytes: number): { at: number; from: number; to: number } | null {
    if (bytes > this.end - this.start) return null;
    let at = this.head;
    if (at + bytes > this.end) {
      at = this.start;
      this.clearedTo = this.start;
    }
    const need = at + bytes;
    if (need <= this.clearedTo) return { at, from: need, to: need };
    const zoneEnd = Math.min(this.end, this.start + Math.ceil((need - this.start) / this.zone) * this.zone);
    return { at, from: Math.max(at, this.clearedTo), to: zoneEnd };
  }

  commit(at: number, bytes: number, clearedTo: number): void {
    this.head = at + bytes;
    if (clearedTo > this.clearedTo || this.head > this.clearedTo) this.clearedTo = Math.max(clearedTo, this.head);
  }

  reset(): void {
    this.head = this.start;
    this.clearedTo = this.end;
  }
}

export interface CodeCacheParams {
  readonly memory: CodeCacheMemory;
  /** Block bodies: [bodyStart, bodyEnd); exit stubs: [stubStart, stubEnd). */
  readonly bodyStart: number;
  readonly bodyEnd: number;
  readonly stubStart: number;
  readonly stubEnd: number;
  /** Granularity of eviction: each ring is dropped a 1/zones part at a time. */
  readonly zones: number;
  readonly tableBase: number;
  readonly tableEntries: number;
  /** Entry counters (one word per resident block), or counting off. */
  readonly counters?: { readonly base: number; readonly words: number };
}

const WORD_J = (site: number, target: number): number => encodeInstruction('j', [target], site);

/** Does `w` transfer control (so that the next word is its delay slot)? */
export function hasDelaySlot(w: number): boolean {
  const op = w >>> 26;
  if (op === 0) {
    const funct = w & 0x3f;
    return funct === 0x08 || funct === 0x09;
  }
  return op === 0x01 || (op >= 0x02 && op <= 0x07) || (op >= 0x14 && op <= 0x17);
}

/** May `w` run in a delay slot (not a control transfer, not a hypercall, which raises RI there)? */
function fitsDelaySlot(w: number): boolean {
  return !hasDelaySlot(w) && ((w & 0xfc00003f) >>> 0) !== 0x7000003f;
}

export class CodeCache {
  readonly byEip = new Map<number, CacheBlock>();
  /** Live and invalid blocks whose code is still in the cache. */
  readonly resident = new Set<CacheBlock>();
  readonly byStub = new Map<number, CacheExit>();
  readonly bySite = new Map<number, CacheExit>();
  private readonly pageBlocks = new Map<number, Set<CacheBlock>>();
  private readonly bodies: Ring;
  private readonly stubRing: Ring;
  private readonly freeCounters: number[] = [];
  private serial = 0;
  /** Entry counts of blocks no longer resident, folded in when they left (counting on). */
  evictedEntries = 0;
  evictedGuestInstructions = 0;
  /** Chain through the delay slot (off: `j block; nop`, so that every entry passes the block's first word). */
  delayCopies = true;
  /** Called for every block leaving the cache (evicted or flushed), before its memory is reused. */
  onDrop: ((block: CacheBlock) => void) | null = null;
  /** Called when a page gets its first block / loses its last one. */
  onPageWatch: ((page: number, watch: boolean) => void) | null = null;
  onChainChange: ((exit: CacheExit, target: CacheBlock, patched: boolean) => void) | null = null;

  constructor(readonly params: CodeCacheParams) {
    this.bodies = new Ring(params.bodyStart, params.bodyEnd, params.zones);
    this.stubRing = new Ring(params.stubStart, params.stubEnd, params.zones);
    if (params.counters !== undefined) for (let i = params.counters.words - 1; i >= 0; i--) this.freeCounters.push(params.counters.base + i * 4);
    this.clearTable();
  }

  get counting(): boolean {
    return this.params.counters !== undefined;
  }

  /** Bytes of block bodies and stubs currently resident. */
  residentBytes(): { bodies: number; stubs: number } {
    let bodies = 0;
    let stubs = 0;
    for (const b of this.resident) {
      bodies += b.bytes;
      stubs += b.stubBytes;
    }
    return { bodies, stubs };
  }

  private clearTable(): void {
    const n = this.params.tableEntries;
    const t = new Uint32Array(n * 2);
    for (let i = 0; i < n; i++) t[i * 2] = 0xffffffff;
    this.params.memory.writeWords(this.params.tableBase, t);
  }

  private slot(eip: number): number {
    return this.params.tableBase + (eip & (this.params.tableEntries - 1)) * 8;
  }

  /** Points the lookup table entry of `block.eip` at the block. */
  publish(block: CacheBlock): void {
    this.params.memory.writeWords(this.slot(block.eip), Uint32Array.of(block.eip >>> 0, block.host >>> 0));
  }

  private unpublish(block: CacheBlock): void {
    const slot = this.slot(block.eip);
    if ((this.params.memory.readWord(slot) >>> 0) === block.eip >>> 0 && (this.params.memory.readWord(slot + 4) >>> 0) === block.host >>> 0) {
      this.params.memory.writeWords(slot, Uint32Array.of(0xffffffff, 0));
    }
  }

  /**
   * Host addresses for a block of `bodyBytes` with `stubCount` exit stubs, dropping the oldest
   * resident code in the way. Returns null when the block cannot fit even in an empty cache.
   */
  reserve(bodyBytes: number, stubCount: number): { body: number; stubs: number; counter: number } | null {
    const stubBytes = stubCount * EXIT_STUB_BYTES;
    const b = this.bodies.place(bodyBytes);
    const s = this.stubRing.place(Math.max(stubBytes, 0));
    if (b === null || s === null) return null;
    if (this.counting && this.freeCounters.length === 0) {
      this.flush();
      return this.reserve(bodyBytes, stubCount);
    }
    const doomed: CacheBlock[] = [];
    if (b.from < b.to || s.from < s.to) for (const block of this.resident) {
      if ((b.from < b.to && block.host < b.to && block.host + block.bytes > b.from) || (s.from < s.to && block.stubBytes > 0 && block.exits[0].stub < s.to && block.exits[0].stub + block.stubBytes > s.from)) {
        doomed.push(block);
      }
    }
    for (const block of doomed) this.drop(block);
    this.bodies.commit(b.at, bodyBytes, b.to);
    this.stubRing.commit(s.at, stubBytes, s.to);
    const counter = this.counting ? (this.freeCounters.pop() as number) : -1;
    if (counter >= 0) this.params.memory.writeWords(counter, Uint32Array.of(0));
    return { body: b.at, stubs: s.at, counter };
  }

  /** Registers a block whose code the caller has just written at a reserved place. */
  add(ir: IrBlock, host: number, bytes: number, counter: number, guestMap: readonly { host: number; eip: number }[], exits: readonly { site: number; stub: number; target: number; code: number }[]): CacheBlock {
    const pages: number[] = [];
    for (let pn = ir.start >>> 12; pn <= ((Math.max(ir.end, ir.start + 1) - 1) >>> 12); pn++) pages.push(pn);
    const block: CacheBlock = {
      ir, eip: ir.start >>> 0, host, bytes, stubs: exits.length, stubBytes: exits.length * EXIT_STUB_BYTES,
      guestMap, exits: [], incoming: new Set(), pages, state: 'live', counter, serial: this.serial++,
    };
    for (const e of exits) {
      const exit: CacheExit = { owner: block, site: e.site, stub: e.stub, target: e.target >>> 0, code: e.code, chainedTo: null, delayCopy: false };
      block.exits.push(exit);
      this.byStub.set(e.stub, exit);
      this.bySite.set(e.site, exit);
    }
    const old = this.byEip.get(block.eip);
    if (old !== undefined) this.invalidate(old);
    this.byEip.set(block.eip, block);
    this.resident.add(block);
    for (const pn of pages) {
      let set = this.pageBlocks.get(pn);
      if (set === undefined) {
        set = new Set();
        this.pageBlocks.set(pn, set);
        this.onPageWatch?.(pn, true);
      }
      set.add(block);
    }
    this.publish(block);
    return block;
  }

  /**
   * Chains `exit` to `target`: its `j` now goes straight to the target block — to its second word,
   * with the first one copied into the delay slot, when that word may sit there (the target's first
   * word never changes while it is live: SMC traps and exit sites are never a block's first word
   * that qualifies).
   */
  chain(exit: CacheExit, target: CacheBlock): void {
    if (exit.owner.state !== 'live' || target.state !== 'live' || exit.chainedTo !== null) return;
    const first = this.params.memory.readWord(target.host) >>> 0;
    exit.delayCopy = this.delayCopies && target.bytes >= 8 && fitsDelaySlot(first);
    const words = exit.delayCopy ? Uint32Array.of(WORD_J(exit.site, target.host + 4), first) : Uint32Array.of(WORD_J(exit.site, target.host), 0);
    this.params.memory.writeWords(exit.site, words);
    exit.chainedTo = target;
    target.incoming.add(exit);
    this.onChainChange?.(exit, target, true);
  }

  /** Rewrites every chain through a delay slot as `j block; nop` (a MIPS breakpoint on a block's first word then sees every entry). */
  plainChains(): number {
    let n = 0;
    for (const b of this.resident) {
      for (const e of b.exits) {
        if (!e.delayCopy || e.chainedTo === null) continue;
        this.params.memory.writeWords(e.site, Uint32Array.of(WORD_J(e.site, e.chainedTo.host), 0));
        e.delayCopy = false;
        n++;
      }
    }
    return n;
  }

  private unchain(exit: CacheExit): void {
    const target = exit.chainedTo;
    if (target === null) return;
    target.incoming.delete(exit);
    exit.chainedTo = null;
    exit.delayCopy = false;
    if (exit.owner.state !== 'evicted') {
      this.params.memory.writeWords(exit.site, Uint32Array.of(WORD_J(exit.site, exit.stub), 0));
      this.onChainChange?.(exit, target, false);
    }
  }

  /** Makes a block unreachable: no lookup entry, no chain into it, no page list. Its code stays (it may be running). */
  invalidate(block: CacheBlock): void {
    if (block.state !== 'live') return;
    for (const e of [...block.incoming]) this.unchain(e);
    for (const e of block.exits) this.unchain(e);
    if (this.byEip.get(block.eip) === block) this.byEip.delete(block.eip);
    this.unpublish(block);
    for (const pn of block.pages) {
      const set = this.pageBlocks.get(pn);
      if (set === undefined) continue;
      set.delete(block);
      if (set.size === 0) {
        this.pageBlocks.delete(pn);
        this.onPageWatch?.(pn, false);
      }
    }
    block.state = 'invalid';
  }

  /** Removes a block from the cache; its memory may be reused from now on. */
  private drop(block: CacheBlock): void {
    this.invalidate(block);
    this.onDrop?.(block);
    if (block.counter >= 0) {
      const n = this.params.memory.readWord(block.counter) >>> 0;
      this.evictedEntries += n;
      this.evictedGuestInstructions += n * block.ir.guestCount;
      this.freeCounters.push(block.counter);
    }
    for (const e of block.exits) {
      this.byStub.delete(e.stub);
      this.bySite.delete(e.site);
    }
    this.resident.delete(block);
    block.state = 'evicted';
  }

  /** Blocks translated from guest page `page` (live ones). */
  blocksOnPage(page: number): readonly CacheBlock[] {
    const set = this.pageBlocks.get(page);
    return set === undefined ? [] : [...set];
  }

  hasPage(page: number): boolean {
    return this.pageBlocks.has(page);
  }

  /** Drops every block (the glue stays); returns how many there were. */
  flush(): CacheBlock[] {
    const all = [...this.resident];
    for (const b of all) this.drop(b);
    this.bodies.reset();
    this.stubRing.reset();
    this.clearTable();
    return all;
  }

  /** The resident block whose body or stubs contain host address `pc`. */
  blockAt(pc: number): CacheBlock | null {
    pc >>>= 0;
    for (const b of this.resident) {
      if (pc >= b.host && pc < b.host + b.bytes) return b;
      if (b.stubBytes > 0 && pc >= b.exits[0].stub && pc < b.exits[0].stub + b.stubBytes) return b;
    }
    return null;
  }

  /** Entry count of a resident block (counting on), else 0. */
  entries(block: CacheBlock): number {
    return block.counter >= 0 && block.state !== 'evicted' ? this.params.memory.readWord(block.counter) >>> 0 : 0;
  }
}
