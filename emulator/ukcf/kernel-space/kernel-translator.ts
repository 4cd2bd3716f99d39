// UKCF's kernel-space translator: runs an i386 driver, loaded by the MIPS host kernel as a data
// array (workloads/kernel/module.c), translated inside the kernel. TypeScript only answers the
// kernel's and the glue's hypercalls (load a driver, make a shell, translate a block, patch a
// chain, refuse a jump) and charges its work to a modelled cost; every crossing between the
// native kernel and the driver is generated MIPS code in the area the kernel gave (kernel-glue.ts),
// counted exactly in the regions 'ukcf-kernel-glue' and 'ukcf-driver'. See README.md.

import type { MipsMachine } from '../../machine/machine';
import { parseElf, STT_FUNC, STT_NOTYPE } from '../../machine/elf';
import type { MipsCpu } from '../../mips/cpu';
import { SystemAddressSpace } from '../../mips/address-space';
import { GPR, MipsAssembler, encodeInstruction } from '../../mips/encoder';
import type { IrBlock } from '../ir';
import { emitBlock, guestRegister, Hypercall, STUB_WORDS, type BackEndOptions } from '../mips-back-end';
import { buildBlock } from '../x86-front-end';
import type { UkcfEvent } from '../ukcf-events';
import { CHAIN_PATCH_COST, FLUSH_COST, TRANSLATE_COST_PER_BLOCK, TRANSLATE_COST_PER_GUEST_INSN } from '../translated-process';
import { AREA, HEADER, LOOKUP_ENTRIES, MAX_RECORDS, RECORD, RECORD_BYTES, RecordKind, SHELL_RECORD_LIMIT, SHELL_WORDS } from './kernel-area';
import { emitExportStub, emitKernelGlue, emitShell, KernelHypercall, MAX_ARGS, type KernelGlue } from './kernel-glue';

const KSEG0 = 0x80000000;
/** boot_info word 16 (`ukcf`), bit BOOT_UKCF_KERNEL: the kernel may load i386 drivers. */
const BOOT_INFO_UKCF_WORD = 0x800 + 16 * 4;
export const BOOT_UKCF_KERNEL = 2;
/** Modelled cost of making a shell or an export stub (a few words written), like a chain patch. */
export const STUB_COST = 20;

export const REGION_GLUE = 'ukcf-kernel-glue';
export const REGION_DRIVER = 'ukcf-driver';
const TRANSLATOR = 'kernel';

/** What the kernel translator tells a listener (debugger facade, test, trace): the runtime's
 * events (translator 'kernel') and its own: a driver handed over, a shell made. */
export type KernelTranslatorEvent =
  | UkcfEvent
  | { readonly kind: 'driver-loaded'; readonly translator: string; readonly path: string; readonly base: number; readonly size: number; readonly textStart: number; readonly textEnd: number; readonly area: number }
  | { readonly kind: 'shell-created'; readonly translator: string; readonly function: number; readonly args: number; readonly shell: number };

export interface KernelExportEntry {
  readonly name: string;
  /** Native address (what the driver's relocations point at). */
  readonly address: number;
  readonly argCount: number;
  /** The function the monitor really calls (the registration interceptor for register_gfx_driver). */
  readonly calls: number;
  /** The stub in the glue that the lookup table maps `address` to. */
  readonly stub: number;
}

/** One context record of the stack, as the glue wrote it in memory. */
export interface ContextRecord {
  readonly depth: number;
  readonly address: number;
  readonly kind: 'shell' | 'kernel-call';
  /** Shell: the x86 function; kernel call: the native function. */
  readonly target: number;
  /** Guest eip execution resumes at (kernel call: the return address; shell: the sentinel). */
  readonly resume: number;
  readonly esp: number;
  /** Shell: the kernel's s0..s7; kernel call: guest eax..edi. */
  readonly regs: readonly number[];
  /** Kernel call: lazy flags KIND RES A B AUX. */
  readonly flags: readonly number[];
  /** Shell: the kernel's s8; kernel call: the guest's s8 (DF, NT, AC, ID besides materialized flags). */
  readonly s8: number;
  readonly sp: number;
  readonly ra: number;
  /** Shell: its function's name if known; kernel call: the export's name. */
  readonly name: string;
}

interface CachedBlock {
  readonly ir: IrBlock;
  readonly host: number;
  readonly words: number;
  /** Offsets from `host` (a profiling prologue comes first when counting entries). */
  readonly guestMap: readonly { offset: number; eip: number }[];
  /** Address of its entry counter (countBlockEntries), else 0. */
  readonly counter: number;
}

interface LoadedDriver {
  readonly path: string;
  readonly base: number;
  readonly size: number;
  readonly textStart: number;
  readonly textEnd: number;
  readonly area: number;
  readonly areaSize: number;
  readonly header: number;
  readonly records: number;
  readonly table: number;
  readonly cacheStart: number;
  readonly cacheEnd: number;
  readonly glue: KernelGlue;
}

export interface KernelTranslatorOptions {
  onEvent?: (e: KernelTranslatorEvent) => void;
  /** Symbol names of the driver's functions by address (messages and the context stack's names). */
  driverSymbols?: (address: number) => string | undefined;
  /**
   * Measurement only: each block starts with a 4-instruction counter of its entries (in the
   * last PROFILE_BYTES of the area), so that guest instructions executed = Σ entries × block
   * size; the counters' own instructions are reported apart (blockProfile()).
   */
  countBlockEntries?: boolean;
  /** Smaller code cache than the area gives (bytes, tests of the flush). */
  cacheBytes?: number;
}

const PROFILE_BYTES = 0x4000;
const PROFILE_WORDS = 4;

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

const SDBBP_MASK = 0xfc00003f;
const SDBBP = 0x7000003f;

export class KernelSpaceTranslator {
  readonly cpu: MipsCpu;
  /** Modelled host instructions spent by the TypeScript side (separate from the exact counts). */
  translatorCost = 0;
  blocksTranslated = 0;
  guestInstructionsTranslated = 0;
  chainsPatched = 0;
  flushes = 0;
  smcFlushes = 0;
  /** Blocks stopped at the guest instruction after a store into their own code (precise SMC). */
  smcResumes = 0;
  refusals = 0;
  private driver: LoadedDriver | null = null;
  private readonly exportsByAddress = new Map<number, KernelExportEntry>();
  private readonly exportsList: KernelExportEntry[] = [];
  private readonly shells = new Map<string, number>();
  private readonly shellFunctions: { function: number; args: number; shell: number }[] = [];
  private readonly byEip = new Map<number, CachedBlock>();
  private readonly byHost: CachedBlock[] = [];
  /** Direct-exit stubs patched into jumps, with their guest targets (a flush undoes them, so that a
   * block still running when its code changed cannot chain into stale translations). */
  private readonly patchedStubs = new Map<number, number>();
  private next = 0;
  private readonly onEvent: ((e: KernelTranslatorEvent) => void) | null;
  private symbolOf: (address: number) => string | undefined;
  private readonly givenSymbols: boolean;
  private readonly codeSource = { read8: (a: number): number => this.readCode(a) };
  private readonly countEntries: boolean;
  private readonly cacheBytes: number | undefined;
  private profileNext = 0;
  /** Every block ever translated with its counter (countBlockEntries), flushed ones included. */
  private readonly profiled: { eip: number; guestCount: number; counter: number }[] = [];

  constructor(readonly machine: MipsMachine, options: KernelTranslatorOptions = {}) {
    this.cpu = machine.cpu;
    this.onEvent = options.onEvent ?? null;
    this.symbolOf = options.driverSymbols ?? (() => undefined);
    this.givenSymbols = options.driverSymbols !== undefined;
    this.countEntries = options.countBlockEntries ?? false;
    this.cacheBytes = options.cacheBytes;
    const h = machine.hypercalls;
    h.set(KernelHypercall.Load, (cpu) => this.load(cpu));
    h.set(KernelHypercall.Shell, (cpu) => this.makeShell(cpu));
    // The glue's own requests exist only once a driver is loaded.
    const glue = (code: number, handler: (cpu: MipsCpu) => void) =>
      h.set(code, (cpu) => {
        if (this.driver === null) throw new Error(`UKCF kernel translator: hypercall 0x${code.toString(16)} at pc ${hex(cpu.pc - 4)} before any driver was loaded`);
        handler(cpu);
      });
    glue(KernelHypercall.Miss, (cpu) => this.miss(cpu));
    glue(KernelHypercall.Chain, (cpu) => this.chain(cpu));
    glue(KernelHypercall.Untranslated, (cpu) => this.untranslated(cpu));
    glue(KernelHypercall.TooDeep, () => this.tooDeep());
    glue(KernelHypercall.Resume, (cpu) => this.resume(cpu));
    // Tell the kernel (boot_info->ukcf) that i386 drivers can be loaded; the boot-info block is
    // already in RAM when the machine is built, and the kernel reads it at boot.
    const ram = machine.ram;
    ram.write32(BOOT_INFO_UKCF_WORD, ram.read32(BOOT_INFO_UKCF_WORD) | BOOT_UKCF_KERNEL);
  }

  // ---- memory ----------------------------------------------------------------------------------

  private word(va: number): number {
    return this.machine.ram.read32((va - KSEG0) >>> 0) >>> 0;
  }

  private setWord(va: number, value: number): void {
    this.machine.ram.write32((va - KSEG0) >>> 0, value >>> 0);
  }

  private string(va: number, max = 256): string {
    let s = '';
    for (let i = 0; i < max; i++) {
      const b = this.machine.ram.read8((va - KSEG0 + i) >>> 0);
      if (b === 0) break;
      s += String.fromCharCode(b);
    }
    return s;
  }

  private poke(va: number, words: Uint32Array): void {
    this.machine.ram.writeBytes((va - KSEG0) >>> 0, new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
  }

  /** Guest code bytes: only the driver's code sections (anything else is not an instruction of it). */
  private readCode(a: number): number {
    const d = this.driver as LoadedDriver;
    a >>>= 0;
    if (a < d.textStart || a >= d.textEnd) throw new Error(`fetch outside the driver's code at ${hex(a)}`);
    return this.machine.ram.bytes[a - KSEG0];
  }

  private isKseg0Range(va: number, size: number): boolean {
    return va >= KSEG0 && size >= 0 && va - KSEG0 + size <= this.machine.ram.size;
  }

  private emit(e: KernelTranslatorEvent): void {
    if (this.onEvent !== null) this.onEvent(e);
  }

  /** A translator message on the console (as the kernel's own lines, at this simulated moment). */
  private console(text: string): void {
    for (const b of Buffer.from(text, 'latin1')) this.machine.console.write(0, 1, b);
  }

  // ---- hypercalls from the kernel ----------------------------------------------------------------

  /** UKCF_KERNEL_LOAD: a0 = struct ukcf_driver * (module.c). */
  private load(cpu: MipsCpu): void {
    const info = cpu.regs[4] >>> 0;
    const result = this.loadDriver(info);
    cpu.regs[2] = result;
  }

  private loadDriver(info: number): number {
    if (!this.isKseg0Range(info, 4 * 17)) return -22;
    const f = (i: number) => this.word(info + 4 * i);
    const path = this.isKseg0Range(f(12), 1) ? this.string(f(12)) : '?';
    const fail = (why: string, errno = -22): number => {
      this.console(`ukcf: driver ${path}: ${why}\n`);
      return errno;
    };
    if (this.driver !== null) return fail('a driver is already translated', -16);
    const [base, size, textStart, textEnd, exports, exportCount, testExports, testExportCount, area, areaSize, registerNative, registerHook] =
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map(f);
    if (!this.isKseg0Range(base, size) || textStart < base || textEnd > base + size || textEnd < textStart) return fail('bad driver range');
    if (!this.isKseg0Range(area, areaSize) || area & 0xfff || areaSize < AREA.cache + 0x4000) return fail('bad translator area');
    const header = area + AREA.contexts;
    const glueLayout = { base: area + AREA.glue, header, records: header + HEADER.bytes, table: area + AREA.table };
    const asm = new MipsAssembler(glueLayout.base);
    const glue = emitKernelGlue(asm, glueLayout);
    // Export stubs: what the lookup table maps an export's native address to.
    const tables: [number, number][] = [[exports, exportCount], [testExports, testExportCount]];
    for (const [table, count] of tables) {
      if (count > 256 || !this.isKseg0Range(table, count * 12)) return fail('bad export table');
      for (let i = 0; i < count; i++) {
        const e = table + 12 * i;
        const name = this.string(this.word(e), 64);
        const address = this.word(e + 4);
        const argCount = this.word(e + 8);
        if (argCount > MAX_ARGS) return fail(`export ${name} takes ${argCount} arguments; at most ${MAX_ARGS} are marshalled`);
        const calls = address === registerNative ? registerHook : address;
        const stub = asm.address;
        emitExportStub(asm, calls, this.exportsList.length, glue.kernelCall[argCount]);
        const entry: KernelExportEntry = { name, address, argCount, calls, stub };
        this.exportsList.push(entry);
        this.exportsByAddress.set(address, entry);
      }
    }
    const words = asm.finish().words;
    if (words.length * 4 > AREA.glueBytes) return fail('glue does not fit in its pages');
    this.poke(glueLayout.base, words);
    let cacheEnd = area + areaSize - (this.countEntries ? PROFILE_BYTES : 0);
    if (this.cacheBytes !== undefined) cacheEnd = Math.min(cacheEnd, area + AREA.cache + this.cacheBytes);
    this.profileNext = area + areaSize - PROFILE_BYTES;
    this.driver = {
      path, base, size, textStart, textEnd, area, areaSize, header, records: glueLayout.records, table: glueLayout.table,
      cacheStart: area + AREA.cache, cacheEnd, glue,
    };
    this.next = this.driver.cacheStart;
    this.clearTable();
    this.setWord(header + HEADER.top, glueLayout.records);
    this.setWord(header + HEADER.faulted, 0);
    this.setWord(header + HEADER.shellEntries, 0);
    this.setWord(header + HEADER.kernelCalls, 0);
    const regions = this.cpu.regions;
    regions.add(REGION_GLUE, area, area + AREA.table);
    regions.add(REGION_DRIVER, area + AREA.cache, area + areaSize);
    this.watchCode();
    if (!this.givenSymbols) this.readDriverSymbols(f(13), f(14), f(15), f(16));
    // New regions: blocks the CPU compiled under the old ranges are dropped when run() starts again.
    this.cpu.requestStop('ukcf regions');
    this.emit({ kind: 'driver-loaded', translator: TRANSLATOR, path, base, size, textStart, textEnd, area });
    return 0;
  }

  /**
   * Names for driver code (messages, the context stack): the object's function symbols at their
   * load addresses (the kernel's section_addr[] during the LOAD call). A bad image just gives none.
   */
  private readDriverSymbols(image: number, imageSize: number, sectionAddr: number, shnum: number): void {
    if (!this.isKseg0Range(image, imageSize) || !this.isKseg0Range(sectionAddr, 4 * shnum)) return;
    let elf;
    try {
      elf = parseElf(this.machine.ram.readBytes((image - KSEG0) >>> 0, imageSize), (this.driver as LoadedDriver).path);
    } catch {
      return;
    }
    const functions: { start: number; end: number; name: string }[] = [];
    for (const sym of elf.symbols) {
      if ((sym.type !== STT_FUNC && sym.type !== STT_NOTYPE) || sym.name === '' || sym.sectionIndex <= 0 || sym.sectionIndex >= shnum) continue;
      const at = this.word(sectionAddr + 4 * sym.sectionIndex);
      if (at === 0) continue;
      const start = (at + sym.value) >>> 0;
      functions.push({ start, end: start + Math.max(sym.size, 1), name: sym.name });
    }
    functions.sort((a, b) => a.start - b.start);
    this.symbolOf = (address) => {
      let best: { start: number; end: number; name: string } | undefined;
      for (const fn of functions) if (fn.start <= address && address < fn.end) best = fn;
      if (best === undefined) return undefined;
      return address === best.start ? best.name : `${best.name}+0x${(address - best.start).toString(16)}`;
    };
  }

  /** Name of a driver address (function, or function+offset), if its symbols are known. */
  driverSymbol(address: number): string | undefined {
    return this.symbolOf(address >>> 0);
  }

  /**
   * Self-modifying driver code: the code pages (nothing else is on them, module.c) are
   * write-watched; a store there drops every translation (the block doing the store finishes
   * in its old translation, its exits then find the new code).
   */
  private watchCode(): void {
    const d = this.driver as LoadedDriver;
    const space = this.cpu.space;
    if (!(space instanceof SystemAddressSpace) || d.textEnd === d.textStart) return;
    const first = (d.textStart - KSEG0) >>> 12;
    const last = (d.textEnd - 1 - KSEG0) >>> 12;
    for (let ppn = first; ppn <= last; ppn++) space.watchRamPage(ppn);
    const previous = space.onWatchedRamWrite;
    space.onWatchedRamWrite = (physical, size) => {
      previous?.(physical, size);
      const va = (physical + KSEG0) >>> 0;
      if (va + size > d.textStart && va < d.textEnd) this.codeWritten(va);
    };
  }

  private codeWritten(va: number): void {
    const page = va >>> 12;
    if (this.byHost.length === 0) return;
    const eips = this.byHost.filter((b) => b.ir.start >>> 12 <= page && (b.ir.end - 1) >>> 12 >= page).map((b) => b.ir.start);
    this.smcFlushes++;
    this.emit({ kind: 'smc-flush', translator: TRANSLATOR, page, eips });
    // The storing block must not run its (now stale) next guest instructions: once the store is
    // done (a machine event at this very cycle runs right after it), stop it at its next guest
    // instruction boundary.
    this.staleBlocks = this.byHost.slice();
    this.machine.schedule(this.resumeEvent, this.cpu.cycles, () => this.stopStaleBlock());
    this.flush();
  }

  private staleBlocks: CachedBlock[] = [];
  /** Host address of a Resume trap → the guest eip to go on at. */
  private readonly resumeTraps = new Map<number, number>();
  private readonly resumeEvent = { name: 'ukcf kernel translator: self-modifying code', read: () => 0, write: () => undefined };

  /** Runs after a store into driver code: the CPU is at the instruction after that store. */
  private stopStaleBlock(): void {
    const d = this.driver as LoadedDriver;
    const cpu = this.cpu;
    const pc = cpu.pc >>> 0;
    const stale = this.staleBlocks;
    this.staleBlocks = [];
    if (cpu.inDelaySlot) return; // (no store sits in a delay slot of translated code: they are nops)
    const block = stale.find((b) => pc >= b.host && pc < b.host + b.words * 4);
    if (block === undefined) return; // the store was not made by translated driver code
    const boundary = block.guestMap.find((m) => block.host + m.offset >= pc);
    if (boundary === undefined) return; // in the block's exit: it leaves through the monitor anyway
    const at = block.host + boundary.offset;
    this.smcResumes++;
    if (at === pc) {
      cpu.regs[2] = boundary.eip;
      cpu.pc = d.glue.monitor;
      return;
    }
    // The storing guest instruction has host instructions left (e.g. swl after swr): trap after them.
    this.poke(at, Uint32Array.of(encodeInstruction('sdbbp', [KernelHypercall.Resume], at)));
    this.resumeTraps.set(at, boundary.eip);
  }

  private resume(cpu: MipsCpu): void {
    const d = this.driver as LoadedDriver;
    const at = (cpu.pc - 4) >>> 0;
    const eip = this.resumeTraps.get(at);
    if (eip === undefined) throw new Error(`UKCF kernel translator: no resume trap at ${hex(at)}`);
    this.resumeTraps.delete(at);
    cpu.regs[2] = eip;
    cpu.pc = d.glue.monitor;
  }

  /** UKCF_KERNEL_SHELL: a0 = x86 function, a1 = argument count → v0 = shell (MIPS) or 0. */
  private makeShell(cpu: MipsCpu): void {
    const fn = cpu.regs[4] >>> 0;
    const args = cpu.regs[5] >>> 0;
    cpu.regs[2] = this.shellFor(fn, args);
  }

  private shellFor(fn: number, args: number): number {
    const d = this.driver;
    if (d === null || fn < d.textStart || fn >= d.textEnd || args > MAX_ARGS) {
      this.emit({ kind: 'stop', translator: TRANSLATOR, reason: `no shell for ${hex(fn)} (${args} arguments): not driver code`, eip: fn });
      return 0;
    }
    const key = `${fn}/${args}`;
    const known = this.shells.get(key);
    if (known !== undefined) return known;
    const index = this.shellFunctions.length;
    if ((index + 1) * SHELL_WORDS * 4 > AREA.shellsBytes) return 0;
    const shell = d.area + AREA.shells + index * SHELL_WORDS * 4;
    const asm = new MipsAssembler(shell);
    emitShell(asm, fn, index, d.glue.shellEntry[args]);
    this.poke(shell, asm.finish().words);
    this.shells.set(key, shell);
    this.shellFunctions.push({ function: fn, args, shell });
    this.translatorCost += STUB_COST;
    this.emit({ kind: 'shell-created', translator: TRANSLATOR, function: fn, args, shell });
    return shell;
  }

  // ---- hypercalls from the glue and translated code ----------------------------------------------

  /** The lookup table did not know v0: a driver block (translate), an export or the sentinel, or a refusal. */
  private miss(cpu: MipsCpu): void {
    const target = cpu.regs[2] >>> 0;
    const host = this.checkedTarget(target);
    if (host < 0) {
      this.refuse(cpu, this.sourceOfIndirect(cpu.regs[31] >>> 0), target);
      return;
    }
    this.setTableEntry(target, host);
    cpu.pc = host;
  }

  /** Host address for a permitted target (translating driver code on the way), or -1. */
  private checkedTarget(target: number): number {
    const d = this.driver as LoadedDriver;
    if (target >= d.textStart && target < d.textEnd) return this.blockFor(target).host;
    const e = this.exportsByAddress.get(target);
    if (e !== undefined) return e.stub;
    if (target === d.glue.sentinel) return d.glue.sentinel;
    return -1;
  }

  /** A block's direct exit: patch the stub into a jump to the checked target. */
  private chain(cpu: MipsCpu): void {
    const target = cpu.regs[2] >>> 0;
    const stub = (cpu.pc - STUB_WORDS * 4) >>> 0;
    const source = this.blockAt(stub);
    const flushesBefore = this.flushes;
    const host = this.checkedTarget(target);
    if (host < 0) {
      this.refuse(cpu, source === null ? -1 : source.ir.terminator.eip, target);
      return;
    }
    if (this.flushes === flushesBefore && source !== null) {
      this.poke(stub, Uint32Array.of(encodeInstruction('j', [host], stub), 0));
      this.patchedStubs.set(stub, target);
      this.chainsPatched++;
      this.translatorCost += CHAIN_PATCH_COST;
      this.emit({ kind: 'chain-patched', translator: TRANSLATOR, from: source.ir.start, to: target, site: stub });
    }
    cpu.pc = host;
  }

  private untranslated(cpu: MipsCpu): void {
    const eip = cpu.regs[2] >>> 0;
    const t = this.byEip.get(eip)?.ir.terminator;
    const what = t !== undefined && t.kind === 'untranslated' ? `instruction '${t.mnemonic}' at ${hex(eip)} is not translated (${t.reason})` : `instruction at ${hex(eip)} is not translated`;
    this.fault(cpu, eip, -1, `driver ${what}`);
  }

  private tooDeep(): void {
    const d = this.driver as LoadedDriver;
    this.setWord(d.header + HEADER.faulted, 1);
    this.refusals++;
    const message = `driver ${d.path}: kernel -> driver re-entry deeper than ${SHELL_RECORD_LIMIT / 2} nested driver calls refused; the driver is disabled (-EFAULT)`;
    this.console(`ukcf: ${message}\n`);
    this.emit({ kind: 'stop', translator: TRANSLATOR, reason: message, eip: -1 });
  }

  private refuse(cpu: MipsCpu, from: number, target: number): void {
    const d = this.driver as LoadedDriver;
    const where = from >= 0 ? `at ${hex(from)}${this.nameSuffix(from)}` : 'after a kernel function returned';
    const message = `driver ${d.path}: jump ${where} to ${hex(target)} refused: neither driver code nor an exported kernel function`;
    this.emit({ kind: 'refused-jump', translator: TRANSLATOR, from, target, message });
    this.fault(cpu, from, target, message);
  }

  /** Disables the driver and returns -EFAULT from its innermost shell; the kernel goes on. */
  private fault(cpu: MipsCpu, eip: number, target: number, message: string): void {
    const d = this.driver as LoadedDriver;
    this.refusals++;
    this.setWord(d.header + HEADER.faulted, 1);
    this.console(`ukcf: ${message}; the driver is disabled (-EFAULT)\n`);
    if (target < 0) this.emit({ kind: 'stop', translator: TRANSLATOR, reason: message, eip });
    cpu.pc = d.glue.faultReturn;
  }

  private nameSuffix(address: number): string {
    const name = this.symbolOf(address);
    return name === undefined ? '' : ` (${name})`;
  }

  /** Guest eip of the exit whose `jal monitor` left ra (host) behind, or -1 (not from a block). */
  private sourceOfIndirect(ra: number): number {
    const block = this.blockAt((ra - 8) >>> 0);
    return block === null ? -1 : block.ir.terminator.eip;
  }

  private blockAt(host: number): CachedBlock | null {
    const blocks = this.byHost;
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = blocks[mid];
      if (host < b.host) hi = mid - 1;
      else if (host >= b.host + b.words * 4) lo = mid + 1;
      else return b;
    }
    return null;
  }

  // ---- the code cache ---------------------------------------------------------------------------

  private clearTable(): void {
    const d = this.driver as LoadedDriver;
    const table = new Uint32Array(LOOKUP_ENTRIES * 2);
    for (let i = 0; i < LOOKUP_ENTRIES; i++) table[2 * i] = 0xffffffff; // no guest eip: odd and outside
    this.poke(d.table, table);
  }

  private setTableEntry(eip: number, host: number): void {
    const d = this.driver as LoadedDriver;
    const slot = d.table + (eip & (LOOKUP_ENTRIES - 1)) * 8;
    this.setWord(slot, eip);
    this.setWord(slot + 4, host);
  }

  private backEndOptions(): BackEndOptions & { directExitFilter: (target: number) => boolean } {
    const d = this.driver as LoadedDriver;
    return {
      lockstep: false,
      dispatch: d.glue.monitor,
      materializeFlags: d.glue.materializeFlags,
      // Direct transfers out of the driver's code go through the monitor like indirect ones.
      directExitFilter: (target: number) => target >= d.textStart && target < d.textEnd,
    };
  }

  private blockFor(eip: number): CachedBlock {
    const found = this.byEip.get(eip);
    if (found !== undefined) return found;
    const d = this.driver as LoadedDriver;
    const ir = buildBlock(this.codeSource, eip);
    const options = this.backEndOptions();
    const prologue = this.countEntries ? PROFILE_WORDS * 4 : 0;
    let code = emitBlock(ir, this.next + prologue, options);
    if (this.next + prologue + code.words.length * 4 > d.cacheEnd) {
      this.flush();
      code = emitBlock(ir, this.next + prologue, options);
      if (this.next + prologue + code.words.length * 4 > d.cacheEnd) throw new Error(`UKCF kernel translator: block at ${hex(eip)} does not fit in the code cache`);
    }
    let words = this.retarget(code.words, this.next + prologue);
    let counter = 0;
    if (this.countEntries) {
      counter = this.profileNext;
      if (counter + 4 > d.area + d.areaSize) throw new Error('UKCF kernel translator: out of block entry counters');
      this.profileNext += 4;
      this.setWord(counter, 0);
      const asm = new MipsAssembler(this.next);
      const lo = (counter << 16) >> 16;
      asm.lui(GPR.t9, ((counter - lo) >>> 16) & 0xffff);
      asm.lw(GPR.t8, lo, GPR.t9);
      asm.addiu(GPR.t8, GPR.t8, 1);
      asm.sw(GPR.t8, lo, GPR.t9);
      const all = new Uint32Array(PROFILE_WORDS + words.length);
      all.set(asm.finish().words);
      all.set(words, PROFILE_WORDS);
      words = all;
      this.profiled.push({ eip, guestCount: ir.guestCount, counter });
    }
    const guestMap = prologue === 0 ? code.guestMap : code.guestMap.map((m) => ({ offset: m.offset + prologue, eip: m.eip }));
    const block: CachedBlock = { ir, host: this.next, words: words.length, guestMap, counter };
    this.poke(this.next, words);
    this.next += words.length * 4;
    this.byEip.set(eip, block);
    this.byHost.push(block);
    this.blocksTranslated++;
    this.guestInstructionsTranslated += ir.guestCount;
    this.translatorCost += TRANSLATE_COST_PER_BLOCK + TRANSLATE_COST_PER_GUEST_INSN * ir.guestCount;
    if (this.onEvent !== null) {
      let exitStubs = 0;
      for (const w of words) if ((w & SDBBP_MASK) >>> 0 === SDBBP) exitStubs++;
      // Exit stubs are inline here (3 words each, counted by their hypercall until chained).
      this.emit({ kind: 'block-translated', translator: TRANSLATOR, eip, guestEnd: ir.end, guestCount: ir.guestCount, host: block.host, hostWords: words.length - STUB_WORDS * exitStubs, exitStubs });
    }
    return block;
  }

  /**
   * With countBlockEntries: guest instructions the translated driver executed (Σ entries × block
   * size) and the host instructions the counters themselves took (to subtract from 'ukcf-driver').
   */
  blockProfile(): { guestInstructions: number; blockEntries: number; counterInstructions: number } {
    let guest = 0;
    let entries = 0;
    for (const p of this.profiled) {
      const n = this.word(p.counter);
      entries += n;
      guest += n * p.guestCount;
    }
    return { guestInstructions: guest, blockEntries: entries, counterInstructions: entries * PROFILE_WORDS };
  }

  /**
   * The translation core's block speaks the user translator's hypercall codes and jumps to its
   * dispatch: renumber them into the kernel translator's range, and make indirect exits `jal
   * monitor` so that a refused target can name the guest instruction that jumped (ra).
   */
  private retarget(words: Uint32Array, origin: number): Uint32Array {
    const d = this.driver as LoadedDriver;
    const out = Uint32Array.from(words);
    const codes: Record<number, number> = {
      [Hypercall.DispatchMiss]: KernelHypercall.Miss,
      [Hypercall.Chain]: KernelHypercall.Chain,
      [Hypercall.Untranslated]: KernelHypercall.Untranslated,
      [Hypercall.Boundary]: KernelHypercall.Untranslated,
      [Hypercall.Syscall]: KernelHypercall.Untranslated,
    };
    const jMonitor = encodeInstruction('j', [d.glue.monitor], origin) >>> 0;
    const jalMonitor = encodeInstruction('jal', [d.glue.monitor], origin) >>> 0;
    for (let i = 0; i < out.length; i++) {
      const w = out[i];
      const at = origin + 4 * i;
      if ((w & SDBBP_MASK) >>> 0 === SDBBP) {
        const code = (w >>> 6) & 0xfffff;
        const mapped = codes[code];
        if (mapped === undefined) throw new Error(`UKCF kernel translator: unexpected hypercall ${code} in a translated block`);
        out[i] = encodeInstruction('sdbbp', [mapped], at);
      } else if (w === jMonitor) {
        out[i] = jalMonitor; // same 256 MiB segment as the cache: one encoding for every site
      }
    }
    return out;
  }

  /** Drops every translation (glue, shells and export stubs stay); chains are undone first. */
  flush(): void {
    const d = this.driver;
    if (d === null) return;
    for (const [stub, target] of this.patchedStubs) this.poke(stub, this.unchainedStub(stub, target));
    this.patchedStubs.clear();
    const eips = this.byHost.map((b) => b.ir.start);
    this.byEip.clear();
    this.byHost.length = 0;
    this.next = d.cacheStart;
    this.clearTable();
    this.flushes++;
    this.translatorCost += FLUSH_COST;
    this.emit({ kind: 'flush', translator: TRANSLATOR, blocks: eips.length, eips });
  }

  private unchainedStub(stub: number, target: number): Uint32Array {
    const asm = new MipsAssembler(stub);
    asm.lui(2, target >>> 16);
    asm.ori(2, 2, target & 0xffff);
    asm.sdbbp(KernelHypercall.Chain);
    return asm.finish().words;
  }

  // ---- for the debugger and the tests ------------------------------------------------------------

  /** Where MIPS breakpoints catch the crossings (only set when a client asks: they cost nothing otherwise). */
  glueEntryPoints(): { name: string; address: number }[] {
    const d = this.driver;
    if (d === null) return [];
    const g = d.glue;
    const out: { name: string; address: number }[] = [{ name: 'jump-monitor', address: g.monitor }];
    g.shellEntry.forEach((a, n) => out.push({ name: `shell-entry/${n}`, address: a }));
    g.kernelCall.forEach((a, n) => out.push({ name: `context-save/kernel-call/${n}`, address: a }));
    g.nativeCall.forEach((a, n) => out.push({ name: `monitor-exit-to-kernel/${n}`, address: a }));
    g.backFromKernel.forEach((a, n) => out.push({ name: `return-into-driver/${n}`, address: a }));
    out.push({ name: 'sentinel/return-to-kernel', address: g.sentinel });
    out.push({ name: 'context-load/return-to-kernel', address: g.returnToKernel });
    out.push({ name: 'refused/return-to-kernel', address: g.faultReturn });
    for (const s of this.shellFunctions) out.push({ name: `shell ${hex(s.function)}${this.nameSuffix(s.function)}`, address: s.shell });
    for (const e of this.exportsList) out.push({ name: `export-stub ${e.name}`, address: e.stub });
    return out;
  }

  get loaded(): { path: string; base: number; size: number; textStart: number; textEnd: number; area: number; areaSize: number } | null {
    const d = this.driver;
    return d === null ? null : { path: d.path, base: d.base, size: d.size, textStart: d.textStart, textEnd: d.textEnd, area: d.area, areaSize: d.areaSize };
  }

  exports(): readonly KernelExportEntry[] {
    return this.exportsList;
  }

  shellList(): readonly { function: number; args: number; shell: number }[] {
    return this.shellFunctions;
  }

  /** The driver was refused (its shells now return -EFAULT). */
  get faulted(): boolean {
    const d = this.driver;
    return d !== null && this.word(d.header + HEADER.faulted) !== 0;
  }

  /** Crossings counted by the glue: shell entries (kernel → driver) and kernel calls (driver → kernel). */
  crossings(): { shellEntries: number; kernelCalls: number } {
    const d = this.driver;
    if (d === null) return { shellEntries: 0, kernelCalls: 0 };
    return { shellEntries: this.word(d.header + HEADER.shellEntries), kernelCalls: this.word(d.header + HEADER.kernelCalls) };
  }

  /** The context stack, outermost first, as in memory. */
  contextStack(): ContextRecord[] {
    const d = this.driver;
    if (d === null) return [];
    const top = this.word(d.header + HEADER.top);
    const out: ContextRecord[] = [];
    for (let r = d.records, depth = 0; r < top && depth < MAX_RECORDS; r += RECORD_BYTES, depth++) {
      const kind = this.word(r + RECORD.kind) === RecordKind.Shell ? 'shell' : 'kernel-call';
      const target = this.word(r + RECORD.target);
      const index = this.word(r + RECORD.index);
      const name = kind === 'shell' ? (this.symbolOf(target) ?? hex(target)) : (this.exportsList[index]?.name ?? hex(target));
      out.push({
        depth, address: r, kind, target, name,
        resume: this.word(r + RECORD.resume),
        esp: this.word(r + RECORD.esp),
        regs: Array.from({ length: 8 }, (_, i) => this.word(r + RECORD.regs + 4 * i)),
        flags: Array.from({ length: 5 }, (_, i) => this.word(r + RECORD.flags + 4 * i)),
        s8: this.word(r + RECORD.s8),
        sp: this.word(r + RECORD.sp),
        ra: this.word(r + RECORD.ra),
      });
    }
    return out;
  }

  /**
   * Writes a saved guest register (0..7 = eax..edi) of a kernel-call record: the glue reloads it
   * when the native function returns (eax is then the function's result).
   */
  writeContextRegister(depth: number, reg: number, value: number): void {
    const rec = this.contextStack()[depth];
    if (rec === undefined || rec.kind !== 'kernel-call' || reg < 0 || reg > 7) throw new Error(`no saved guest register ${reg} at context depth ${depth}`);
    this.setWord(rec.address + RECORD.regs + 4 * reg, value);
  }

  /** Guest eax..edi while the CPU is in translated driver code (pinned host registers). */
  guestRegisters(): Int32Array {
    return this.cpu.regs.slice(guestRegister(0), guestRegister(8));
  }

  /** Sets a guest register (0..7 = eax..edi) while the CPU is in translated driver code. */
  setGuestRegister(reg: number, value: number): void {
    if (reg < 0 || reg > 7) throw new Error(`no guest register ${reg}`);
    this.cpu.regs[guestRegister(reg)] = value | 0;
  }

  /** Host address of the translation of a driver eip, or null. */
  translationOf(eip: number): number | null {
    return this.byEip.get(eip >>> 0)?.host ?? null;
  }

  codeCacheBlocks(): { eip: number; guestEnd: number; host: number; words: number; guestCount: number }[] {
    return this.byHost.map((b) => ({ eip: b.ir.start, guestEnd: b.ir.end, host: b.host, words: b.words, guestCount: b.ir.guestCount }));
  }

  /** Guest eip of the driver instruction whose translation contains host address pc (-1 elsewhere). */
  guestEipAt(pc: number): number {
    const b = this.blockAt(pc >>> 0);
    if (b === null) return -1;
    let eip = b.ir.start;
    for (const m of b.guestMap) if (b.host + m.offset <= pc) eip = m.eip;
    return eip;
  }
}
