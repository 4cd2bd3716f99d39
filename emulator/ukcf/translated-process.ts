// The UKCF runtime: the code cache in host memory, the glue (entry, dispatch, flags, syscall), the
// hypercall handlers that translate / chain / stop, self-modifying-code invalidation, guest faults,
// counters and the debugger's view. Guest semantics run only as translated MIPS code.
//
// Two ways to build one (README.md "Runtime environment"):
//  * new UkcfRuntime(pagedMemory, entry, options): standalone — its own MipsCpu over a PagedMemory
//    (guest virtual = host virtual), its own hypercall dispatch; the tests' and tools' path.
//  * new UkcfRuntime(environment, options): on a CPU and memory it does not own (the full system's
//    shared MipsCpu and a kernel user window, or a user-mode runner); hypercalls are registered
//    through environment.installHypercall, code and table words written through environment.code.

import { MemoryFault, PagedMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../machine/paged-memory';
import { MipsCpu, type MipsStopReason } from '../mips/cpu';
import { ExcCode } from '../mips/cp0';
import { encodeInstruction, GPR, MipsAssembler } from '../mips/encoder';
import { materializeStatus, LF_LENGTH } from '../x86/lazy-flags';
import { decodeInstruction } from '../x86/decoder';
import { buildBlock, instructionFault } from './x86-front-end';
import { emitBlock, emitFlagsGlue, FAULT_DETAIL, FLAG_A, FLAG_AUX, FLAG_B, FLAG_KIND, FLAG_RES, guestAccess, guestRegister, Hypercall, MATERIALIZED_FLAGS, NEXT_EIP, POPF_OTHER, readTimeStamp, TABLE_BASE } from './mips-back-end';
import { CodeCache, EXIT_STUB_BYTES, hasDelaySlot, type CacheBlock, type CacheExit } from './code-cache';
import type { UkcfEvent } from './ukcf-events';

export type { UkcfEvent } from './ukcf-events';

/** Standalone layout (kuseg, reserved from the guest's mmap range). */
export const CODE_CACHE_BASE = 0x7e000000;
export const CODE_CACHE_MAX_BYTES = 0x01000000;
export const LOOKUP_TABLE_BASE = 0x7f000000;
export const CONTEXT_BASE = 0x7f001000;
export const COUNTERS_BASE = 0x7f002000;
export const COUNTERS_BYTES = 0x10000;
export const HOST_STACK_TOP = 0x7f030000;
export const HOST_STACK_BYTES = 0x10000;
const DEFAULT_TABLE_ENTRIES = 512;
const PAGE = 0x1000;

/** Modelled cost (host instructions) of the TypeScript translator's work; see README "Accounting". */
export const TRANSLATE_COST_PER_BLOCK = 500;
export const TRANSLATE_COST_PER_GUEST_INSN = 200;
export const CHAIN_PATCH_COST = 20;
export const FLUSH_COST = 1000;
/** Invalidating one block (unlinking it, patching its resume points) after a guest store to its code. */
export const INVALIDATE_COST = 50;

/** Guest code as the translator reads and watches it (guest virtual addresses). */
export interface GuestCodeMemory {
  /** Bytes for the decoder; throws (a MemoryFault or similar) where the guest cannot execute/read. */
  fetch(address: number, length: number): Uint8Array;
  /** Writes host code or table bytes (host virtual), invalidating the CPU's compiled view of them. */
  poke(address: number, bytes: Uint8Array): void;
  /** Start / stop telling the runtime (onGuestCodeWrite) about guest stores to this page. */
  watchPage(page: number): void;
  unwatchPage(page: number): void;
  /** Optional: the runtime registers its onGuestCodeWrite here; without it the environment calls it. */
  onWrite?(listener: (page: number) => void): void;
  /** Optional: reads a host word (the lookup table); default: the CPU's virtual read. */
  read32?(address: number): number;
}

export interface UkcfLayout {
  /** Code cache [cacheBase, cacheBase + cacheBytes): glue first, then block bodies and exit stubs. Read+execute for the guest. */
  cacheBase: number;
  cacheBytes: number;
  /** Lookup table: tableEntries × (guest eip, host address), 8 bytes each; readable by the translated code. */
  tableBase: number;
  /** 256 bytes the translated code and glue may write: word 0 %gs base, word 1 %fs base, bytes 16..27 segment selectors (XOR their initial values), 64..255 glue scratch (TLS entries at 64). */
  contextBase: number;
  /** Top of a 64 KiB host stack the glue may use (r29 on entry). */
  hostStackTop: number;
  /** Power of two, at most 8192 (default 512). */
  tableEntries?: number;
  /** Writable words for exact block entry counts (options.countBlockEntries). */
  counters?: { base: number; bytes: number };
}

export interface SyscallGlueEnvironment {
  /** Host address of the dispatch glue: leave with v0 = next guest eip and `j dispatch`. */
  readonly dispatch: number;
  readonly contextBase: number;
  readonly hostStackTop: number;
}

export interface UkcfRegionNames {
  /** Entry glue (default 'ukcf-glue'). Parts not named get `${code}-dispatch`, `-flags`, `-exit`, `-syscall`. */
  glue: string;
  /** Translated block bodies (default 'ukcf-app'; a driver: 'ukcf-driver'). */
  code: string;
  dispatch?: string;
  flags?: string;
  exit?: string;
  syscall?: string;
}

export interface UkcfEnvironment {
  cpu: MipsCpu;
  code: GuestCodeMemory;
  layout: UkcfLayout;
  /** Registers a hypercall (`sdbbp code`) handler; never overwrite cpu.onHypercall of a shared CPU. */
  installHypercall(code: number, handler: (cpu: MipsCpu) => boolean): void;
  /** Emits the system call glue (USER): entered by `j` with v0 = eip after `int 0x80`. Absent: int 0x80 stops run(). */
  syscallGlue?: (asm: MipsAssembler, env: SyscallGlueEnvironment) => void;
  regionNames?: UkcfRegionNames;
  onEvent?: (e: UkcfEvent) => void;
}

/** The `sdbbp` codes one runtime uses (the user translator's are 1..6; a second runtime on the same CPU needs others). */
export interface UkcfHypercallCodes {
  dispatchMiss: number;
  chain: number;
  untranslated: number;
  boundary: number;
  syscall: number;
  smcResume: number;
  /** rdtsc (readTimeStamp); optional for callers that name the other codes only (default 7). */
  timeStamp?: number;
}

export const USER_HYPERCALLS: Readonly<UkcfHypercallCodes> = {
  dispatchMiss: Hypercall.DispatchMiss, chain: Hypercall.Chain, untranslated: Hypercall.Untranslated,
  boundary: Hypercall.Boundary, syscall: Hypercall.Syscall, smcResume: 6, timeStamp: Hypercall.TimeStamp,
};

export interface UkcfOptions {
  /** Stop at every block boundary (no chaining, no dispatch in generated code) for lockstep checking. */
  lockstep?: boolean;
  /** Standalone only: code cache size in bytes (glue included), default 16 MiB. */
  cacheBytes?: number;
  /** Name in events (default 'user'). */
  translator?: string;
  hypercalls?: Partial<UkcfHypercallCodes>;
  /** Exact per-block entry counts (4 host instructions per block entry, in the code region): dynamic guest instruction counts. */
  countBlockEntries?: boolean;
  /** Eviction granularity: each part of the cache is dropped 1/zones at a time (default 8). */
  zones?: number;
  /** Standalone only (an environment has its own onEvent): event listener. */
  onEvent?: (e: UkcfEvent) => void;
  /** Passed to the back end (KERNEL: jump monitor). */
  directExitFilter?: (target: number) => boolean;
}

export type GuestFaultKind = 'page' | 'divide' | 'invalid-opcode' | 'general-protection' | 'int3' | 'interrupt' | 'internal';

export type UkcfStop =
  | { kind: 'limit' }
  | { kind: 'boundary'; eip: number; guestInstructions: number }
  /** guestInstructions: of the block that stopped, those that ran before (lockstep: run the reference as far). */
  | { kind: 'untranslated'; eip: number; mnemonic: string; reason: string; message: string; guestInstructions?: number }
  /** `int 0x80` without syscall glue: eip is after the int; set eax and run() again to resume.
   * Lockstep: guestInstructions of the block that ran (the int included). */
  | { kind: 'syscall'; eip: number; guestInstructions?: number }
  /** A MIPS breakpoint a client set (glueEntryPoints(), a host address in a translation). */
  | { kind: 'breakpoint'; pc: number }
  /**
   * A guest fault (signal as Linux would deliver it; exit status 128 + signal when unhandled), or an
   * internal error of the translated code (fault 'internal'). message reads like the reference
   * X86Process's 'killed by' line.
   */
  | { kind: 'fault'; eip: number; message: string; fault: GuestFaultKind; signal: number; address?: number; access?: 'read' | 'write' | 'execute' };

export const SIGILL = 4, SIGTRAP = 5, SIGFPE = 8, SIGSEGV = 11;

/** One translated block as the debugger lists it. */
export interface UkcfBlockInfo {
  eip: number;
  guestEnd: number;
  guestCount: number;
  host: number;
  hostBytes: number;
  state: 'live' | 'invalid';
  /** Direct exits: the `j` in the body (site), its out-of-line stub, and the block it is chained to (host address). */
  exits: { target: number; site: number; stub: number; chainedTo: number | null; delayCopy: boolean }[];
  /** Entry count (countBlockEntries), else null. */
  entries: number | null;
}

export interface UkcfTranslation {
  /** Guest eip of the block holding the instruction. */
  block: number;
  host: number;
  hostEnd: number;
  /** Host code of each guest instruction of the block: [host, hostEnd). */
  instructions: { eip: number; host: number; hostEnd: number }[];
  /** The block's out-of-line exit stubs [host, hostEnd): host code of its last guest instruction too. */
  exitStubs: { host: number; hostEnd: number }[];
}

export interface UkcfStatistics {
  blocksTranslated: number;
  /** Guest instructions translated, summed over translations / distinct instruction addresses. */
  guestInstructionsTranslated: number;
  guestInstructionsTranslatedDistinct: number;
  /** Guest instructions executed (countBlockEntries), else null. */
  guestInstructionsExecuted: number | null;
  blockEntries: number | null;
  dispatches: number;
  dispatchHits: number;
  dispatchMisses: number;
  /** Direct exits taken through an unchained stub (each asks the runtime, which chains it). */
  unchainedExits: number;
  /** Direct exits taken through a patched chain (countBlockEntries), else null. */
  chainedExits: number | null;
  chainsPatched: number;
  chainsUnpatched: number;
  evictions: number;
  blocksEvicted: number;
  flushes: number;
  smcInvalidations: number;
  blocksInvalidated: number;
  /** Traps of invalidated blocks passed because the rest of the block was unchanged. */
  smcContinued: number;
  /** Bytes of the cache: glue, resident block bodies, resident exit stubs, capacity of bodies + stubs. */
  cacheBytes: { glue: number; bodies: number; stubs: number; capacity: number };
  translatorCost: number;
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

const SDBBP_MASK = 0xfc00003f, SDBBP_BITS = 0x7000003f;
const LUI_V0 = 0x3c020000, ORI_V0_V0 = 0x34420000;
const sdbbpWord = (code: number): number => (SDBBP_BITS | ((code & 0xfffff) << 6)) >>> 0;

/**
 * A PagedMemory as guest code memory (standalone and user-mode runners). With `cache`, the code
 * cache's range is reserved in the memory and its pages are mapped read+execute (a guest store
 * into translated code faults) when code is first written there, so that a short run does not
 * pay for mapping 16 MiB.
 */
export class PagedGuestCodeMemory implements GuestCodeMemory {
  private readonly ownWatches = new Set<number>();
  private listener: ((page: number) => void) | null = null;

  constructor(
    readonly memory: PagedMemory,
    private readonly cache?: { readonly base: number; readonly bytes: number },
  ) {
    if (cache !== undefined) memory.reserve(cache.base, cache.bytes);
    const previous = memory.onWatchedWrite;
    memory.onWatchedWrite = (pn, address, length) => {
      if (previous !== null) previous(pn, address, length);
      if (this.listener !== null) this.listener(pn);
    };
  }

  fetch(address: number, length: number): Uint8Array {
    const m = this.memory;
    for (let a = address >>> 0, end = (address >>> 0) + length; a < end && a < 0x100000000; a = (Math.floor(a / PAGE) + 1) * PAGE) {
      if (!(m.protection(a) & PROT_EXEC)) throw new MemoryFault(a, 'execute');
    }
    return m.readBytes(address, length);
  }

  poke(address: number, bytes: Uint8Array): void {
    const cache = this.cache;
    const a = address >>> 0;
    if (cache !== undefined && a >= cache.base && a < cache.base + cache.bytes && bytes.length > 0) {
      for (let pn = a >>> 12; pn <= (a + bytes.length - 1) >>> 12; pn++) {
        if (!this.memory.isMapped(pn << 12)) this.memory.map(pn << 12, PAGE, PROT_READ | PROT_EXEC);
      }
    }
    this.memory.poke(address, bytes);
  }

  watchPage(page: number): void {
    if (this.memory.isWatched(page)) return;
    this.memory.watch(page);
    this.ownWatches.add(page);
  }

  unwatchPage(page: number): void {
    if (this.ownWatches.delete(page)) this.memory.unwatch(page);
  }

  onWrite(listener: (page: number) => void): void {
    this.listener = listener;
  }

  read32(address: number): number {
    return this.memory.read32(address);
  }
}

/** The standalone environment: a new MipsCpu (kernel mode, exceptions to the host) over `memory`, with the layout mapped. */
export function standaloneEnvironment(memory: PagedMemory, cacheBytes = CODE_CACHE_MAX_BYTES, counters = false): UkcfEnvironment {
  if (cacheBytes < 2 * PAGE || cacheBytes > CODE_CACHE_MAX_BYTES || cacheBytes % PAGE !== 0) {
    throw new Error(`UKCF: code cache size ${cacheBytes} must be a multiple of 4 KiB between 8 KiB and 16 MiB`);
  }
  const areas: [number, number, number][] = [
    [CODE_CACHE_BASE, cacheBytes, 0], // mapped a page at a time as code is written (PagedGuestCodeMemory)
    [LOOKUP_TABLE_BASE, DEFAULT_TABLE_ENTRIES * 8, PROT_READ | PROT_WRITE],
    [CONTEXT_BASE, PAGE, PROT_READ | PROT_WRITE],
    [HOST_STACK_TOP - HOST_STACK_BYTES, HOST_STACK_BYTES, PROT_READ | PROT_WRITE],
  ];
  if (counters) areas.push([COUNTERS_BASE, COUNTERS_BYTES, PROT_READ | PROT_WRITE]);
  for (const [start, bytes] of areas) {
    if (!memory.isFree(start, bytes)) throw new Error(`UKCF: guest memory overlaps the runtime's area ${hex(start)}-${hex(start + bytes)}`);
  }
  for (const [start, bytes, prot] of areas) if (prot !== 0) memory.map(start, bytes, prot);
  // Kernel mode of the flat address space: i386 user space reaches 0xbfffffff (the initial stack),
  // beyond MIPS kuseg. Page protections still apply (the code cache stays read+execute only).
  const cpu = new MipsCpu(memory, { exceptionsToHost: true });
  const handlers = new Map<number, (cpu: MipsCpu) => boolean>();
  cpu.onHypercall = (code, c) => {
    const h = handlers.get(code);
    return h !== undefined && h(c);
  };
  const code = new PagedGuestCodeMemory(memory, { base: CODE_CACHE_BASE, bytes: cacheBytes });
  return {
    cpu,
    code,
    layout: {
      cacheBase: CODE_CACHE_BASE, cacheBytes, tableBase: LOOKUP_TABLE_BASE, contextBase: CONTEXT_BASE, hostStackTop: HOST_STACK_TOP,
      tableEntries: DEFAULT_TABLE_ENTRIES, counters: counters ? { base: COUNTERS_BASE, bytes: COUNTERS_BYTES } : undefined,
    },
    installHypercall: (code, handler) => {
      if (handlers.has(code)) throw new Error(`UKCF: hypercall ${code} is installed twice`);
      handlers.set(code, handler);
    },
  };
}

interface SmcResumePoint {
  readonly block: CacheBlock;
  readonly eip: number;
  /** Guest instructions of the block retired before it. */
  readonly index: number;
  /** The host word the trap replaced. */
  readonly original: number;
}

export class UkcfRuntime {
  readonly cpu: MipsCpu;
  readonly environment: UkcfEnvironment;
  readonly lockstep: boolean;
  readonly translator: string;
  readonly codes: Readonly<UkcfHypercallCodes>;
  /** Modelled host instructions spent by the TypeScript translator (separate from exact counts). */
  translatorCost = 0;
  blocksTranslated = 0;
  chainsPatched = 0;
  chainsUnpatched = 0;
  flushes = 0;
  evictions = 0;
  blocksEvicted = 0;
  smcFlushes = 0;
  blocksInvalidated = 0;
  dispatchMisses = 0;
  unchainedExits = 0;
  guestInstructionsTranslated = 0;
  readonly entryAddress: number;
  readonly dispatchAddress: number;
  readonly materializeFlagsAddress: number;
  /** Host address of the syscall glue, or -1. */
  readonly syscallAddress: number;
  readonly glueBytes: number;
  private readonly cache: CodeCache;
  private readonly layout: UkcfLayout;
  private readonly standaloneMemory: PagedMemory | null;
  private readonly onEvent: ((e: UkcfEvent) => void) | null;
  private readonly backEndOptions: Parameters<typeof emitBlock>[2];
  private readonly prologueWords: number;
  private readonly distinctInstructions = new Set<number>();
  private readonly smcPoints = new Map<number, SmcResumePoint>();
  /** The guest bytes each resident block was translated from (an invalidated block may go on where they are unchanged). */
  private readonly guestBytes = new WeakMap<CacheBlock, Uint8Array>();
  /** SMC traps passed because the rest of the block's guest bytes were unchanged. */
  smcContinued = 0;
  /** Guest instructions that block entries counted but did not retire (SMC resumes, faults). */
  private notRetired = 0;
  private readonly dispatchHitWords: number;
  private readonly dispatchMissWords: number;
  private readonly dispatchRegion: number;
  private readonly regionNames: Required<UkcfRegionNames>;
  private pending: UkcfStop | null = null;
  /** Guest eip the CPU will enter at on the next run(); -1 while inside translated code. */
  private resumeEip = -1;

  constructor(environment: UkcfEnvironment, options?: UkcfOptions);
  constructor(memory: PagedMemory, entry: number, options?: UkcfOptions);
  constructor(a: UkcfEnvironment | PagedMemory, b?: number | UkcfOptions, c?: UkcfOptions) {
    let options: UkcfOptions;
    if (a instanceof PagedMemory) {
      options = c ?? {};
      this.environment = standaloneEnvironment(a, options.cacheBytes ?? CODE_CACHE_MAX_BYTES, options.countBlockEntries === true);
      this.standaloneMemory = a;
    } else {
      options = (b as UkcfOptions | undefined) ?? {};
      this.environment = a;
      this.standaloneMemory = null;
    }
    const env = this.environment;
    this.cpu = env.cpu;
    this.layout = env.layout;
    this.lockstep = options.lockstep ?? false;
    this.translator = options.translator ?? 'user';
    this.codes = { ...USER_HYPERCALLS, ...options.hypercalls };
    this.onEvent = env.onEvent ?? options.onEvent ?? null;
    const given = env.regionNames;
    const glueName = given?.glue ?? 'ukcf-glue';
    this.regionNames = given === undefined
      ? { glue: glueName, code: 'ukcf-app', dispatch: 'ukcf-dispatch', flags: 'ukcf-flags', exit: 'ukcf-exit', syscall: 'ukcf-syscall' }
      : {
          glue: glueName, code: given.code, dispatch: given.dispatch ?? `${given.code}-dispatch`, flags: given.flags ?? `${given.code}-flags`,
          exit: given.exit ?? `${given.code}-exit`, syscall: given.syscall ?? `${given.code}-syscall`,
        };
    const L = this.layout;
    const tableEntries = L.tableEntries ?? DEFAULT_TABLE_ENTRIES;
    if (tableEntries < 1 || tableEntries > 8192 || (tableEntries & (tableEntries - 1)) !== 0) throw new Error(`UKCF: lookup table of ${tableEntries} entries (a power of two up to 8192)`);
    if ((L.cacheBase & 0xfff) !== 0 || (L.cacheBytes & 0xfff) !== 0) throw new Error(`UKCF: code cache ${hex(L.cacheBase)} + ${L.cacheBytes} must be page-aligned`);
    if (options.countBlockEntries === true && L.counters === undefined) throw new Error('UKCF: countBlockEntries needs layout.counters');

    // ---- glue: entry (falls into dispatch), dispatch, flags, syscall ----
    const asm = new MipsAssembler(L.cacheBase);
    const entry = asm.address;
    asm.li(TABLE_BASE, L.tableBase | 0);
    asm.li(GPR.sp, L.hostStackTop | 0);
    const dispatch = asm.address;
    const miss = asm.newLabel('miss');
    const tableBits = Math.log2(tableEntries);
    if (((L.tableBase >>> 0) & (tableEntries * 8 - 1)) === 0 && tableBits > 0) {
      // Table aligned to its size: slot address = base with eip's low bits inserted at bit 3.
      asm.move(GPR.t0, TABLE_BASE);
      asm.ins(GPR.t0, NEXT_EIP, 3, tableBits);
    } else {
      asm.andi(GPR.t0, NEXT_EIP, tableEntries - 1);
      asm.sll(GPR.t0, GPR.t0, 3);
      asm.addu(GPR.t0, GPR.t0, TABLE_BASE);
    }
    asm.lw(GPR.t1, 0, GPR.t0);
    asm.bne(GPR.t1, NEXT_EIP, miss);
    asm.lw(GPR.t2, 4, GPR.t0);
    asm.jr(GPR.t2);
    asm.nop();
    this.dispatchHitWords = (asm.address - dispatch) / 4;
    asm.bind(miss);
    asm.sdbbp(this.codes.dispatchMiss);
    this.dispatchMissWords = this.dispatchHitWords - 1; // jr + nop not run, sdbbp run
    const flags = emitFlagsGlue(asm);
    const syscallStart = asm.address;
    if (env.syscallGlue !== undefined) env.syscallGlue(asm, { dispatch, contextBase: L.contextBase, hostStackTop: L.hostStackTop });
    const glueEnd = asm.address;
    const glueWords = asm.finish().words;
    this.entryAddress = entry;
    this.dispatchAddress = dispatch;
    this.materializeFlagsAddress = flags;
    this.syscallAddress = glueEnd > syscallStart ? syscallStart : -1;
    this.glueBytes = Math.ceil((glueEnd - L.cacheBase) / PAGE) * PAGE;
    const rest = L.cacheBytes - this.glueBytes;
    if (rest < PAGE) throw new Error(`UKCF: code cache of ${L.cacheBytes} bytes leaves ${rest} bytes for blocks after ${this.glueBytes} bytes of glue (at least 4 KiB needed)`);
    this.writeWords(L.cacheBase, glueWords);

    // ---- blocks: bodies, then exit stubs (a quarter) ----
    const stubBytes = Math.max(EXIT_STUB_BYTES * 16, Math.floor(rest / 4 / EXIT_STUB_BYTES) * EXIT_STUB_BYTES);
    const bodyStart = L.cacheBase + this.glueBytes;
    const stubStart = L.cacheBase + L.cacheBytes - stubBytes;
    this.prologueWords = options.countBlockEntries === true ? 4 : 0;
    this.cache = new CodeCache({
      memory: { writeWords: (address, words) => this.writeWords(address, words), readWord: (address) => this.readWord(address) },
      bodyStart, bodyEnd: stubStart, stubStart, stubEnd: L.cacheBase + L.cacheBytes,
      zones: options.zones ?? 8, tableBase: L.tableBase, tableEntries,
      counters: options.countBlockEntries === true && L.counters !== undefined ? { base: L.counters.base, words: L.counters.bytes >> 2 } : undefined,
    });
    this.cache.onDrop = (block) => this.forgetBlock(block);
    this.cache.onPageWatch = (page, on) => (on ? env.code.watchPage(page) : env.code.unwatchPage(page));
    this.cache.onChainChange = (exit, target, patched) => {
      if (!patched) this.chainsUnpatched++;
      if (this.onEvent !== null) this.onEvent({ kind: patched ? 'chain-patched' : 'chain-unpatched', translator: this.translator, from: exit.owner.eip, to: target.eip, site: exit.site });
    };
    if (env.code.onWrite !== undefined) env.code.onWrite((page) => this.onGuestCodeWrite(page));

    // ---- regions (exact counts per part) ----
    const N = this.regionNames;
    const regions = this.cpu.regions;
    const add = (name: string, start: number, end: number): void => {
      if (end > start) regions.add(name, start, end);
    };
    add(N.glue, entry, dispatch);
    this.dispatchRegion = regions.add(N.dispatch, dispatch, flags);
    add(N.flags, flags, syscallStart);
    add(N.syscall, syscallStart, L.cacheBase + this.glueBytes);
    add(N.code, bodyStart, stubStart);
    add(N.exit, stubStart, L.cacheBase + L.cacheBytes);

    this.backEndOptions = {
      lockstep: this.lockstep, dispatch, materializeFlags: flags, timeStamp: true,
      ...{ context: L.contextBase },
      ...(this.syscallAddress >= 0 ? { syscall: this.syscallAddress } : {}),
      ...(options.directExitFilter !== undefined ? { directExitFilter: options.directExitFilter } : {}),
    };

    const h = this.codes;
    env.installHypercall(h.dispatchMiss, (cpu) => this.onDispatchMiss(cpu));
    env.installHypercall(h.chain, (cpu) => this.onChain(cpu));
    env.installHypercall(h.untranslated, (cpu) => this.onUntranslated(cpu));
    env.installHypercall(h.boundary, (cpu) => this.onBoundary(cpu));
    env.installHypercall(h.syscall, (cpu) => this.onSyscall(cpu));
    env.installHypercall(h.smcResume, (cpu) => this.onSmcResume(cpu));
    env.installHypercall(h.timeStamp ?? Hypercall.TimeStamp, readTimeStamp);

    this.cpu.regs[TABLE_BASE] = L.tableBase;
    if (a instanceof PagedMemory) this.resumeEip = (b as number) >>> 0;
  }

  /** The guest memory of a standalone runtime. */
  get memory(): PagedMemory {
    if (this.standaloneMemory === null) throw new Error('UKCF: this runtime runs on an environment, not on its own PagedMemory');
    return this.standaloneMemory;
  }

  private writeWords(address: number, words: Uint32Array): void {
    this.environment.code.poke(address, new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
  }

  private readWord(address: number): number {
    const code = this.environment.code;
    if (code.read32 !== undefined) return code.read32(address);
    const v = this.cpu.readVirtual(address, 4);
    if (v === null) throw new Error(`UKCF: runtime word at ${hex(address)} is not readable`);
    return v;
  }

  private event(e: UkcfEvent): void {
    if (this.onEvent !== null) this.onEvent(e);
  }

  // ---- entering translated code ----------------------------------------------------------------

  /** Where and with which registers a CPU enters translated code at guest `eip` (the entry glue sets gp and sp). */
  entryPoint(eip: number): { pc: number; registers: { reg: number; value: number }[] } {
    return { pc: this.entryAddress, registers: [{ reg: NEXT_EIP, value: eip | 0 }] };
  }

  /** The next run() enters translated code at guest `eip` (also: a debugger setting eip at a stop). */
  setEip(eip: number): void {
    this.resumeEip = eip >>> 0;
  }

  /** Guest eip where run() resumes, or -1 when the CPU is inside translated code. */
  get resumePoint(): number {
    return this.resumeEip;
  }

  /** Drops every translated block, chain and lookup entry (the glue stays). Not while the CPU is inside a block (a 'limit' stop). */
  flush(): void {
    const inside = this.resumeEip < 0 ? this.cache.blockAt(this.cpu.pc) : null;
    if (inside !== null && this.cpu.pc < inside.host + inside.bytes) {
      throw new Error(`UKCF: cannot flush the code cache while the CPU is inside the translated block of ${hex(inside.eip)} (stop at a block boundary first)`);
    }
    const dropped = this.cache.flush();
    this.lastDropped.length = 0;
    this.flushes++;
    this.translatorCost += FLUSH_COST;
    this.event({ kind: 'flush', translator: this.translator, blocks: dropped.length, eips: dropped.map((b) => b.eip) });
  }

  // ---- translation --------------------------------------------------------------------------------

  /** A reader over the guest code with a page at a time fetched (bytes fetched once per translation). */
  private codeReader(): { read8(address: number): number } {
    const code = this.environment.code;
    const pages = new Map<number, Uint8Array | null>();
    return {
      read8(address: number): number {
        const a = address >>> 0;
        const pn = a >>> 12;
        let bytes = pages.get(pn);
        if (bytes === undefined) {
          try {
            bytes = code.fetch(pn << 12, PAGE);
          } catch {
            bytes = null;
          }
          pages.set(pn, bytes);
        }
        if (bytes === null) return code.fetch(a, 1)[0]; // partial page or fault: byte by byte (throws where unreadable)
        return bytes[a & 0xfff];
      },
    };
  }

  private emit(ir: ReturnType<typeof buildBlock>, origin: number): { words: Uint32Array; guestMap: readonly { offset: number; eip: number }[] } {
    return emitBlock(ir, origin + this.prologueWords * 4, this.backEndOptions);
  }

  /** The block for guest `eip`, translating it now if needed. */
  private blockFor(eip: number): CacheBlock {
    const found = this.cache.byEip.get(eip >>> 0);
    if (found !== undefined) return found;
    return this.translate(eip >>> 0);
  }

  private translate(eip: number): CacheBlock {
    const reader = this.codeReader();
    const ir = buildBlock(reader as Parameters<typeof buildBlock>[0], eip);
    const source = new Uint8Array(Math.max(0, (ir.end - ir.start) >>> 0));
    for (let i = 0; i < source.length; i++) source[i] = reader.read8(ir.start + i);
    const L = this.layout;
    let code = this.emit(ir, L.cacheBase + this.glueBytes);
    let stubs = findExitStubs(code.words, this.codes);
    const bytes = (code.words.length + this.prologueWords) * 4;
    const beforeDrops = this.blocksDroppedTotal;
    const place = this.cache.reserve(bytes, stubs.length);
    if (place === null) throw new Error(`UKCF: block at ${hex(eip)} (${bytes} bytes) does not fit in the code cache`);
    const dropped = this.blocksDroppedTotal - beforeDrops;
    if (dropped > 0) {
      this.evictions++;
      this.blocksEvicted += dropped;
      this.translatorCost += FLUSH_COST;
      if (this.onEvent !== null) this.onEvent({ kind: 'evict', translator: this.translator, blocks: dropped, eips: this.lastDropped.splice(0) });
    }
    this.lastDropped.length = 0;
    code = this.emit(ir, place.body);
    stubs = findExitStubs(code.words, this.codes);
    if ((code.words.length + this.prologueWords) * 4 !== bytes) throw new Error(`UKCF internal: block at ${hex(eip)} changed size with its address`);
    const counter = place.counter;
    const words = new Uint32Array(bytes / 4);
    if (counter >= 0) {
      const lo = (counter << 16) >> 16;
      const hi = ((counter - lo) >>> 16) & 0xffff;
      const p = new MipsAssembler(place.body);
      p.lui(GPR.t0, hi);
      p.lw(GPR.t1, lo, GPR.t0);
      p.addiu(GPR.t1, GPR.t1, 1);
      p.sw(GPR.t1, lo, GPR.t0);
      words.set(p.finish().words);
    }
    const bodyOrigin = place.body + this.prologueWords * 4;
    const exits: { site: number; stub: number; target: number; code: number }[] = [];
    const stubWords = new Uint32Array(stubs.length * 3);
    stubs.forEach((s, i) => {
      const site = bodyOrigin + s.index * 4;
      const stub = place.stubs + i * EXIT_STUB_BYTES;
      code.words[s.index] = jumpWord(site, stub);
      code.words[s.index + 1] = 0; // delay slot
      code.words[s.index + 2] = sdbbpWord(s.code); // never reached
      stubWords[i * 3] = (LUI_V0 | (s.target >>> 16)) >>> 0;
      stubWords[i * 3 + 1] = (ORI_V0_V0 | (s.target & 0xffff)) >>> 0;
      stubWords[i * 3 + 2] = sdbbpWord(s.code);
      exits.push({ site, stub, target: s.target, code: s.code });
    });
    words.set(code.words, this.prologueWords);
    if (stubWords.length > 0) this.writeWords(place.stubs, stubWords);
    this.writeWords(place.body, words);
    const guestMap = code.guestMap.map((m) => ({ host: bodyOrigin + m.offset, eip: m.eip >>> 0 }));
    const block = this.cache.add(ir, place.body, bytes, counter, guestMap, exits);
    this.guestBytes.set(block, source);
    this.blocksTranslated++;
    this.guestInstructionsTranslated += ir.guestCount;
    for (let i = 0; i < ir.guestCount; i++) this.distinctInstructions.add(guestMap[i].eip);
    this.translatorCost += TRANSLATE_COST_PER_BLOCK + TRANSLATE_COST_PER_GUEST_INSN * ir.guestCount;
    if (this.onEvent !== null) {
      this.onEvent({ kind: 'block-translated', translator: this.translator, eip, guestEnd: ir.end >>> 0, guestCount: ir.guestCount, host: place.body, hostWords: bytes / 4, exitStubs: exits.length });
    }
    return block;
  }

  private blocksDroppedTotal = 0;
  private readonly lastDropped: number[] = [];

  private forgetBlock(block: CacheBlock): void {
    this.blocksDroppedTotal++;
    if (this.onEvent !== null) this.lastDropped.push(block.eip);
    for (const m of block.guestMap) this.smcPoints.delete(m.host);
  }

  // ---- hypercalls -----------------------------------------------------------------------------------

  /** The block for `eip`, or a stop when the translator itself failed (an internal error, never a TypeScript trace). */
  private blockOrStop(cpu: MipsCpu, eip: number): CacheBlock | null {
    try {
      return this.blockFor(eip);
    } catch (e) {
      this.stop(cpu, { kind: 'fault', eip, fault: 'internal', signal: SIGSEGV, message: `translating the block at ${hex(eip)} failed: ${(e as Error).message}` }, eip);
      return null;
    }
  }

  private onDispatchMiss(cpu: MipsCpu): boolean {
    const eip = cpu.regs[NEXT_EIP] >>> 0;
    this.dispatchMisses++;
    const block = this.blockOrStop(cpu, eip);
    if (block === null) return true;
    this.cache.publish(block); // the slot may hold a colliding eip
    cpu.pc = block.host;
    return true;
  }

  private onChain(cpu: MipsCpu): boolean {
    const exit = this.cache.byStub.get((cpu.pc - EXIT_STUB_BYTES) >>> 0);
    if (exit === undefined) return false; // not one of our stubs: RI, reported as an internal fault
    this.unchainedExits++;
    const block = this.blockOrStop(cpu, cpu.regs[NEXT_EIP] >>> 0);
    if (block === null) return true;
    if (exit.owner.state === 'live' && block.state === 'live' && exit.chainedTo === null) {
      if (cpu.breakpoints.size !== 0 && this.cache.delayCopies) this.setDelaySlotChaining(false);
      this.cache.chain(exit, block);
      this.chainsPatched++;
      this.translatorCost += CHAIN_PATCH_COST;
    }
    cpu.pc = block.host;
    return true;
  }

  /** The block whose exit (stub or in-body sdbbp) just ran. */
  private exitingBlock(cpu: MipsCpu): CacheBlock | null {
    const exit: CacheExit | undefined = this.cache.byStub.get((cpu.pc - EXIT_STUB_BYTES) >>> 0);
    return exit !== undefined ? exit.owner : this.cache.blockAt(cpu.pc - 4);
  }

  private stop(cpu: MipsCpu, stop: UkcfStop, resumeEip: number): boolean {
    this.pending = stop;
    this.resumeEip = resumeEip;
    cpu.requestStop(`ukcf ${stop.kind}`);
    if (this.onEvent !== null) this.onEvent({ kind: 'stop', translator: this.translator, reason: stop.kind, eip: 'eip' in stop ? stop.eip : -1 });
    return true;
  }

  private onBoundary(cpu: MipsCpu): boolean {
    const eip = cpu.regs[NEXT_EIP] >>> 0;
    const ran = this.exitingBlock(cpu);
    return this.stop(cpu, { kind: 'boundary', eip, guestInstructions: ran === null ? 0 : ran.ir.guestCount }, eip);
  }

  private onSyscall(cpu: MipsCpu): boolean {
    const eip = cpu.regs[NEXT_EIP] >>> 0;
    if (this.lockstep) {
      const ran = this.exitingBlock(cpu);
      return this.stop(cpu, { kind: 'syscall', eip, guestInstructions: ran === null ? 0 : ran.ir.guestCount }, eip);
    }
    return this.stop(cpu, { kind: 'syscall', eip }, eip);
  }

  private onUntranslated(cpu: MipsCpu): boolean {
    const eip = cpu.regs[NEXT_EIP] >>> 0;
    const stop = this.classifyUntranslated(eip);
    // From a stub: its block ran whole (a block of no instructions, or one cut before this one).
    // From inside a block (a run-time case the back end does not handle): the instructions before it ran.
    const exit = this.cache.byStub.get((cpu.pc - EXIT_STUB_BYTES) >>> 0);
    let ran = 0;
    if (exit !== undefined) ran = exit.owner.ir.guestCount;
    else {
      const block = this.cache.blockAt(cpu.pc - 4);
      const at = block === null ? null : this.instructionAt(block, cpu.pc - 4);
      if (block !== null && at !== null) {
        ran = at.index;
        if (block.counter >= 0) this.notRetired += block.ir.guestCount - at.index;
      }
    }
    return this.stop(cpu, stop.kind === 'untranslated' ? { ...stop, guestInstructions: ran } : stop, eip);
  }

  /** An instruction the translator does not translate: a guest fault when x86 defines one (hlt, int3, int n, #UD, fetch fault), else 'untranslated'. */
  private classifyUntranslated(eip: number): UkcfStop {
    const block = this.cache.byEip.get(eip);
    const t = block?.ir.terminator;
    const mnemonic = t !== undefined && t.kind === 'untranslated' ? t.mnemonic : '?';
    const reason = t !== undefined && t.kind === 'untranslated' ? t.reason : '';
    const code = this.environment.code;
    const bytes: number[] = [];
    let unreadable = -1;
    for (let i = 0; i < 15; i++) {
      try {
        bytes.push(code.fetch((eip + i) >>> 0, 1)[0]);
      } catch {
        unreadable = (eip + i) >>> 0;
        break;
      }
    }
    let d: ReturnType<typeof decodeInstruction> | null = null;
    try {
      d = decodeInstruction((a) => {
        const i = (a - eip) >>> 0;
        if (i >= bytes.length) throw new MemoryFault(a >>> 0, 'execute');
        return bytes[i];
      }, eip);
    } catch {
      d = null;
    }
    const at = `at eip=${hex(eip)}`;
    if (d === null) {
      return { kind: 'fault', eip, fault: 'page', signal: SIGSEGV, address: unreadable >>> 0, access: 'execute', message: `segmentation fault ${at} accessing ${hex(unreadable)} (execute)` };
    }
    const fault = instructionFault(d, bytes, this.cpu.regs[FAULT_DETAIL]);
    if (fault !== null) return { kind: 'fault', eip, ...fault };
    const m = d.entry?.mnemonic ?? mnemonic;
    const name = t !== undefined && t.kind === 'untranslated' ? mnemonic : m;
    const why = reason !== '' ? reason : 'a case the translated code does not handle';
    return {
      kind: 'untranslated', eip, mnemonic: name, reason: why,
      message: `guest instruction '${name}' at ${hex(eip)} is not translated yet (${why})`,
    };
  }

  // ---- self-modifying code ------------------------------------------------------------------------

  /**
   * A guest store is about to change (or changed) guest page `page`. Every block translated from it
   * is unlinked now (lookup entry, chains into it, page list); in its code, each guest instruction
   * boundary after the first becomes a SMC_RESUME trap, so that a block still running (the one doing
   * the store) finishes the storing instruction and leaves at the next one through dispatch, which
   * translates the new bytes — the x86 behaviour of snooping its own stores.
   */
  onGuestCodeWrite(page: number): void {
    const blocks = this.cache.blocksOnPage(page);
    if (blocks.length === 0) return;
    for (const block of blocks) this.invalidateBlock(block);
    this.smcFlushes++;
    if (this.onEvent !== null) this.onEvent({ kind: 'smc-flush', translator: this.translator, page, eips: blocks.map((b) => b.eip) });
  }

  /** Invalidates the translations of guest pages [first, first + count) (munmap, mprotect, a debugger write). */
  invalidateGuestPages(first: number, count: number): void {
    for (let p = first; p < first + count; p++) this.onGuestCodeWrite(p);
  }

  private invalidateBlock(block: CacheBlock): void {
    if (block.state !== 'live') return;
    this.cache.invalidate(block);
    this.blocksInvalidated++;
    this.translatorCost += INVALIDATE_COST;
    const trap = sdbbpWord(this.codes.smcResume);
    let previous = -1;
    for (let i = 1; i < block.guestMap.length; i++) {
      const m = block.guestMap[i];
      if (m.host === previous || m.host >= block.host + block.bytes) continue;
      previous = m.host;
      // A boundary in a delay slot cannot hold a trap (sdbbp there is RI); the next one does.
      if (hasDelaySlot(this.readWord(m.host - 4))) continue;
      const original = this.readWord(m.host) >>> 0;
      this.writeWords(m.host, Uint32Array.of(trap));
      this.smcPoints.set(m.host, { block, eip: m.eip, index: i, original });
    }
  }

  /** Are the guest bytes of `block` from `eip` to its end what it was translated from? */
  private restUnchanged(block: CacheBlock, eip: number): boolean {
    const source = this.guestBytes.get(block);
    if (source === undefined) return false;
    const from = (eip - block.ir.start) >>> 0;
    if (from >= source.length) return true;
    let now: Uint8Array;
    try {
      now = this.environment.code.fetch(eip, source.length - from);
    } catch {
      return false;
    }
    for (let i = 0; i < now.length; i++) if (now[i] !== source[from + i]) return false;
    return true;
  }

  /**
   * An invalidated block reached one of its traps. If the rest of its guest bytes are unchanged (the
   * store went elsewhere on the page), it goes on: the trap's word is put back and run — later traps
   * check again, so a later store into the rest is still seen. Else it leaves here through dispatch,
   * which translates the new bytes.
   */
  private onSmcResume(cpu: MipsCpu): boolean {
    const trap = (cpu.pc - 4) >>> 0;
    const point = this.smcPoints.get(trap);
    if (point === undefined) return false;
    if (this.restUnchanged(point.block, point.eip)) {
      this.writeWords(trap, Uint32Array.of(point.original));
      this.smcPoints.delete(trap);
      this.smcContinued++;
      cpu.pc = trap;
      return true;
    }
    // Entry counts counted the whole block; the rest of it did not run.
    if (point.block.counter >= 0) this.notRetired += point.block.ir.guestCount - Math.min(point.index, point.block.ir.guestCount);
    if (this.lockstep) return this.stop(cpu, { kind: 'boundary', eip: point.eip, guestInstructions: point.index }, point.eip);
    cpu.regs[NEXT_EIP] = point.eip | 0;
    cpu.pc = this.dispatchAddress;
    return true;
  }

  // ---- running --------------------------------------------------------------------------------------

  /**
   * Chains through delay slots (on by default) skip a block's first word. With MIPS breakpoints set
   * (a debugger's guest breakpoints are on translations' first words), chains must pass there:
   * run() turns this off by itself when the CPU has breakpoints; a caller running the CPU itself
   * calls this before setting breakpoints.
   */
  setDelaySlotChaining(on: boolean): void {
    this.cache.delayCopies = on;
    if (!on) this.cache.plainChains();
  }

  /** Runs translated code for at most `limit` host instructions (standalone, or any environment whose CPU the caller lets it run). */
  run(limit: number): UkcfStop {
    const cpu = this.cpu;
    if (cpu.breakpoints.size !== 0 && this.cache.delayCopies) this.setDelaySlotChaining(false);
    if (this.resumeEip >= 0) {
      cpu.regs[NEXT_EIP] = this.resumeEip;
      cpu.pc = this.entryAddress;
      cpu.inDelaySlot = false;
      this.resumeEip = -1;
    }
    this.pending = null;
    const stop: MipsStopReason = cpu.run(limit);
    return this.stopFor(stop);
  }

  /** The UkcfStop for a MIPS CPU stop that happened in this runtime's code (for callers running the CPU themselves). */
  stopFor(stop: MipsStopReason): UkcfStop {
    if (stop.kind === 'stopped' && this.pending !== null) {
      const p = this.pending;
      this.pending = null;
      return p;
    }
    if (stop.kind === 'limit') return { kind: 'limit' };
    if (stop.kind === 'breakpoint') return { kind: 'breakpoint', pc: stop.pc };
    if (stop.kind === 'exception') return this.guestFault(stop.pc, stop.code, stop.badVAddr);
    return { kind: 'fault', eip: -1, fault: 'internal', signal: SIGSEGV, message: `MIPS CPU stopped: ${JSON.stringify(stop)}` };
  }

  /** The guest fault for a MIPS exception `code` at host `pc` (precise guest eip from the block's map). */
  guestFault(pc: number, code: number, badVAddr?: number): UkcfStop {
    pc >>>= 0;
    const copied = this.delayCopyAt(pc);
    const block = copied ?? this.cache.blockAt(pc);
    const where = block === null ? null : copied !== null ? { eip: copied.eip, index: 0 } : this.instructionAt(block, pc);
    if (where === null) {
      const name = ['Int', 'Mod', 'TLBL', 'TLBS', 'AdEL', 'AdES', 'IBE', 'DBE', 'Sys', 'Bp', 'RI', 'CpU', 'Ov', 'Tr'][code] ?? `exception ${code}`;
      const part = this.regionNameAt(pc);
      return { kind: 'fault', eip: -1, fault: 'internal', signal: SIGSEGV, message: `${name} at host ${hex(pc)} in ${part}${badVAddr !== undefined ? ` (address ${hex(badVAddr)})` : ''}` };
    }
    const { eip, index } = where;
    if (block !== null && block.counter >= 0) this.notRetired += block.ir.guestCount - index;
    const at = `at eip=${hex(eip)}`;
    switch (code) {
      case ExcCode.Mod: case ExcCode.TLBL: case ExcCode.TLBS: case ExcCode.AdEL: case ExcCode.AdES: {
        const { address, write } = guestAccess(this.readWord(pc), code === ExcCode.Mod || code === ExcCode.TLBS || code === ExcCode.AdES, badVAddr ?? 0);
        return { kind: 'fault', eip, fault: 'page', signal: SIGSEGV, address, access: write ? 'write' : 'read', message: `segmentation fault ${at} accessing ${hex(address)}${write ? ' (write)' : ''}` };
      }
      case ExcCode.Tr:
        return { kind: 'fault', eip, fault: 'divide', signal: SIGFPE, message: `divide error ${at}` };
      case ExcCode.Bp:
        return { kind: 'fault', eip, fault: 'int3', signal: SIGTRAP, message: `trace/breakpoint trap (int3) ${at}` };
      default:
        return { kind: 'fault', eip, fault: 'internal', signal: SIGSEGV, message: `MIPS exception ${code} at host ${hex(pc)} in the translation of the guest instruction ${at}` };
    }
  }

  private regionNameAt(pc: number): string {
    const span = this.cpu.regions.lookup(pc);
    return this.cpu.regions.names[span.id];
  }

  private instructionAt(block: CacheBlock, pc: number): { eip: number; index: number } | null {
    if (pc < block.host || pc >= block.host + block.bytes) {
      // In an exit stub: the block's terminator.
      const last = block.guestMap.length - 1;
      return last >= 0 ? { eip: block.guestMap[last].eip, index: last } : { eip: block.eip, index: 0 };
    }
    let found = { eip: block.eip, index: 0 };
    for (let i = 0; i < block.guestMap.length; i++) if (block.guestMap[i].host <= pc) found = { eip: block.guestMap[i].eip, index: i };
    return found;
  }

  /**
   * The block whose first word runs at `pc`: the `j` of an exit chained with a delay-slot copy, or
   * that delay slot. (A `j` never faults, so an exception reported at either — EPC with BD, or the
   * delay slot itself — is the target's first instruction, and so is an interrupt there.)
   */
  private delayCopyAt(pc: number): CacheBlock | null {
    const exit = this.cache.bySite.get(pc) ?? this.cache.bySite.get((pc - 4) >>> 0);
    return exit !== undefined && exit.delayCopy && exit.chainedTo !== null ? exit.chainedTo : null;
  }

  /** Guest eip of the instruction whose translation contains host address `pc` (-1 outside translated code). */
  guestEipAt(pc: number): number {
    const copied = this.delayCopyAt(pc >>> 0);
    if (copied !== null) return copied.eip;
    const block = this.cache.blockAt(pc >>> 0);
    if (block === null) return -1;
    const w = this.instructionAt(block, pc >>> 0);
    return w === null ? -1 : w.eip;
  }

  // ---- guest state ----------------------------------------------------------------------------------

  /** Guest registers eax..edi (pinned host registers s0..s7). */
  guestRegisters(): Int32Array {
    return this.cpu.regs.slice(guestRegister(0), guestRegister(8));
  }

  setGuestRegister(reg: number, value: number): void {
    if (reg < 0 || reg > 7) throw new Error(`UKCF: guest register ${reg} (0..7 = eax..edi)`);
    this.cpu.regs[guestRegister(reg)] = value | 0;
  }

  /** Guest eip: where run() resumes, else the instruction whose translation the CPU is in (-1 in glue). */
  guestEip(): number {
    return this.resumeEip >= 0 ? this.resumeEip : this.guestEipAt(this.cpu.pc);
  }

  /** The lazy-flag state in host registers, in x86/lazy-flags.ts layout (for the debugger and checks). */
  lazyFlags(): Int32Array {
    const lf = new Int32Array(LF_LENGTH);
    const r = this.cpu.regs;
    lf[0] = r[FLAG_KIND];
    lf[1] = r[FLAG_RES];
    lf[2] = r[FLAG_A];
    lf[3] = r[FLAG_B];
    lf[4] = r[FLAG_AUX];
    return lf;
  }

  /**
   * The guest's flags: the six status flags (materialized by TypeScript for inspection only, never
   * for execution) and DF/NT/AC/ID, which the translated code keeps in s8 for the whole run.
   */
  statusFlags(): number {
    return materializeStatus(this.lazyFlags()) | (this.cpu.regs[MATERIALIZED_FLAGS] & POPF_OTHER);
  }

  /** Sets the flags (at a stop): the lazy state becomes EAGER with the status bits; DF/NT/AC/ID go to s8. */
  setStatusFlags(flags: number): void {
    const r = this.cpu.regs;
    r[FLAG_KIND] = 4; // (EAGER << 3) | 4
    r[FLAG_AUX] = flags & 0x8d5;
    r[FLAG_RES] = 0;
    r[FLAG_A] = 0;
    r[FLAG_B] = 0;
    r[MATERIALIZED_FLAGS] = (r[MATERIALIZED_FLAGS] & ~POPF_OTHER) | (flags & POPF_OTHER);
  }

  /** Guest segment bases kept in the context block: %gs (TLS) and %fs. */
  segmentBases(): { gs: number; fs: number } {
    return { gs: this.readWord(this.layout.contextBase) >>> 0, fs: this.readWord(this.layout.contextBase + 4) >>> 0 };
  }

  // ---- debugger view --------------------------------------------------------------------------------

  /** MIPS addresses of the glue's entry points (a client may put breakpoints there). */
  glueEntryPoints(): { name: string; address: number }[] {
    const out = [
      { name: 'entry', address: this.entryAddress },
      { name: 'dispatch', address: this.dispatchAddress },
      { name: 'dispatch-miss', address: this.dispatchAddress + this.dispatchHitWords * 4 },
      { name: 'flags', address: this.materializeFlagsAddress },
    ];
    if (this.syscallAddress >= 0) out.push({ name: 'syscall', address: this.syscallAddress });
    return out;
  }

  /** Translations holding guest instruction `eip` (live blocks; a block may start inside another). */
  translationOf(eip: number): UkcfTranslation[] {
    eip >>>= 0;
    const out: UkcfTranslation[] = [];
    for (const b of this.cache.resident) {
      if (b.state !== 'live' || eip < b.ir.start || eip >= b.ir.end) continue;
      const instructions: UkcfTranslation['instructions'] = [];
      for (let i = 0; i < b.guestMap.length; i++) {
        const hostEnd = i + 1 < b.guestMap.length ? b.guestMap[i + 1].host : b.host + b.bytes;
        if (i >= b.ir.guestCount) continue; // an untranslated / size-limit terminator is no instruction of the block
        instructions.push({ eip: b.guestMap[i].eip, host: b.guestMap[i].host, hostEnd });
      }
      if (!instructions.some((x) => x.eip === eip)) continue;
      const exitStubs = b.exits.filter((e) => e.stub >= 0).map((e) => ({ host: e.stub, hostEnd: e.stub + EXIT_STUB_BYTES }));
      out.push({ block: b.eip, host: b.host, hostEnd: b.host + b.bytes, instructions, exitStubs });
    }
    return out.sort((x, y) => x.host - y.host);
  }

  /** Every block in the code cache, in host address order. */
  codeCacheBlocks(): UkcfBlockInfo[] {
    return [...this.cache.resident]
      .sort((x, y) => x.host - y.host)
      .map((b) => ({
        eip: b.eip, guestEnd: b.ir.end >>> 0, guestCount: b.ir.guestCount, host: b.host, hostBytes: b.bytes,
        state: b.state === 'live' ? 'live' : 'invalid',
        exits: b.exits.map((e) => ({ target: e.target, site: e.site, stub: e.stub, chainedTo: e.chainedTo === null ? null : e.chainedTo.host, delayCopy: e.delayCopy })),
        entries: b.counter >= 0 ? this.cache.entries(b) : null,
      }));
  }

  // ---- counters ---------------------------------------------------------------------------------------

  /** Exact host instruction counts per region. */
  regionCounts(): Record<string, number> {
    return this.cpu.regions.report();
  }

  statistics(): UkcfStatistics {
    const dispatchCount = this.cpu.regions.counts[this.dispatchRegion] ?? 0;
    // Every dispatch runs the hit path (dispatchHitWords) or the miss path (dispatchMissWords, ends at the hypercall).
    const hits = (dispatchCount - this.dispatchMissWords * this.dispatchMisses) / this.dispatchHitWords;
    let entries: number | null = null;
    let executed: number | null = null;
    let chained: number | null = null;
    if (this.cache.counting) {
      let e = this.cache.evictedEntries;
      let g = this.cache.evictedGuestInstructions;
      for (const b of this.cache.resident) {
        const n = this.cache.entries(b);
        e += n;
        g += n * b.ir.guestCount;
      }
      entries = e;
      executed = g - this.notRetired - this.partialBlockInstructions();
      chained = e - hits - this.dispatchMisses - this.unchainedExits;
    }
    const resident = this.cache.residentBytes();
    return {
      blocksTranslated: this.blocksTranslated,
      guestInstructionsTranslated: this.guestInstructionsTranslated,
      guestInstructionsTranslatedDistinct: this.distinctInstructions.size,
      guestInstructionsExecuted: executed,
      blockEntries: entries,
      dispatches: hits + this.dispatchMisses,
      dispatchHits: hits,
      dispatchMisses: this.dispatchMisses,
      unchainedExits: this.unchainedExits,
      chainedExits: chained,
      chainsPatched: this.chainsPatched,
      chainsUnpatched: this.chainsUnpatched,
      evictions: this.evictions,
      blocksEvicted: this.blocksEvicted,
      flushes: this.flushes,
      smcInvalidations: this.smcFlushes,
      blocksInvalidated: this.blocksInvalidated,
      smcContinued: this.smcContinued,
      cacheBytes: { glue: this.glueBytes, bodies: resident.bodies, stubs: resident.stubs, capacity: this.layout.cacheBytes - this.glueBytes },
      translatorCost: this.translatorCost,
    };
  }

  /** The CPU is inside a block (a run stopped at its limit): the instructions of it not yet retired. */
  private partialBlockInstructions(): number {
    if (this.resumeEip >= 0) return 0;
    const pc = this.cpu.pc >>> 0;
    if (this.cache.bySite.has(pc) || this.cache.bySite.has((pc - 4) >>> 0)) return 0; // at an exit's jump: the block ran whole
    const block = this.cache.blockAt(pc);
    if (block === null || block.counter < 0) return 0;
    const w = this.instructionAt(block, this.cpu.pc);
    return w === null ? 0 : block.ir.guestCount - w.index;
  }
}

const jumpWord = (site: number, target: number): number => encodeInstruction('j', [target], site);

/** Exits of the back end's shape `lui v0, hi; ori v0, v0, lo; sdbbp code` (chain, boundary, untranslated, syscall). */
function findExitStubs(words: Uint32Array, codes: Readonly<UkcfHypercallCodes>): { index: number; target: number; code: number }[] {
  const out: { index: number; target: number; code: number }[] = [];
  const map = new Map<number, number>([
    [Hypercall.Chain, codes.chain], [Hypercall.Boundary, codes.boundary],
    [Hypercall.Untranslated, codes.untranslated], [Hypercall.Syscall, codes.syscall],
    [Hypercall.TimeStamp, codes.timeStamp ?? Hypercall.TimeStamp],
  ]);
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if ((w & SDBBP_MASK) >>> 0 !== SDBBP_BITS) continue;
    const backEndCode = (w >>> 6) & 0xfffff;
    const code = map.get(backEndCode);
    if (code === undefined) throw new Error(`UKCF internal: the back end emitted sdbbp ${backEndCode}, which the runtime does not handle`);
    const isStub = i >= 2 && (words[i - 2] & 0xffff0000) >>> 0 === LUI_V0 && (words[i - 1] & 0xffff0000) >>> 0 === ORI_V0_V0 && (i < 3 || !hasDelaySlot(words[i - 3]));
    if (isStub) out.push({ index: i - 2, target: (((words[i - 2] & 0xffff) << 16) | (words[i - 1] & 0xffff)) >>> 0, code });
    else if (backEndCode === Hypercall.Chain) throw new Error('UKCF internal: a chain exit without its lui/ori stub shape');
    else words[i] = sdbbpWord(code); // stays in the body (lockstep indirect exit, syscall stop after li)
  }
  return out;
}
