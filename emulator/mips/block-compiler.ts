// The block compiler: straight-line MIPS code up to and including a branch and its delay slot is a
// block; the block at an entry PC and the blocks it reaches by static branches inside the same page
// and region (up to MAX_GROUP) become one JavaScript function (new Function), structured: loops of
// the group are JavaScript loops, forward branches break out of labelled blocks, guest registers are
// locals (see shapeGroup / generateGroup). It is cached on the page it came from by the entry's word
// index (aliases of a physical page share the cache; a compiled entry remembers the virtual PC it was
// made for). A write to a page holding compiled code drops the code compiled from the written bytes
// (each compiled entry knows the byte ranges it was made from; the rest of the page's code stays), and
// a breakpoint drops the code holding its address; the page leaves the fast write tables while it has
// code, so only the slow path sees such writes.
//
// Exactness: the function checks the budget the dispatcher gave (limit, next timer or device
// event) at its entry and at loop headers, asking each time for the most instructions that can run
// before the next check, so it stops exactly within it (maxCount = the entry's need); counts are
// added once per function exit (instructionCount and the region counter: a group never spans two
// regions); a fault counts the instructions before the faulting one and hands the exception to the
// CPU with the precise PC and delay-slot state; a slow store (MMIO, code page), or a slow load after
// which the CPU needs its dispatcher, ends the function right after itself so the dispatcher sees
// interrupts and invalidations at once; devices reached by slow accesses see the exact count.
// Code is compiled once its entry has been reached hotThreshold times (cold code is interpreted).
//
// A block ends before: syscall, break, sdbbp, CP0 instructions, rdhwr, cache, COP1/COP2, reserved
// words, a breakpoint address, a region boundary, the end of the page, or a branch whose
// delay slot would not be compilable. Those run in the interpreter.

import type { MemoryPage } from '../machine/physical-memory';
import type { MipsCpu } from './cpu';
import { mulHighSigned, mulHighUnsigned } from './cpu';

export interface CompiledBlock {
  readonly start: number; // virtual PC (unsigned)
  /** False once its page was invalidated (successor links may still point at it). */
  valid: boolean;
  /** The last two successors seen (chaining without a page-table lookup). */
  next0: CompiledBlock | null;
  next1: CompiledBlock | null;
  /** Most instructions one call executes before it re-checks its budget (Infinity: not runnable). */
  readonly maxCount: number;
  readonly regionVersion: number;
  /** A placeholder for code not compiled yet: how often its PC was looked up (-1: never compiled). */
  hits: number;
  readonly run: (cpu: MipsCpu, budget: number) => void;
  readonly length: number;
  /** The generated JavaScript (for inspection). */
  readonly source?: string;
  /** Byte offsets in its page of the code it was made from, as [from, to) pairs: a write there drops it. */
  readonly cover: readonly number[];
}

const MAX_BLOCK = 96;
const HOT_THRESHOLD = 128;

/** A placeholder for a PC the compiler cannot start a block at, or has not yet (the interpreter runs it). */
function placeholder(start: number, regionVersion: number, hits: number): CompiledBlock {
  const at = start & 4095;
  return { start, valid: true, next0: null, next1: null, maxCount: Infinity, regionVersion, hits, run: () => undefined, length: 0, cover: [at, at + 4] };
}

const enum Kind {
  Plain, // falls through
  Branch, // conditional branch (delay slot)
  Likely, // branch-likely (delay slot annulled when not taken)
  Jump, // j/jal (static target)
  JumpReg, // jr/jalr
  Stop, // cannot be compiled
}

interface Translated {
  kind: Kind;
  /** JS statements. For branches: computes `t` (taken?) and link; for jumps `bt`. */
  code: string;
  /** Static branch target (Branch/Likely/Jump). */
  target?: number;
}

/**
 * An instruction's JavaScript as a group uses it (prepare()): guest registers as locals rN and
 * HI/LO as locals hi/lo, with what the code reads and writes, and whether it holds exit
 * placeholders (FAULT, SYNC, EXIT_AFTER) that blockBody fills in.
 */
interface PreparedTranslation extends Translated {
  /** Bit n: the code reads (uses) / assigns (writes) guest register n. */
  readonly uses: number;
  readonly writes: number;
  /** Bits 0/1: reads / writes HI; bits 2/3: reads / writes LO. */
  readonly hiLo: number;
  readonly placeholders: boolean;
}

function prepare(t: Translated): PreparedTranslation {
  let uses = 0;
  let writes = 0;
  let code = t.code.replace(/r\[(\d+)\]( = (?!=))?/g, (_m: string, n: string, assign: string | undefined) => {
    uses |= 1 << Number(n);
    if (assign !== undefined) writes |= 1 << Number(n);
    return assign !== undefined ? `r${n} = ` : `r${n}`;
  });
  let hiLo = 0;
  if (code.includes('cpu.hi') || code.includes('cpu.lo')) {
    if (/cpu\.hi\b/.test(code)) hiLo |= 1;
    if (/cpu\.hi = (?!=)/.test(code)) hiLo |= 2;
    if (/cpu\.lo\b/.test(code)) hiLo |= 4;
    if (/cpu\.lo = (?!=)/.test(code)) hiLo |= 8;
    code = code.replace(/cpu\.hi\b/g, 'hi').replace(/cpu\.lo\b/g, 'lo');
  }
  const placeholders = code.includes('FAULT') || code.includes('SYNC') || code.includes('EXIT_AFTER');
  return { ...t, code, uses, writes, hiLo, placeholders };
}

function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16);
}

export class BlockCache {
  private compiledPages = new Set<MemoryPage>();
  /** Virtual page number → the pages holding code compiled for PCs in it (aliases of one page, remaps). */
  private readonly pagesByVirtual = new Map<number, Set<MemoryPage>>();
  private readonly virtualOf = new Map<MemoryPage, Set<number>>();
  compiledCount = 0;
  /**
   * How many times the dispatcher must reach a PC before the group there is compiled (1: at once).
   * Cold code is interpreted: making a JavaScript function and having the engine compile it costs
   * far more than interpreting code that runs a few times.
   */
  hotThreshold = HOT_THRESHOLD;

  constructor(private readonly cpu: MipsCpu) {}

  lookup(pc: number): CompiledBlock | null {
    if (pc & 3) return null;
    const page = this.cpu.xtab[pc >>> 22][(pc >>> 12) & 1023];
    if (page === null) return null;
    const index = (pc & 4095) >> 2;
    let blocks = page.blocks as (CompiledBlock | undefined)[] | null;
    let hits = 1;
    if (blocks !== null) {
      const b = blocks[index];
      if (b !== undefined && b.start === pc && b.regionVersion === this.cpu.regions.version) {
        if (b.hits < 0 || b.maxCount !== Infinity || ++b.hits < this.hotThreshold) return b;
        hits = b.hits;
      }
      if (b !== undefined) b.valid = false;
    }
    const block = hits >= this.hotThreshold ? this.compile(pc, page) : placeholder(pc, this.cpu.regions.version, hits);
    if (blocks === null) {
      blocks = new Array(1024);
      page.blocks = blocks;
      this.compiledPages.add(page);
      this.cpu.space.protectCode(page, true);
    }
    blocks[index] = block;
    return block;
  }

  /**
   * For the interpreter at a control transfer to `pc` (unsigned): true when the dispatcher should
   * take over there — compiled code waits at pc, or the code there just became hot, or pc has not
   * been seen yet (the dispatcher's lookup makes its placeholder). Otherwise counts the visit.
   */
  dispatchAt(pc: number): boolean {
    const page = this.cpu.xtab[pc >>> 22][(pc >>> 12) & 1023];
    if (page === null || page.blocks === null || pc & 3) return true;
    const b = (page.blocks as (CompiledBlock | undefined)[])[(pc & 4095) >> 2];
    if (b === undefined || b.start !== pc || b.regionVersion !== this.cpu.regions.version || b.maxCount !== Infinity) return true;
    if (b.hits < 0) return false;
    if (b.hits + 1 >= this.hotThreshold) return true;
    b.hits++;
    return false;
  }

  invalidatePage(page: MemoryPage): void {
    if (page.blocks === null) return;
    for (const b of page.blocks as (CompiledBlock | undefined)[]) if (b !== undefined) b.valid = false;
    page.blocks = null;
    this.compiledPages.delete(page);
    const vpns = this.virtualOf.get(page);
    if (vpns !== undefined) {
      for (const vpn of vpns) {
        const set = this.pagesByVirtual.get(vpn)!;
        set.delete(page);
        if (set.size === 0) this.pagesByVirtual.delete(vpn);
      }
      this.virtualOf.delete(page);
    }
    this.cpu.space.protectCode(page, false);
    this.cpu.recheck = true;
  }

  /**
   * Drops the compiled code made from bytes [offset, offset + length) of the page (the rest of the
   * page's code stays): a write there (a patched jump, a new block next to hot code) costs only the
   * code that contains it.
   */
  invalidateRange(page: MemoryPage, offset: number, length: number): void {
    const blocks = page.blocks as (CompiledBlock | undefined)[] | null;
    if (blocks === null) return;
    const from = offset & ~3;
    const to = offset + length;
    let left = 0;
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i];
      if (b === undefined) continue;
      const cover = b.cover;
      let hit = false;
      for (let k = 0; k < cover.length; k += 2) {
        if (cover[k] < to && from < cover[k + 1]) {
          hit = true;
          break;
        }
      }
      if (hit) {
        b.valid = false;
        blocks[i] = undefined;
      } else left++;
    }
    if (left === 0) this.invalidatePage(page);
    this.cpu.recheck = true;
  }

  /** Drops the compiled code holding the instruction at virtual `pc` (whatever page it was compiled from). */
  invalidateAt(pc: number): void {
    const pages = this.pagesByVirtual.get(pc >>> 12);
    if (pages === undefined) return;
    for (const page of [...pages]) this.invalidateRange(page, pc & 4095, 4);
  }

  flush(): void {
    for (const page of [...this.compiledPages]) this.invalidatePage(page);
  }

  /**
   * Translations by PC with the word they were made from: groups overlap (every entry's group
   * takes in the blocks it reaches), so the same instructions are translated again and again.
   */
  private readonly translations = new Map<number, { word: number; t: PreparedTranslation }>();

  private translateAt(page: MemoryPage, pc: number): PreparedTranslation {
    const word = page.i32[(pc & 4095) >> 2];
    let e = this.translations.get(pc);
    if (e === undefined || e.word !== word) {
      if (this.translations.size >= TRANSLATION_CACHE_SIZE) this.translations.clear();
      e = { word, t: prepare(translate(word, pc)) };
      this.translations.set(pc, e);
    }
    return e.t;
  }

  /** Scans one basic block at `start` (null when its first instruction cannot be compiled). */
  private scan(start: number, page: MemoryPage, limit: number): ScannedBlock | null {
    const bps = this.cpu.breakpoints;
    const parts: PreparedTranslation[] = [];
    let pc = start;
    let endsWithBranch = false;
    while (pc < limit && parts.length < MAX_BLOCK) {
      if (pc !== start && bps.size !== 0 && bps.has(pc)) break;
      const t = this.translateAt(page, pc);
      if (t.kind === Kind.Stop) break;
      if (t.kind === Kind.Plain) {
        parts.push(t);
        pc += 4;
        continue;
      }
      // A control transfer: needs its delay slot in the same page and region, compilable, no breakpoint.
      const slot = pc + 4;
      if (slot >= limit || (bps.size !== 0 && bps.has(slot))) break;
      const st = this.translateAt(page, slot);
      if (st.kind !== Kind.Plain) break;
      parts.push(t, st);
      endsWithBranch = true;
      break;
    }
    if (parts.length === 0) return null;
    return { start, parts, endsWithBranch };
  }

  /**
   * Compiles the block at `start` together with the blocks it reaches by static branches inside the
   * same page and region (a group): control moves between them inside one function.
   */
  private compile(start: number, page: MemoryPage): CompiledBlock {
    const cpu = this.cpu;
    const version = cpu.regions.version;
    const span = cpu.regions.lookup(start);
    const pageStart = (start >>> 12) * 4096;
    const lo = Math.max(pageStart, span.start);
    const hi = Math.min(pageStart + 4096, span.end);
    const bps = cpu.breakpoints;
    const first = this.scan(start, page, hi);
    if (first === null) return placeholder(start, version, -1);
    const group: ScannedBlock[] = [first];
    const seen = new Set<number>([start]);
    for (let i = 0; i < group.length && group.length < MAX_GROUP; i++) {
      const b = group[i];
      const n = b.parts.length;
      const succ: number[] = [];
      const fall = b.start + 4 * n;
      if (!b.endsWithBranch) succ.push(fall);
      else {
        const br = b.parts[n - 2];
        if (br.target !== undefined) succ.push(br.target);
        if (br.kind === Kind.Branch || br.kind === Kind.Likely) succ.push(fall);
      }
      for (const t of succ) {
        if (t < lo || t >= hi || seen.has(t) || (bps.size !== 0 && bps.has(t))) continue;
        seen.add(t);
        const nb = this.scan(t, page, hi);
        if (nb !== null && group.length < MAX_GROUP) group.push(nb);
      }
    }
    const { source, entryBudget, exits } = generateGroup(group, span.id, bps.has(start));
    const cover: number[] = [];
    for (const b of group) cover.push(b.start & 4095, (b.start & 4095) + 4 * b.parts.length);
    const vpn = start >>> 12;
    let pages = this.pagesByVirtual.get(vpn);
    if (pages === undefined) this.pagesByVirtual.set(vpn, (pages = new Set()));
    pages.add(page);
    let vpns = this.virtualOf.get(page);
    if (vpns === undefined) this.virtualOf.set(page, (vpns = new Set()));
    vpns.add(vpn);
    // The same code at the same addresses (a page rewritten around unchanged code, e.g. a code
    // cache filling up) reuses the parsed function. Its exits are an argument (not source text: a
    // fifth of it, parsed for nothing), so they are part of the key.
    const key = source + JSON.stringify(exits);
    let factory = factories.get(key);
    if (factory === undefined) {
      factory = new Function('mulHS', 'mulHU', 'Z8', 'Z16', 'Z32', 'exitAt', 'EXITS', source) as GroupFactory;
      if (factories.size >= FACTORY_CACHE_SIZE) factories.clear();
      factories.set(key, factory);
    }
    this.compiledCount++;
    return {
      start,
      valid: true,
      next0: null,
      next1: null,
      maxCount: entryBudget,
      regionVersion: version,
      hits: 0,
      run: factory(mulHighSigned, mulHighUnsigned, NO_BYTES, NO_HALVES, NO_WORDS, exitAt, exits),
      length: first.parts.length,
      source,
      cover,
    };
  }
}

interface ScannedBlock {
  start: number;
  parts: PreparedTranslation[];
  endsWithBranch: boolean;
}

const TRANSLATION_CACHE_SIZE = 1 << 16;

const MAX_GROUP = 16;

type GroupFactory = (
  a: typeof mulHighSigned,
  b: typeof mulHighUnsigned,
  z8: Uint8Array,
  z16: Uint16Array,
  z32: Int32Array,
  exit: typeof exitAt,
  exits: readonly GroupExit[],
) => CompiledBlock['run'];

/**
 * How a compiled group leaves at an instruction that faults (fault) or stores through the slow path
 * (the group stops right after it): the instruction's pc, whether it is a delay slot (then the
 * branch's targets, or the jump register's value `bt`), the exception code (-1: the one the slow
 * path left in cpu.faultCode), whether BadVAddr is the address `eb`, and how many instructions of
 * the block completed before the group stops.
 */
interface GroupExit {
  fault: boolean;
  code: number;
  badAddress: boolean;
  before: number;
  pc: number;
  inSlot: boolean;
  taken: number;
  fall: number;
  viaRegister: boolean;
}

class GroupExits {
  readonly list: GroupExit[] = [];
  private readonly ids = new Map<string, number>();
  id(x: GroupExit): number {
    const key = JSON.stringify(x);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.list.push(x) - 1;
      this.ids.set(key, id);
    }
    return id;
  }
}

/** Finishes a group's exit `x` (registers already written back); n = instructions of earlier blocks. */
function exitAt(cpu: MipsCpu, x: GroupExit, taken: boolean, bt: number, badAddress: number, n: number, regionId: number): void {
  const count = n + x.before;
  const next = !x.inSlot ? x.fall : x.viaRegister ? bt >>> 0 : taken ? x.taken : x.fall;
  if (x.fault) {
    let code = x.code;
    if (code < 0) {
      code = cpu.faultCode;
      cpu.faultCode = -1;
    }
    cpu.blockFault(code, x.pc | 0, x.inSlot, x.inSlot ? next : 0, x.badAddress ? badAddress : undefined, count, regionId);
    return;
  }
  cpu.pc = next;
  cpu.instructionCount += count;
  cpu.regions.counts[regionId] += count;
}
// Initial values of the cached page views, so the JIT sees one type for each from the start.
const NO_BYTES = new Uint8Array(4096);
const NO_HALVES = new Uint16Array(2048);
const NO_WORDS = new Int32Array(1024);
const FACTORY_CACHE_SIZE = 4096;
const factories = new Map<string, GroupFactory>();


/**
 * JavaScript for one instruction. Conventions inside a block function: r = regs, R/W = read/write
 * page tables, a/v/p scratch, t = branch taken, bt = branch target, FAULT(code, bad) / EXIT_AFTER
 * are placeholders the generator fills per instruction.
 */
function translate(w: number, pc: number): Translated {
  const op = w >>> 26;
  const rs = (w >>> 21) & 31;
  const rt = (w >>> 16) & 31;
  const rd = (w >>> 11) & 31;
  const sa = (w >>> 6) & 31;
  const imm = (w << 16) >> 16;
  const uimm = w & 0xffff;
  const R = (n: number) => (n === 0 ? '0' : `r[${n}]`);
  // x + k as int32 with the zero cases folded (register values are always int32 already): less
  // for V8 to parse and for its first tiers to run.
  const sum = (x: string, k: number): string => (x === '0' ? `${k | 0}` : k === 0 ? x : `(${x} + ${k}) | 0`);
  const either0 = (x: string, y: string, both: string): string => (x === '0' ? y : y === '0' ? x : both);
  const set = (n: number, expr: string) => (n === 0 ? '' : `r[${n}] = ${expr};`);
  const plain = (code: string): Translated => ({ kind: Kind.Plain, code });
  const STOP: Translated = { kind: Kind.Stop, code: '' };
  const branchTarget = (pc + 4 + (imm << 2)) >>> 0;
  // Memory: each load or store instruction keeps the page it last used in two locals of its own
  // (pbN = the page's base address or -1, and one view of it: puN bytes, phN halves, pwN words; N =
  // the instruction's word index in the page), an inline cache. One compare of the address masked to
  // page and alignment bits against the base checks both the page and the alignment; a miss goes to
  // the alignment check, the page tables and the slow path. size 0: any alignment (lwl/lwr).
  const site = (pc & 4095) >> 2;
  const keyMask = (size: number) => (size === 4 ? -4093 : size === 2 ? -4095 : -4096);
  const alignCheck = (size: number, code: number) => (size === 4 ? `if (a & 3) FAULT(${code}, a); ` : size === 2 ? `if (a & 1) FAULT(${code}, a); ` : '');
  const view = (size: number) => (size === 1 ? [`pu${site}`, 'u8', 'a & 4095'] : size === 2 ? [`ph${site}`, 'u16', '(a & 4095) >> 1'] : [`pw${site}`, 'i32', '(a & 4095) >> 2']);
  // `after`: the rest of the instruction (the register write). A slow load (MMIO) that made the
  // CPU need its dispatcher (an interrupt line, a device deadline) ends the group right after it.
  const load = (size: 0 | 1 | 2 | 4, after: string) => {
    const [pv, field, index] = view(size === 0 ? 4 : size);
    const read = `${pv}[${size === 0 ? '(a & 4092) >> 2' : index}]`;
    return (
      `a = ${sum(R(rs), imm)}; if ((a & ${keyMask(size)}) === pb${site}) v = ${read}; else { ${alignCheck(size, 4)}p = R[a >>> 22][(a >>> 12) & 1023]; ` +
      `if (p !== null) { pb${site} = a & -4096; ${pv} = p.${field}; v = ${read}; } ` +
      `else { SYNC v = cpu.loadSlow(${size === 0 ? 'a & ~3' : 'a'}, ${size === 0 ? 4 : size}); UNSYNC if (cpu.faultCode >= 0) FAULT_PENDING(a); ` +
      `if (cpu.recheck) { ${after} EXIT_AFTER; } } } ${after}`
    );
  };
  const store = (size: 1 | 2 | 4, value: string, slowValue: string) => {
    const [pv, field, index] = view(size);
    const write = `${pv}[${index}] = ${value};`;
    return (
      `a = ${sum(R(rs), imm)}; if ((a & ${keyMask(size)}) === pb${site}) ${write} else { ${alignCheck(size, 5)}p = W[a >>> 22][(a >>> 12) & 1023]; ` +
      `if (p !== null) { pb${site} = a & -4096; ${pv} = p.${field}; ${write} } ` +
      `else { SYNC cpu.storeSlow(a, ${size}, ${slowValue}); UNSYNC if (cpu.faultCode >= 0) FAULT_PENDING(a); EXIT_AFTER; } }`
    );
  };
  switch (op) {
    case 0x00: {
      switch (w & 63) {
        case 0x00: return plain(set(rd, `${R(rt)} << ${sa}`));
        case 0x02: return plain(set(rd, rs === 1 && sa !== 0 ? `(${R(rt)} >>> ${sa}) | (${R(rt)} << ${32 - sa})` : `(${R(rt)} >>> ${sa}) | 0`));
        case 0x03: return plain(set(rd, `${R(rt)} >> ${sa}`));
        case 0x04: return plain(set(rd, `${R(rt)} << (${R(rs)} & 31)`));
        case 0x06:
          return plain(set(rd, sa === 1 ? `(v = ${R(rs)} & 31, (${R(rt)} >>> v) | (${R(rt)} << (32 - v)))` : `(${R(rt)} >>> (${R(rs)} & 31)) | 0`));
        case 0x07: return plain(set(rd, `${R(rt)} >> (${R(rs)} & 31)`));
        case 0x08: return { kind: Kind.JumpReg, code: `bt = ${R(rs)};` };
        case 0x09: return { kind: Kind.JumpReg, code: `bt = ${R(rs)};` + set(rd, `${(pc + 8) | 0}`) };
        case 0x0a: return plain(rd === 0 ? '' : `if (${R(rt)} === 0) r[${rd}] = ${R(rs)};`);
        case 0x0b: return plain(rd === 0 ? '' : `if (${R(rt)} !== 0) r[${rd}] = ${R(rs)};`);
        case 0x0f: return plain('');
        case 0x10: return plain(set(rd, 'cpu.hi'));
        case 0x11: return plain(`cpu.hi = ${R(rs)};`);
        case 0x12: return plain(set(rd, 'cpu.lo'));
        case 0x13: return plain(`cpu.lo = ${R(rs)};`);
        case 0x18: return plain(`cpu.lo = Math.imul(${R(rs)}, ${R(rt)}); cpu.hi = mulHS(${R(rs)}, ${R(rt)});`);
        case 0x19: return plain(`cpu.lo = Math.imul(${R(rs)}, ${R(rt)}); cpu.hi = mulHU(${R(rs)} >>> 0, ${R(rt)} >>> 0) | 0;`);
        case 0x1a:
          return plain(`a = ${R(rs)}; v = ${R(rt)}; if (v === 0) { cpu.hi = a; cpu.lo = a < 0 ? 1 : -1; } else { cpu.lo = (a / v) | 0; cpu.hi = (a % v) | 0; }`);
        case 0x1b:
          return plain(`a = ${R(rs)} >>> 0; v = ${R(rt)} >>> 0; if (v === 0) { cpu.hi = a | 0; cpu.lo = -1; } else { cpu.lo = (a / v) | 0; cpu.hi = (a % v) | 0; }`);
        case 0x20:
          return plain(`v = (${R(rs)} + ${R(rt)}) | 0; if ((${R(rs)} ^ v) & (${R(rt)} ^ v) & 0x80000000) FAULT(12); ` + set(rd, 'v'));
        case 0x21: return plain(set(rd, either0(R(rs), R(rt), `(${R(rs)} + ${R(rt)}) | 0`)));
        case 0x22:
          return plain(`v = (${R(rs)} - ${R(rt)}) | 0; if ((${R(rs)} ^ ${R(rt)}) & (${R(rs)} ^ v) & 0x80000000) FAULT(12); ` + set(rd, 'v'));
        case 0x23: return plain(set(rd, `(${R(rs)} - ${R(rt)}) | 0`));
        case 0x24: return plain(set(rd, `${R(rs)} & ${R(rt)}`));
        case 0x25: return plain(set(rd, either0(R(rs), R(rt), `${R(rs)} | ${R(rt)}`)));
        case 0x26: return plain(set(rd, `${R(rs)} ^ ${R(rt)}`));
        case 0x27: return plain(set(rd, `~(${R(rs)} | ${R(rt)})`));
        case 0x2a: return plain(set(rd, `${R(rs)} < ${R(rt)} ? 1 : 0`));
        case 0x2b: return plain(set(rd, `(${R(rs)} >>> 0) < (${R(rt)} >>> 0) ? 1 : 0`));
        case 0x30: return plain(`if (${R(rs)} >= ${R(rt)}) FAULT(13);`);
        case 0x31: return plain(`if ((${R(rs)} >>> 0) >= (${R(rt)} >>> 0)) FAULT(13);`);
        case 0x32: return plain(`if (${R(rs)} < ${R(rt)}) FAULT(13);`);
        case 0x33: return plain(`if ((${R(rs)} >>> 0) < (${R(rt)} >>> 0)) FAULT(13);`);
        case 0x34: return plain(`if (${R(rs)} === ${R(rt)}) FAULT(13);`);
        case 0x36: return plain(`if (${R(rs)} !== ${R(rt)}) FAULT(13);`);
        default: return STOP;
      }
    }
    case 0x01: {
      switch (rt) {
        case 0x00: case 0x01: case 0x02: case 0x03:
        case 0x10: case 0x11: case 0x12: case 0x13: {
          const cond = rt & 1 ? `${R(rs)} >= 0` : `${R(rs)} < 0`;
          const link = rt & 0x10 ? `r[31] = ${(pc + 8) | 0};` : '';
          return { kind: rt & 2 ? Kind.Likely : Kind.Branch, code: `t = ${cond};` + link, target: branchTarget };
        }
        case 0x08: return plain(`if (${R(rs)} >= ${imm}) FAULT(13);`);
        case 0x09: return plain(`if ((${R(rs)} >>> 0) >= ${imm >>> 0}) FAULT(13);`);
        case 0x0a: return plain(`if (${R(rs)} < ${imm}) FAULT(13);`);
        case 0x0b: return plain(`if ((${R(rs)} >>> 0) < ${imm >>> 0}) FAULT(13);`);
        case 0x0c: return plain(`if (${R(rs)} === ${imm}) FAULT(13);`);
        case 0x0e: return plain(`if (${R(rs)} !== ${imm}) FAULT(13);`);
        case 0x1f: return plain('');
        default: return STOP;
      }
    }
    case 0x02: case 0x03: {
      const target = (((pc + 4) & 0xf0000000) | ((w & 0x3ffffff) << 2)) >>> 0;
      return { kind: Kind.Jump, code: op === 3 ? `r[31] = ${(pc + 8) | 0};` : '', target };
    }
    case 0x04: case 0x05: case 0x06: case 0x07:
    case 0x14: case 0x15: case 0x16: case 0x17: {
      const k = op & 3;
      const cond = k === 0 ? `${R(rs)} === ${R(rt)}` : k === 1 ? `${R(rs)} !== ${R(rt)}` : k === 2 ? `${R(rs)} <= 0` : `${R(rs)} > 0`;
      return { kind: op & 0x10 ? Kind.Likely : Kind.Branch, code: `t = ${cond};`, target: branchTarget };
    }
    case 0x08:
      return plain(`v = (${R(rs)} + ${imm}) | 0; if ((${R(rs)} ^ v) & (${imm} ^ v) & 0x80000000) FAULT(12); ` + set(rt, 'v'));
    case 0x09: return plain(set(rt, sum(R(rs), imm)));
    case 0x0a: return plain(set(rt, `${R(rs)} < ${imm} ? 1 : 0`));
    case 0x0b: return plain(set(rt, `(${R(rs)} >>> 0) < ${imm >>> 0} ? 1 : 0`));
    case 0x0c: return plain(set(rt, `${R(rs)} & ${uimm}`));
    case 0x0d: return plain(set(rt, either0(R(rs), `${uimm}`, `${R(rs)} | ${uimm}`)));
    case 0x0e: return plain(set(rt, `${R(rs)} ^ ${uimm}`));
    case 0x0f: return plain(set(rt, `${(w << 16) | 0}`));
    case 0x1c: {
      switch (w & 63) {
        case 0x00: case 0x01: case 0x04: case 0x05: {
          const fn = w & 63;
          const hiExpr = fn & 1 ? `mulHU(${R(rs)} >>> 0, ${R(rt)} >>> 0)` : `(mulHS(${R(rs)}, ${R(rt)}) >>> 0)`;
          return plain(
            `p = Math.imul(${R(rs)}, ${R(rt)}) >>> 0; v = ${hiExpr}; a = cpu.lo >>> 0; ` +
              (fn < 4
                ? `cpu.lo = (a + p) | 0; cpu.hi = (cpu.hi + v + (a + p >= 4294967296 ? 1 : 0)) | 0;`
                : `cpu.lo = (a - p) | 0; cpu.hi = (cpu.hi - v - (a < p ? 1 : 0)) | 0;`),
          );
        }
        case 0x02: return plain(set(rd, `Math.imul(${R(rs)}, ${R(rt)})`));
        case 0x20: return plain(set(rd, `Math.clz32(${R(rs)})`));
        case 0x21: return plain(set(rd, `Math.clz32(~${R(rs)})`));
        default: return STOP;
      }
    }
    case 0x1f: {
      switch (w & 63) {
        case 0x00: {
          const size = rd + 1;
          return plain(set(rt, size + sa >= 32 ? `(${R(rs)} >>> ${sa}) | 0` : `(${R(rs)} >>> ${sa}) & ${(1 << size) - 1}`));
        }
        case 0x04: {
          if (rd < sa) return plain('');
          const size = rd - sa + 1;
          const mask = ((size >= 32 ? -1 : (1 << size) - 1) << sa) | 0;
          return plain(set(rt, `(${R(rt)} & ${~mask}) | ((${R(rs)} << ${sa}) & ${mask})`));
        }
        case 0x20:
          if (sa === 0x02) return plain(set(rd, `((${R(rt)} & 0x00ff00ff) << 8) | ((${R(rt)} >>> 8) & 0x00ff00ff)`));
          if (sa === 0x10) return plain(set(rd, `(${R(rt)} << 24) >> 24`));
          if (sa === 0x18) return plain(set(rd, `(${R(rt)} << 16) >> 16`));
          return STOP;
        default: return STOP;
      }
    }
    // Loads: `a` is the address; the load is done (for its faults) even when rt is zero.
    case 0x20: case 0x24:
      return plain(load(1, set(rt, op === 0x20 ? '(v << 24) >> 24' : 'v')));
    case 0x21: case 0x25:
      return plain(load(2, set(rt, op === 0x21 ? '(v << 16) >> 16' : 'v')));
    case 0x23: case 0x30:
      return plain(load(4, set(rt, 'v') + (op === 0x30 ? ' cpu.llBit = true; cpu.llAddr = a;' : '')));
    case 0x22: case 0x26: {
      const merge =
        op === 0x26
          ? `v = (a & 3) === 0 ? v : (v >>> ((a & 3) * 8)) | (${R(rt)} & ~(-1 >>> ((a & 3) * 8)));`
          : `v = (a & 3) === 3 ? v : (v << (24 - (a & 3) * 8)) | (${R(rt)} & ((1 << (24 - (a & 3) * 8)) - 1));`;
      return plain(load(0, rt === 0 ? '' : merge + ` r[${rt}] = v;`));
    }
    // Stores: a slow store ends the block right after the instruction (EXIT_AFTER).
    case 0x28: return plain(store(1, R(rt), `${R(rt)} & 0xff`));
    case 0x29: return plain(store(2, R(rt), `${R(rt)} & 0xffff`));
    case 0x2b: return plain(store(4, R(rt), R(rt)));
    case 0x38:
      return plain(
        `a = ${sum(R(rs), imm)}; if (a & 3) FAULT(5, a); if (cpu.llBit) { ` +
          `if ((a & -4096) === pb${site}) pw${site}[(a & 4095) >> 2] = ${R(rt)}; else { p = W[a >>> 22][(a >>> 12) & 1023]; if (p !== null) { pb${site} = a & -4096; pw${site} = p.i32; pw${site}[(a & 4095) >> 2] = ${R(rt)}; } ` +
          `else { SYNC cpu.storeSlow(a, 4, ${R(rt)}); UNSYNC if (cpu.faultCode >= 0) FAULT_PENDING(a); v = 1; cpu.llBit = false; ${set(rt, '1')} EXIT_AFTER; } } v = 1; } else v = 0; cpu.llBit = false; ` +
          set(rt, 'v'),
      );
    case 0x2a: case 0x2e: {
      const merge =
        op === 0x2e
          ? `v = (a & 3) === 0 ? ${R(rt)} : (v & ((1 << ((a & 3) * 8)) - 1)) | (${R(rt)} << ((a & 3) * 8));`
          : `v = (a & 3) === 3 ? ${R(rt)} : (v & ~(-1 >>> (24 - (a & 3) * 8))) | (${R(rt)} >>> (24 - (a & 3) * 8));`;
      return plain(
        `a = ${sum(R(rs), imm)}; p = W[a >>> 22][(a >>> 12) & 1023]; if (p !== null && R[a >>> 22][(a >>> 12) & 1023] !== null) { v = p.i32[(a & 4092) >> 2]; ${merge} p.i32[(a & 4092) >> 2] = v; } ` +
          `else { SYNC cpu.storePartialSlow(${w | 0}, a, ${R(rt)}); UNSYNC if (cpu.faultCode >= 0) FAULT_PENDING(a); EXIT_AFTER; }`,
      );
    }
    case 0x33: return plain(''); // pref
    default: return STOP;
  }
}

/** The group's control flow: successors inside the group by block index, and how each edge is taken. */
interface GroupShape {
  /** Block indices in emission order (the entry first). */
  order: number[];
  /** For each block index: its position in `order`. */
  pos: number[];
  /** Loops by header position: end position (exclusive); the loop's blocks fill [header, end). */
  loopEnd: Map<number, number>;
  /** Per position: the position of the innermost loop header whose loop contains it (not counting a loop it heads), or -1. */
  owner: number[];
  /** Forward edges taken as `break` out of a labelled block ending before the target: target positions. */
  labelled: Set<number>;
  /** Per block index and successor index: the edge leaves the function (not structurable). */
  exits: Set<string>;
}

/**
 * Orders the blocks so that every edge inside the group is a fall-through, a `break` to a label
 * just before its target (forward), or a `continue` of a loop (back edge to a loop header): loops
 * become JavaScript loops, with no dispatch between blocks. Edges that do not fit that shape
 * (irreducible control flow) leave the function; the dispatcher continues there.
 */
function shapeGroup(succ: number[][], root: number): GroupShape {
  const m = succ.length;
  // Depth-first numbering (reverse postorder) from the entry.
  const rpo: number[] = [];
  const seen = new Uint8Array(m);
  const visit = (b: number) => {
    seen[b] = 1;
    for (const s of succ[b]) if (!seen[s]) visit(s);
    rpo.push(b);
  };
  visit(root);
  rpo.reverse();
  const rpoIndex = new Array<number>(m).fill(-1);
  rpo.forEach((b, i) => (rpoIndex[b] = i));
  const preds: number[][] = Array.from({ length: m }, () => []);
  for (let b = 0; b < m; b++) if (rpoIndex[b] >= 0) for (const s of succ[b]) preds[s].push(b);
  // Immediate dominators (Cooper, Harvey, Kennedy).
  const idom = new Array<number>(m).fill(-1);
  idom[root] = root;
  for (let changed = true; changed; ) {
    changed = false;
    for (const b of rpo) {
      if (b === root) continue;
      let d = -1;
      for (const q of preds[b]) {
        if (idom[q] < 0) continue;
        if (d < 0) d = q;
        else {
          let x = q;
          let y = d;
          while (x !== y) {
            while (rpoIndex[x] > rpoIndex[y]) x = idom[x];
            while (rpoIndex[y] > rpoIndex[x]) y = idom[y];
          }
          d = x;
        }
      }
      if (d !== idom[b]) {
        idom[b] = d;
        changed = true;
      }
    }
  }
  const dominates = (a: number, b: number) => {
    for (let x = b; ; x = idom[x]) {
      if (x === a) return true;
      if (x === root || x < 0) return false;
    }
  };
  const exits = new Set<string>();
  // Back edges (target dominates source) make natural loops; other retreating edges are irreducible.
  const loopBlocks = new Map<number, Set<number>>();
  const isBack = (b: number, s: number) => rpoIndex[s] <= rpoIndex[b];
  for (let b = 0; b < m; b++) {
    if (rpoIndex[b] < 0) continue;
    succ[b].forEach((s, k) => {
      if (!isBack(b, s)) return;
      if (!dominates(s, b)) {
        exits.add(`${b}:${k}`);
        return;
      }
      let body = loopBlocks.get(s);
      if (body === undefined) loopBlocks.set(s, (body = new Set([s])));
      const work = [b];
      while (work.length > 0) {
        const x = work.pop()!;
        if (body.has(x)) continue;
        body.add(x);
        for (const q of preds[x]) work.push(q);
      }
    });
  }
  const inLoop = (h: number, b: number) => loopBlocks.get(h)!.has(b);
  // Topological order of the forward edges that keeps each loop's blocks together.
  const forwardIn = new Array<number>(m).fill(0);
  for (let b = 0; b < m; b++) {
    if (rpoIndex[b] >= 0) succ[b].forEach((s, k) => { if (!isBack(b, s) && !exits.has(`${b}:${k}`)) forwardIn[s]++; });
  }
  const order: number[] = [];
  const placed = new Uint8Array(m);
  const ready = [root];
  const stack: number[] = [];
  while (ready.length > 0) {
    while (stack.length > 0 && [...loopBlocks.get(stack[stack.length - 1])!].every((x) => placed[x])) stack.pop();
    let pick = -1;
    for (let i = 0; i < ready.length; i++) {
      const b = ready[i];
      if (stack.length > 0 && !inLoop(stack[stack.length - 1], b)) continue;
      if (pick < 0 || rpoIndex[b] < rpoIndex[ready[pick]]) pick = i;
    }
    if (pick < 0) pick = 0; // not expected for reducible flow; the checks below keep it correct
    const b = ready.splice(pick, 1)[0];
    placed[b] = 1;
    order.push(b);
    if (loopBlocks.has(b)) stack.push(b);
    succ[b].forEach((s, k) => {
      if (isBack(b, s) || exits.has(`${b}:${k}`)) return;
      if (--forwardIn[s] === 0) ready.push(s);
    });
  }
  const pos = new Array<number>(m).fill(-1);
  order.forEach((b, i) => (pos[b] = i));
  // Loops whose blocks are contiguous in the order (others: their back edges leave the function).
  const loopEnd = new Map<number, number>();
  const headers = [...loopBlocks.keys()].sort((x, y) => pos[x] - pos[y]);
  for (const h of headers) {
    const body = loopBlocks.get(h)!;
    let hi = -1;
    let ok = true;
    for (const x of body) {
      if (pos[x] < pos[h]) ok = false;
      hi = Math.max(hi, pos[x]);
    }
    if (ok && hi - pos[h] + 1 !== body.size) ok = false;
    // Properly nested with the loops already accepted.
    for (const [ph, pe] of loopEnd) if (ok && pos[h] > ph && pos[h] < pe && hi + 1 > pe) ok = false;
    if (ok) loopEnd.set(pos[h], hi + 1);
  }
  const owner = new Array<number>(order.length).fill(-1);
  for (let q = 0; q < order.length; q++) {
    let best = -1;
    for (const [ph, pe] of loopEnd) if (ph < q && q < pe && ph > best) best = ph;
    owner[q] = best;
  }
  const labelled = new Set<number>();
  for (let b = 0; b < m; b++) {
    if (pos[b] < 0) continue;
    succ[b].forEach((s, k) => {
      const key = `${b}:${k}`;
      if (exits.has(key)) return;
      const from = pos[b];
      const to = pos[s];
      if (to < 0) {
        exits.add(key);
        return;
      }
      if (to <= from) {
        // A back edge: `continue` of the loop headed by its target, which must contain the source.
        const end = loopEnd.get(to);
        if (end === undefined || from >= end) exits.add(key);
        return;
      }
      if (to === from + 1) return; // fall-through
      // A forward edge: `break` out of a block that opens with the target's owning loop (or the
      // function) and closes just before the target; the source must be inside that owner.
      const o = owner[to];
      const oEnd = o < 0 ? order.length : loopEnd.get(o)!;
      if (from < o || from >= oEnd) exits.add(key);
      else labelled.add(to);
    });
  }
  return { order, pos, loopEnd, owner, labelled, exits };
}

/**
 * One function for a group of blocks, structured: loops are `for (;;)` with `continue`, forward
 * edges `break` out of labelled blocks. Before each block it checks that the block fits in the
 * budget (so timer events and limits are hit exactly); a PC outside the group, or a block that does
 * not fit, leaves the function.
 *
 * A group entered in the middle of a loop nest is irreducible from its entry: the edges that do not
 * fit the structure go to a copy of the group's code rooted at their target (up to MAX_COPIES
 * copies, chosen by a switch), where the loops are whole again.
 */
function generateGroup(group: ScannedBlock[], regionId: number, entryIsBreakpoint: boolean): { source: string; entryBudget: number; exits: readonly GroupExit[] } {
  const indexOf = new Map<number, number>();
  group.forEach((b, i) => indexOf.set(b.start >>> 0, i));
  const succTargets = group.map((b) => successors(b));
  const succ = succTargets.map((ts) => ts.filter((t) => indexOf.has(t)).map((t) => indexOf.get(t)!));
  const roots = [0];
  const copies: string[] = [];
  const exits = new GroupExits();
  let entryBudget = 0;
  let switched = false;
  for (let c = 0; c < roots.length; c++) {
    const copyOf = (bi: number): number => {
      let k = roots.indexOf(bi);
      if (k < 0 && roots.length < MAX_COPIES) k = roots.push(bi) - 1;
      if (k >= 0) switched = true;
      return k;
    };
    const code = structuredCode(group, succTargets, succ, indexOf, roots[c], `${c}_`, entryIsBreakpoint, copyOf, exits);
    if (c === 0) entryBudget = code.entryBudget;
    copies.push(code.text);
  }
  let text = !switched ? `run: {\n${copies[0]}\n}` : `run: for (;;) { switch (ci) {\n${copies.map((t, c) => `case ${c}: {\n${t}\n}`).join('\n')}\n} break; }`;
  // Guest registers (and HI/LO) live in locals inside the function, so the JIT can keep them in
  // machine registers; the ones the group writes are written back before every exit.
  let usedMask = 0;
  let writtenMask = 0;
  let hiLo = 0;
  for (const b of group) {
    for (const part of b.parts) {
      usedMask |= part.uses;
      writtenMask |= part.writes;
      hiLo |= part.hiLo;
    }
  }
  const used: number[] = [];
  const written: number[] = [];
  for (let n = 0; n < 32; n++) {
    if ((usedMask >>> n) & 1) used.push(n);
    if ((writtenMask >>> n) & 1) written.push(n);
  }
  const usesHi = (hiLo & 1) !== 0;
  const writesHi = (hiLo & 2) !== 0;
  const usesLo = (hiLo & 4) !== 0;
  const writesLo = (hiLo & 8) !== 0;
  const regs = used;
  const load = regs.map((n) => `r${n} = r[${n}]`);
  if (usesHi) load.push('hi = cpu.hi');
  if (usesLo) load.push('lo = cpu.lo');
  const store = written.map((n) => `r[${n}] = r${n};`);
  if (writesHi) store.push('cpu.hi = hi;');
  if (writesLo) store.push('cpu.lo = lo;');
  const out: string[] = [];
  // Parenthesized: V8 compiles the function with the factory instead of parsing it twice (lazily).
  out.push(`return (function group_${(group[0].start >>> 0).toString(16)}(cpu, budget) {`);
  out.push('const r = cpu.regs, R = cpu.rtab, W = cpu.wtab, ic = cpu.instructionCount;');
  // The budget as a small integer (it may arrive as a double or Infinity): comparisons stay integer
  // ones. A smaller limit than given only makes the function return early, with the PC exact.
  out.push('const lim = budget < 1073741823 ? budget | 0 : 1073741823;');
  out.push(`let a = 0, v = 0, p = null, t = false, bt = 0, n = 0, ci = 0, ek = -1, eb = 0, pc = ${group[0].start | 0};`);
  // The memory instructions' page caches (see translate).
  const sites = new Set<string>(text.match(/\bp[bhuw]\d+\b/g) ?? []);
  const initial: Record<string, string> = { b: '-1', u: 'Z8', h: 'Z16', w: 'Z32' };
  if (sites.size > 0) out.push(`let ${[...sites].map((name) => `${name} = ${initial[name[1]]}`).join(', ')};`);
  if (load.length > 0) out.push(`let ${load.join(', ')};`);
  out.push(text);
  out.push(store.join(' '));
  // Faults and slow stores (ek = their exit's index) are rare: one shared function finishes them.
  out.push(`if (ek >= 0) { exitAt(cpu, EXITS[ek], t, bt, eb, n, ${regionId}); return; }`);
  out.push('cpu.pc = pc >>> 0;');
  out.push(`cpu.instructionCount += n; cpu.regions.counts[${regionId}] += n;`);
  out.push('});');
  return { source: out.join('\n'), entryBudget, exits: exits.list };
}

const MAX_COPIES = 4;

/**
 * The structured code of the blocks reachable from `root` (labels prefixed by `tag`). An edge the
 * structure cannot express goes to the copy rooted at its target (copyOf gives its number, or -1:
 * none, leave the function).
 */
function structuredCode(
  group: ScannedBlock[],
  succTargets: number[][],
  succ: number[][],
  indexOf: Map<number, number>,
  root: number,
  tag: string,
  entryIsBreakpoint: boolean,
  copyOf: (blockIndex: number) => number,
  exits: GroupExits,
): { text: string; entryBudget: number } {
  const { order, pos, loopEnd, owner, labelled, exits: leaving } = shapeGroup(succ, root);
  const m = order.length;
  // The budget is checked at the root and at loop headers only: each check asks for the most
  // instructions that can run before the next check (the longest path of forward edges to a loop
  // header, a back edge or an exit), so the function never runs past the budget.
  const structural = (bi: number, si: number) => !leaving.has(`${bi}:${succ[bi].indexOf(si)}`);
  const isCheck = (q: number) => q === 0 || loopEnd.has(q);
  const longest = new Array<number>(m).fill(0);
  for (let q = m - 1; q >= 0; q--) {
    const bi = order[q];
    let after = 0;
    for (const si of succ[bi]) {
      const to = pos[si];
      if (to > q && structural(bi, si) && !isCheck(to)) after = Math.max(after, longest[to]);
    }
    longest[q] = group[bi].parts.length + after;
  }
  const body: string[] = [];
  // Labels opened at each owner (a loop header position, or -1 for the function), outermost first.
  const labelsOf = new Map<number, number[]>();
  for (const q of [...labelled].sort((x, y) => y - x)) {
    const o = owner[q];
    if (!labelsOf.has(o)) labelsOf.set(o, []);
    labelsOf.get(o)!.push(q);
  }
  const closeAt = new Map<number, string[]>();
  for (const q of labelsOf.get(-1) ?? []) body.push(`F${tag}${q}: {`);
  for (let q = 0; q < m; q++) {
    // Close what ends here: loops (innermost first), then the label of q.
    for (const text of closeAt.get(q) ?? []) body.push(text);
    if (labelled.has(q)) body.push(`} // F${tag}${q}`);
    const end = loopEnd.get(q);
    if (end !== undefined) {
      body.push(`L${tag}${q}: for (;;) {`);
      for (const lq of labelsOf.get(q) ?? []) body.push(`F${tag}${lq}: {`);
      const list = closeAt.get(end) ?? [];
      list.unshift(`break; } // L${tag}${q}`); // loops ending together: the inner one closes first
      closeAt.set(end, list);
    }
    const bi = order[q];
    const b = group[bi];
    const goTo = (k: number): string => {
      const target = succTargets[bi][k];
      const si = indexOf.get(target);
      if (si === undefined) return `{ pc = ${target | 0}; break run; }`;
      if (leaving.has(`${bi}:${succ[bi].indexOf(si)}`)) {
        const c = copyOf(si);
        return c < 0 ? `{ pc = ${target | 0}; break run; }` : `{ ci = ${c}; continue run; }`;
      }
      const to = pos[si];
      if (to <= q) return `continue L${tag}${to};`;
      if (to === q + 1) return '';
      return `break F${tag}${to};`;
    };
    body.push(`// block ${hex(b.start)}`);
    if (isCheck(q)) body.push(`if (n + ${longest[q]} > lim) { pc = ${b.start | 0}; break run; }`);
    // Coming back to a breakpoint at the entry must stop there (the dispatcher reports it).
    if (bi === 0 && entryIsBreakpoint) body.push(`if (n !== 0) { pc = ${b.start | 0}; break run; }`);
    body.push(blockBody(b, goTo, exits));
  }
  for (const text of closeAt.get(m) ?? []) body.push(text);
  return { text: body.join('\n'), entryBudget: longest[0] };
}

/** A block's successor PCs (unsigned): [taken, fall-through] for conditional branches. */
function successors(b: ScannedBlock): number[] {
  const n = b.parts.length;
  const fall = (b.start + 4 * n) >>> 0;
  if (!b.endsWithBranch) return [fall];
  const br = b.parts[n - 2];
  if (br.kind === Kind.Jump) return [br.target! >>> 0];
  if (br.kind === Kind.JumpReg) return [];
  return [br.target! >>> 0, fall];
}

/** The statements of one block: its instructions, then `n` updated and control passed on (goTo(k): to successor k). */
function blockBody(b: ScannedBlock, goTo: (k: number) => string, exits: GroupExits): string {
  const { start, parts, endsWithBranch } = b;
  const n = parts.length;
  const branch = endsWithBranch ? parts[n - 2] : null;
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    const pc = (start + 4 * k) >>> 0;
    const part = parts[k];
    const inSlot = endsWithBranch && k === n - 1;
    let code = part.code;
    if (!part.placeholders) {
      if (inSlot && branch!.kind === Kind.Likely) out.push(`if (t) { ${code} }`);
      else out.push(code);
      continue;
    }
    const exit = (x: Omit<GroupExit, 'pc' | 'inSlot' | 'taken' | 'fall' | 'viaRegister'>) =>
      exits.id({
        ...x,
        pc,
        inSlot,
        taken: !inSlot || branch!.kind === Kind.JumpReg ? 0 : branch!.target! >>> 0,
        fall: inSlot && branch!.kind === Kind.Jump ? branch!.target! >>> 0 : (pc + 4) >>> 0,
        viaRegister: inSlot && branch!.kind === Kind.JumpReg,
      });
    code = code.replace(/FAULT\((\d+)(, a)?\)/g, (_m: string, c: string, hasA: string | undefined) => {
      const id = exit({ fault: true, code: Number(c), badAddress: hasA !== undefined, before: k });
      return `{ ek = ${id};${hasA ? ' eb = a;' : ''} break run; }`;
    });
    code = code.replace(/FAULT_PENDING\(a\)/g, () => `{ ek = ${exit({ fault: true, code: -1, badAddress: true, before: k })}; eb = a; break run; }`);
    // Devices reached by a slow access see the exact instruction count (the ones before this one).
    code = code.replace(/\bUNSYNC /g, 'cpu.instructionCount = ic; ').replace(/\bSYNC /g, `cpu.instructionCount = ic + n + ${k}; `);
    code = code.replace(/EXIT_AFTER/g, () => `{ ek = ${exit({ fault: false, code: 0, badAddress: false, before: k + 1 })}; break run; }`);
    if (inSlot && branch!.kind === Kind.Likely) out.push(`if (t) { ${code} }`);
    else out.push(code);
  }
  const either = (taken: string, fall: string) =>
    taken === '' && fall === '' ? '' : fall === '' ? `if (t) ${taken}` : taken === '' ? `if (!t) ${fall}` : `if (t) ${taken} else ${fall}`;
  if (branch === null || branch.kind === Kind.Jump) out.push(`n += ${n}; ${goTo(0)}`);
  else if (branch.kind === Kind.JumpReg) out.push(`n += ${n}; pc = bt | 0; break run;`);
  else if (branch.kind === Kind.Likely) out.push(`if (t) n += ${n}; else n += ${n - 1}; ${either(goTo(0), goTo(1))}`);
  else out.push(`n += ${n}; ${either(goTo(0), goTo(1))}`);
  return out.join('\n');
}
