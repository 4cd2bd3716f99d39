// The UKCF runtime for one guest user program: guest memory (a PagedMemory, identity-mapped into the
// MIPS CPU's kuseg), the code cache, the dispatch glue (MIPS code), the hypercall handlers that
// translate / chain / stop, and the counters. Guest semantics run only as translated MIPS code.

import { PagedMemory, PROT_READ, PROT_EXEC, PROT_WRITE } from '../machine/paged-memory';
import { MipsCpu, type MipsStopReason } from '../mips/cpu';
import { GPR, MipsAssembler, encodeInstruction } from '../mips/encoder';
import { materializeStatus, LF_LENGTH } from '../x86/lazy-flags';
import { buildBlock } from './x86-front-end';
import { emitBlock, emitFlagsGlue, FLAG_A, FLAG_AUX, FLAG_B, FLAG_KIND, FLAG_RES, guestRegister, Hypercall, NEXT_EIP, STUB_WORDS, TABLE_BASE } from './mips-back-end';
import type { IrBlock } from './ir';

export const CODE_CACHE_BASE = 0x7e000000;
export const CODE_CACHE_MAX_BYTES = 0x01000000;
export const LOOKUP_TABLE_BASE = 0x7f000000;
const LOOKUP_ENTRIES = 512;
const GLUE_BYTES = 0x1000;

/** Modelled cost (host instructions) of the TypeScript translator's work; see README "Accounting". */
export const TRANSLATE_COST_PER_BLOCK = 500;
export const TRANSLATE_COST_PER_GUEST_INSN = 200;
export const CHAIN_PATCH_COST = 20;
export const FLUSH_COST = 1000;

export interface UkcfOptions {
  /** Stop at every block boundary (no chaining, no dispatch in generated code) for lockstep checking. */
  lockstep?: boolean;
  /** Code cache size in bytes (glue page included), default 16 MiB. */
  cacheBytes?: number;
}

export type UkcfStop =
  | { kind: 'limit' }
  | { kind: 'boundary'; eip: number; guestInstructions: number }
  | { kind: 'untranslated'; eip: number; mnemonic: string; reason: string; message: string }
  | { kind: 'fault'; eip: number; message: string };

interface CachedBlock {
  readonly ir: IrBlock;
  readonly host: number;
  readonly words: number;
  readonly guestMap: readonly { offset: number; eip: number }[];
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

export class UkcfRuntime {
  readonly cpu: MipsCpu;
  readonly lockstep: boolean;
  /** Modelled host instructions spent by the TypeScript translator (separate from exact counts). */
  translatorCost = 0;
  blocksTranslated = 0;
  chainsPatched = 0;
  flushes = 0;
  private readonly cacheEnd: number;
  private readonly blocksStart = CODE_CACHE_BASE + GLUE_BYTES;
  private next = CODE_CACHE_BASE + GLUE_BYTES;
  private readonly byEip = new Map<number, CachedBlock>();
  private readonly byHost: CachedBlock[] = []; // in allocation order = ascending host address
  readonly dispatchAddress: number;
  readonly materializeFlagsAddress: number;
  private pending: UkcfStop | null = null;
  /** Guest eip the CPU will dispatch to on the next run(); -1 while inside a block. */
  private resumeEip = -1;
  /** Block entered at the last boundary (lockstep: its guestCount is what ran). */
  private enteredEip = -1;
  /** Guest pages holding translated instructions (write-watched). */
  private readonly codePages = new Set<number>();
  /** A guest store hit a page in codePages during the current cpu.run(). */
  private smcPending = false;
  /** The subset of codePages this runtime started watching (others may watch them too). */
  private readonly ownWatches = new Set<number>();
  smcFlushes = 0;

  constructor(readonly memory: PagedMemory, entry: number, options: UkcfOptions = {}) {
    this.lockstep = options.lockstep ?? false;
    const bytes = options.cacheBytes ?? CODE_CACHE_MAX_BYTES;
    if (bytes < GLUE_BYTES * 2 || bytes > CODE_CACHE_MAX_BYTES || bytes % GLUE_BYTES !== 0) {
      throw new Error(`UKCF: code cache size ${bytes} must be a multiple of 4 KiB between 8 KiB and 16 MiB`);
    }
    this.cacheEnd = CODE_CACHE_BASE + bytes;
    if (!memory.isFree(CODE_CACHE_BASE, bytes) || !memory.isFree(LOOKUP_TABLE_BASE, LOOKUP_ENTRIES * 8)) {
      throw new Error(`UKCF: guest memory overlaps the code cache ${hex(CODE_CACHE_BASE)}-${hex(this.cacheEnd)} or the lookup table`);
    }
    // Read+execute only: a guest store into translated code faults instead of corrupting it.
    memory.map(CODE_CACHE_BASE, bytes, PROT_READ | PROT_EXEC);
    memory.map(LOOKUP_TABLE_BASE, LOOKUP_ENTRIES * 8, PROT_READ | PROT_WRITE);
    this.clearLookupTable();
    [this.dispatchAddress, this.materializeFlagsAddress] = this.writeGlue();
    // Kernel mode of the flat address space: i386 user space reaches 0xbfffffff (the initial stack),
    // beyond MIPS kuseg. Page protections still apply (the code cache stays read+execute only).
    this.cpu = new MipsCpu(memory, { exceptionsToHost: true });
    this.cpu.regions.add('ukcf-glue', CODE_CACHE_BASE, this.blocksStart);
    this.cpu.regions.add('ukcf-app', this.blocksStart, this.cacheEnd);
    this.cpu.onHypercall = (code, cpu) => this.hypercall(code, cpu);
    // Self-modifying code: a store to a page we translated from stops the CPU after that store.
    const previousWatch = memory.onWatchedWrite;
    memory.onWatchedWrite = (pn) => {
      if (previousWatch !== null) previousWatch(pn);
      if (this.codePages.has(pn)) {
        this.smcPending = true;
        this.cpu.requestStop('ukcf self-modifying code');
      }
    };
    this.cpu.regs[TABLE_BASE] = LOOKUP_TABLE_BASE;
    this.resumeEip = entry >>> 0;
  }

  private clearLookupTable(): void {
    const table = new Uint8Array(LOOKUP_ENTRIES * 8);
    for (let i = 0; i < LOOKUP_ENTRIES; i++) new DataView(table.buffer).setInt32(i * 8, -1, true);
    this.memory.writeBytes(LOOKUP_TABLE_BASE, table);
  }

  /** Dispatch: hash v0, compare the tag, jump to the block or ask the host (DISPATCH_MISS). */
  private writeGlue(): [number, number] {
    const asm = new MipsAssembler(CODE_CACHE_BASE);
    const miss = asm.newLabel('miss');
    asm.andi(GPR.t0, NEXT_EIP, LOOKUP_ENTRIES - 1);
    asm.sll(GPR.t0, GPR.t0, 3);
    asm.addu(GPR.t0, GPR.t0, TABLE_BASE);
    asm.lw(GPR.t1, 0, GPR.t0);
    asm.bne(GPR.t1, NEXT_EIP, miss);
    asm.lw(GPR.t2, 4, GPR.t0);
    asm.jr(GPR.t2);
    asm.nop();
    asm.bind(miss);
    asm.sdbbp(Hypercall.DispatchMiss);
    const flags = emitFlagsGlue(asm);
    this.poke(CODE_CACHE_BASE, asm.finish().words);
    return [CODE_CACHE_BASE, flags];
  }

  private poke(address: number, words: Uint32Array): void {
    this.memory.poke(address, new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
  }

  /** Drops every translated block, chain and lookup entry (the glue stays). */
  flush(): void {
    this.byEip.clear();
    this.byHost.length = 0;
    this.next = this.blocksStart;
    this.clearLookupTable();
    this.flushes++;
    this.translatorCost += FLUSH_COST;
  }

  /** The host address of the translation of guest `eip`, translating it now if needed. */
  private blockFor(eip: number): CachedBlock {
    const found = this.byEip.get(eip);
    if (found !== undefined) return found;
    const ir = buildBlock(this.memory, eip);
    const options = { lockstep: this.lockstep, dispatch: this.dispatchAddress, materializeFlags: this.materializeFlagsAddress };
    let code = emitBlock(ir, this.next, options);
    if (this.next + code.words.length * 4 > this.cacheEnd) {
      this.flush();
      code = emitBlock(ir, this.next, options);
      if (this.next + code.words.length * 4 > this.cacheEnd) throw new Error(`UKCF: block at ${hex(eip)} does not fit in the code cache`);
    }
    const block: CachedBlock = { ir, host: this.next, words: code.words.length, guestMap: code.guestMap };
    this.poke(this.next, code.words);
    this.next += code.words.length * 4;
    this.byEip.set(eip, block);
    this.byHost.push(block);
    const slot = LOOKUP_TABLE_BASE + (eip & (LOOKUP_ENTRIES - 1)) * 8;
    this.memory.write32(slot, eip);
    this.memory.write32(slot + 4, block.host);
    for (let pn = ir.start >>> 12; pn <= ((ir.end - 1) >>> 12); pn++) {
      if (this.codePages.has(pn)) continue;
      this.codePages.add(pn);
      if (!this.memory.isWatched(pn)) {
        this.memory.watch(pn);
        this.ownWatches.add(pn);
      }
    }
    this.blocksTranslated++;
    this.translatorCost += TRANSLATE_COST_PER_BLOCK + TRANSLATE_COST_PER_GUEST_INSN * ir.guestCount;
    return block;
  }

  private hypercall(code: number, cpu: MipsCpu): boolean {
    const eip = cpu.regs[NEXT_EIP] >>> 0;
    switch (code) {
      case Hypercall.DispatchMiss:
        cpu.pc = this.blockFor(eip).host;
        return true;
      case Hypercall.Chain: {
        const stub = (cpu.pc - STUB_WORDS * 4) >>> 0;
        const flushesBefore = this.flushes;
        const block = this.blockFor(eip);
        if (this.flushes === flushesBefore) {
          // Re-point the stub: `j block; nop` (the sdbbp after it is never reached again).
          this.poke(stub, Uint32Array.of(encodeInstruction('j', [block.host], stub), 0));
          this.chainsPatched++;
          this.translatorCost += CHAIN_PATCH_COST;
        }
        cpu.pc = block.host;
        return true;
      }
      case Hypercall.Boundary: {
        const ran = this.byEip.get(this.enteredEip);
        this.pending = { kind: 'boundary', eip, guestInstructions: ran === undefined ? 0 : ran.ir.guestCount };
        this.resumeEip = eip;
        cpu.requestStop('ukcf boundary');
        return true;
      }
      case Hypercall.Untranslated: {
        const block = this.byEip.get(eip);
        const t = block?.ir.terminator;
        const mnemonic = t !== undefined && t.kind === 'untranslated' ? t.mnemonic : '?';
        const reason = t !== undefined && t.kind === 'untranslated' ? t.reason : '';
        this.pending = {
          kind: 'untranslated', eip, mnemonic, reason,
          message: `guest instruction '${mnemonic}' at ${hex(eip)} is not translated yet (${reason})`,
        };
        this.resumeEip = eip;
        cpu.requestStop('ukcf untranslated');
        return true;
      }
      default:
        return false;
    }
  }

  /** Runs translated code for at most `limit` host instructions. */
  run(limit: number): UkcfStop {
    const cpu = this.cpu;
    const stopAt = cpu.instructionCount + limit;
    for (;;) {
      if (this.resumeEip >= 0) {
        cpu.regs[NEXT_EIP] = this.resumeEip;
        cpu.pc = this.dispatchAddress;
        cpu.inDelaySlot = false;
        this.enteredEip = this.resumeEip;
        this.resumeEip = -1;
      }
      this.pending = null;
      // (An unfinished self-modification from a run that hit its limit is completed first.)
      const stop: MipsStopReason = this.smcPending ? { kind: 'stopped', reason: 'ukcf self-modifying code' } : cpu.run(stopAt - cpu.instructionCount);
      if (stop.kind === 'stopped' && this.smcPending) {
        const s = this.finishSelfModification(stopAt);
        if (s !== null) return s;
        continue; // chained mode: go on with fresh translations
      }
      if (stop.kind === 'stopped' && this.pending !== null) return this.pending;
      if (stop.kind === 'limit') return { kind: 'limit' };
      if (stop.kind === 'exception') {
        const eip = this.guestEipAt(stop.pc);
        return { kind: 'fault', eip, message: `${stop.name} at host ${hex(stop.pc)}${stop.badVAddr !== undefined ? ` (address ${hex(stop.badVAddr)})` : ''} in guest instruction at ${hex(eip)}` };
      }
      return { kind: 'fault', eip: -1, message: `MIPS CPU stopped: ${JSON.stringify(stop)}` };
    }
  }

  /**
   * A guest store changed translated code. Finish the storing guest instruction (run its remaining
   * host instructions up to the next guest instruction boundary), then drop every translation and
   * resume there with fresh ones, as an x86 CPU snoops its own stores. Returns a stop for the caller
   * (lockstep boundary, or an unsupported case), or null to continue.
   */
  private finishSelfModification(stopAt: number): UkcfStop | null {
    const cpu = this.cpu;
    const block = this.byHost.find((b) => cpu.pc >= b.host && cpu.pc < b.host + b.words * 4);
    if (block === undefined) return { kind: 'fault', eip: -1, message: `self-modifying store outside translated code (host ${hex(cpu.pc)})` };
    const index = block.guestMap.findIndex((m) => block.host + m.offset >= cpu.pc);
    if (index < 0) {
      const eip = this.guestEipAt(cpu.pc);
      return { kind: 'fault', eip, message: `self-modifying store in the exit of the block at ${hex(block.ir.start)} (a call pushing onto a code page) is not supported yet` };
    }
    const boundary = block.host + block.guestMap[index].offset;
    while (cpu.pc !== boundary) {
      cpu.addBreakpoint(boundary);
      const s = cpu.run(stopAt - cpu.instructionCount);
      cpu.removeBreakpoint(boundary);
      if (s.kind === 'breakpoint' || (s.kind === 'stopped' && this.smcPending)) continue;
      if (s.kind === 'limit') return { kind: 'limit' }; // resumes inside the old code: still valid, not yet overwritten
      if (s.kind === 'exception') {
        const eip = this.guestEipAt(s.pc);
        return { kind: 'fault', eip, message: `${s.name} at host ${hex(s.pc)} in guest instruction at ${hex(eip)}` };
      }
      return { kind: 'fault', eip: -1, message: `MIPS CPU stopped: ${JSON.stringify(s)}` };
    }
    const eip = block.guestMap[index].eip;
    this.flush();
    this.smcFlushes++;
    for (const pn of this.ownWatches) this.memory.unwatch(pn);
    this.ownWatches.clear();
    this.codePages.clear();
    this.resumeEip = eip;
    this.smcPending = false;
    if (this.lockstep) return { kind: 'boundary', eip, guestInstructions: index };
    return null;
  }

  /** Guest eip of the instruction whose translation contains host address `pc` (-1 in glue). */
  guestEipAt(pc: number): number {
    pc >>>= 0;
    for (const b of this.byHost) {
      if (pc >= b.host && pc < b.host + b.words * 4) {
        let eip = -1;
        for (const m of b.guestMap) if (b.host + m.offset <= pc) eip = m.eip;
        return eip < 0 ? b.ir.start : eip;
      }
    }
    return -1;
  }

  /** Guest registers eax..edi (pinned host registers s0..s7). */
  guestRegisters(): Int32Array {
    return this.cpu.regs.slice(guestRegister(0), guestRegister(8));
  }

  setGuestRegister(reg: number, value: number): void {
    this.cpu.regs[guestRegister(reg)] = value | 0;
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

  /** The six status flags (materialized by TypeScript for inspection only, never for execution). */
  statusFlags(): number {
    return materializeStatus(this.lazyFlags());
  }

  /** Exact host instruction counts per region. */
  regionCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    const m = this.cpu.regions;
    m.names.forEach((name, id) => (out[name] = m.counts[id]));
    return out;
  }
}
