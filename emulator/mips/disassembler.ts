// MIPS32r2 (little-endian) disassembler: prints each word exactly as GNU objdump 2.40 does with
//   mipsel-linux-gnu-objdump -d -m mips:isa32r2        (ELF)  or
//   mipsel-linux-gnu-objdump -D -b binary -m mips:isa32r2 -EL   (raw words)
// i.e. objdump's default options: aliases on (nop, move, li, b, beqz, ...), o32 ABI register names
// (zero at v0 ... ra), mips32r2 CP0/HWR names, branch and jump targets as absolute hex addresses.
// The text is "mnemonic<TAB>operands" (just the mnemonic when there are none), like objdump's.
// A word no table row accepts prints as objdump prints it: ".word<TAB>0x…".
//
// Options (each matches an objdump -M option and is tested against it):
//   noAliases        -M no-aliases        the base instruction instead of nop/move/li/b/beqz/...
//                                         (objdump keeps pause, neg, negu, 1-operand jalr[.hb] even then)
//   numericRegisters -M gpr-names=numeric "$2" instead of "v0" (CP0/HWR names stay)
//   symbolize        objdump -d on an ELF: targets print as "400ef0 <name+0x10>" (symbolNamer builds one)
//
// Driven entirely by THE table (table.ts) through decode(). Known deliberate differences from
// objdump: the operand-less rows the table marks CATCH_ALL (FPU/COP2 groups the host never
// executes) print as the group ("cop1\t0x…", "cop2\t0x…", "cop1x\t0x…") where objdump names the
// individual FPU/COP2 instruction (or says .word); words objdump decodes as ASE instructions that
// MIPS32r2 without ASEs does not have (DSP, MT, MSA, microMIPS jalx, ...) print as ".word".
//
// API
//   disassembleWord(word, address, options?)        → text
//   formatInstruction(instruction, address, options?) → text for an already decoded instruction
//   controlTarget(instruction, address)             → absolute target of a branch/j/jal, else null
//   disassembleWords(words, origin, options?)       → MipsListingLine[] (address, word, text, decoded)
//   disassembleBytes(bytes, origin, options?)       → the same from little-endian bytes
//   formatListingLine(line) / formatListing(lines)  → objdump's "address:<TAB>word <TAB>text" lines
//   symbolNamer(symbols)                            → a `symbolize` choosing symbols as objdump does

import { decode, type MipsInstruction } from './decoder';
import {
  GPR_NAMES,
  HW_REGISTER_NAMES,
  MIPS_TABLE,
  MipsClass,
  SYNC_TYPE_NAMES,
  type MipsInstructionSpec,
  type MipsOperandKind,
} from './table';

export interface MipsDisassemblyOptions {
  /** Names branch/jump targets; a named target prints as objdump -d prints it for an ELF with symbols: "400ef0 <name>". */
  symbolize?: (address: number) => string | undefined;
  /** objdump -M no-aliases: print the base instruction of an alias row. */
  noAliases?: boolean;
  /** objdump -M gpr-names=numeric: GPRs as "$N". */
  numericRegisters?: boolean;
}

/** Alias rows of the table that objdump prints as they are even with -M no-aliases (its real instructions). */
const KEPT_WITHOUT_ALIASES: ReadonlySet<string> = new Set(['pause', 'neg', 'negu', 'jalr', 'jalr.hb']);

/** Non-alias rows by op, in table order: where an alias word goes with -M no-aliases. */
const BASE_ROWS_BY_OP = new Map<string, MipsInstructionSpec[]>();
for (const spec of MIPS_TABLE) {
  if (spec.flags & MipsClass.ALIAS) continue;
  const list = BASE_ROWS_BY_OP.get(spec.op) ?? [];
  list.push(spec);
  BASE_ROWS_BY_OP.set(spec.op, list);
}

function baseRow(insn: MipsInstruction): MipsInstructionSpec {
  for (const spec of BASE_ROWS_BY_OP.get(insn.spec.op) ?? []) {
    if (((insn.word & spec.mask) >>> 0) === spec.match) return spec;
  }
  return insn.spec;
}

const NUMERIC_GPR_NAMES: readonly string[] = GPR_NAMES.map((_, i) => `$${i}`);

/**
 * CP0 register names objdump prints for mips32r2 (its MT-ASE-aware mips32r2 set), indexed
 * [register][select]. '' means objdump prints "$reg" (select 0) or "$reg,select".
 */
const C0_NAMES: readonly (readonly string[])[] = [
  ['c0_index', 'c0_mvpcontrol', 'c0_mvpconf0', 'c0_mvpconf1', '', '', '', ''],
  ['c0_random', 'c0_vpecontrol', 'c0_vpeconf0', 'c0_vpeconf1', 'c0_yqmask', 'c0_vpeschedule', 'c0_vpeschefback', ''],
  ['c0_entrylo0', 'c0_tcstatus', 'c0_tcbind', 'c0_tcrestart', 'c0_tchalt', 'c0_tccontext', 'c0_tcschedule', 'c0_tcschefback'],
  ['c0_entrylo1', '', '', '', '', '', '', ''],
  ['c0_context', 'c0_contextconfig', '', '', '', '', '', ''],
  ['c0_pagemask', 'c0_pagegrain', '', '', '', '', '', ''],
  ['c0_wired', 'c0_srsconf0', 'c0_srsconf1', 'c0_srsconf2', 'c0_srsconf3', 'c0_srsconf4', '', ''],
  ['c0_hwrena', '', '', '', '', '', '', ''],
  ['c0_badvaddr', '', '', '', '', '', '', ''],
  ['c0_count', '', '', '', '', '', '', ''],
  ['c0_entryhi', '', '', '', '', '', '', ''],
  ['c0_compare', '', '', '', '', '', '', ''],
  ['c0_status', 'c0_intctl', 'c0_srsctl', 'c0_srsmap', '', '', '', ''],
  ['c0_cause', '', '', '', '', '', '', ''],
  ['c0_epc', '', '', '', '', '', '', ''],
  ['c0_prid', 'c0_ebase', '', '', '', '', '', ''],
  ['c0_config', 'c0_config1', 'c0_config2', 'c0_config3', '', '', '', ''],
  ['c0_lladdr', '', '', '', '', '', '', ''],
  ['c0_watchlo', 'c0_watchlo,1', 'c0_watchlo,2', 'c0_watchlo,3', 'c0_watchlo,4', 'c0_watchlo,5', 'c0_watchlo,6', 'c0_watchlo,7'],
  ['c0_watchhi', 'c0_watchhi,1', 'c0_watchhi,2', 'c0_watchhi,3', 'c0_watchhi,4', 'c0_watchhi,5', 'c0_watchhi,6', 'c0_watchhi,7'],
  ['c0_xcontext', '', '', '', '', '', '', ''],
  ['', '', '', '', '', '', '', ''],
  ['', '', '', '', '', '', '', ''],
  ['c0_debug', 'c0_tracecontrol', 'c0_tracecontrol2', 'c0_usertracedata', 'c0_tracebpc', '', '', ''],
  ['c0_depc', '', '', '', '', '', '', ''],
  ['c0_perfcnt', 'c0_perfcnt,1', 'c0_perfcnt,2', 'c0_perfcnt,3', 'c0_perfcnt,4', 'c0_perfcnt,5', 'c0_perfcnt,6', 'c0_perfcnt,7'],
  ['c0_errctl', '', '', '', '', '', '', ''],
  ['c0_cacheerr', 'c0_cacheerr,1', 'c0_cacheerr,2', 'c0_cacheerr,3', '', '', '', ''],
  ['c0_taglo', 'c0_datalo', 'c0_taglo1', 'c0_datalo1', 'c0_taglo2', 'c0_datalo2', 'c0_taglo3', 'c0_datalo3'],
  ['c0_taghi', 'c0_datahi', 'c0_taghi1', 'c0_datahi1', 'c0_taghi2', 'c0_datahi2', 'c0_taghi3', 'c0_datahi3'],
  ['c0_errorepc', '', '', '', '', '', '', ''],
  ['c0_desave', '', '', '', '', '', '', ''],
];

/** FPU control register names objdump prints (cfc1/ctc1); others print "$N". */
const C1_CONTROL_NAMES: Readonly<Record<number, string>> = {
  0: 'c1_fir', 1: 'c1_ufr', 4: 'c1_unfr', 25: 'c1_fccr', 26: 'c1_fexr', 28: 'c1_fenr', 31: 'c1_fcsr',
};

function hex(value: number): string {
  return '0x' + (value >>> 0).toString(16);
}

/** The absolute target of a PC-relative branch or a j/jal at `address`; null for anything else. */
export function controlTarget(instruction: MipsInstruction, address: number): number | null {
  for (const kind of instruction.spec.operands) {
    if (kind === 'branch') return (address + 4 + (instruction.simm16 << 2)) >>> 0;
    if (kind === 'jump') return ((((address + 4) & 0xf0000000) | (instruction.index26 << 2)) >>> 0);
  }
  return null;
}

function formatTarget(target: number, options: MipsDisassemblyOptions | undefined): string {
  const name = options?.symbolize?.(target);
  // objdump -d on an ELF with symbols: bare hex address, then "<symbol+0xoffset>".
  return name === undefined ? hex(target) : `${(target >>> 0).toString(16)} <${name}>`;
}

export interface MipsSymbol {
  readonly name: string;
  readonly address: number;
  /** ELF symbol type; objdump prefers functions, then objects, at the same address (default 'other'). */
  readonly kind?: 'function' | 'object' | 'other';
  /** ELF binding; objdump prefers global, then weak, then local (default 'global'). */
  readonly binding?: 'global' | 'weak' | 'local';
}

/** objdump's preference among symbols at one address: smaller ranks first, then names starting with '.' last, then by name. */
function symbolRank(s: MipsSymbol): number {
  const kind = s.kind === 'function' ? 0 : s.kind === 'object' ? 1 : 2;
  const binding = s.binding === 'local' ? 2 : s.binding === 'weak' ? 1 : 0;
  return kind * 3 + binding;
}

function compareNames(a: string, b: string): number {
  const ad = a.startsWith('.');
  const bd = b.startsWith('.');
  if (ad !== bd) return ad ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0; // byte order, like strcmp for ASCII names
}

/**
 * A `symbolize` function naming an address as objdump -d does for an ELF: the symbol with the
 * highest address not above it, plus "+0x<offset>" when it is not at the symbol itself. Pass the
 * defined symbols (no section, file or undefined ones). Addresses below every symbol get no name.
 */
export function symbolNamer(symbols: readonly MipsSymbol[]): (address: number) => string | undefined {
  const sorted = [...symbols].sort(
    (a, b) => (a.address >>> 0) - (b.address >>> 0) || symbolRank(a) - symbolRank(b) || compareNames(a.name, b.name),
  );
  const unique = sorted.filter((s, i) => i === 0 || (sorted[i - 1].address >>> 0) !== (s.address >>> 0));
  return (address: number) => {
    const a = address >>> 0;
    let lo = 0;
    let hi = unique.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (unique[mid].address >>> 0 <= a) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    const s = unique[found];
    const base = s.address >>> 0;
    return base === a ? s.name : `${s.name}+0x${(a - base).toString(16)}`;
  };
}

/**
 * clz/clo must have rd == rt. objdump prints the register once when they agree or one of them is
 * zero (the other one), and "rd or rt" when they disagree.
 */
function sameRdRt(insn: MipsInstruction, names: readonly string[]): string {
  if (insn.rd === insn.rt || insn.rt === 0) return names[insn.rd];
  if (insn.rd === 0) return names[insn.rt];
  return `${names[insn.rd]} or ${names[insn.rt]}`;
}

/** One operand's text, or null when objdump omits it (zero codes, di/ei without rt, sync 0). */
function formatOperand(
  kind: MipsOperandKind,
  insn: MipsInstruction,
  spec: MipsInstructionSpec,
  address: number,
  options: MipsDisassemblyOptions | undefined,
): string | null {
  const w = insn.word;
  const names = options?.numericRegisters ? NUMERIC_GPR_NAMES : GPR_NAMES;
  switch (kind) {
    case 'rs': return names[insn.rs];
    case 'rt':
      // Coprocessor 2 loads/stores name a COP2 register, which objdump prints by number.
      return spec.flags & MipsClass.COP2 ? `$${insn.rt}` : names[insn.rt];
    case 'rd':
      if (spec.op === 'clz' || spec.op === 'clo') return sameRdRt(insn, names);
      return names[insn.rd];
    case 'rtOptional': return insn.rt === 0 ? null : names[insn.rt];
    case 'sa': return hex(insn.sa);
    case 'simm16': return String(insn.simm16);
    case 'uimm16': return hex(insn.uimm16);
    case 'mem': return `${insn.simm16}(${names[insn.rs]})`;
    case 'branch':
    case 'jump': return formatTarget(controlTarget(insn, address) as number, options);
    case 'code20': {
      // Only the bits the row leaves free (wait's code is 19 bits: bit 25 is fixed).
      const code = ((w & ~spec.mask) >>> 6) & 0xfffff;
      return code === 0 ? null : hex(code);
    }
    case 'breakCode': {
      const first = (w >>> 16) & 0x3ff;
      const second = (w >>> 6) & 0x3ff;
      if (first === 0 && second === 0) return null;
      return second === 0 ? hex(first) : `${hex(first)},${hex(second)}`;
    }
    case 'trapCode': {
      const code = (w >>> 6) & 0x3ff;
      return code === 0 ? null : hex(code);
    }
    case 'c0reg': {
      const name = C0_NAMES[insn.rd][insn.sel];
      if (name !== '') return name;
      return insn.sel === 0 ? `$${insn.rd}` : `$${insn.rd},${insn.sel}`;
    }
    case 'hwreg': return HW_REGISTER_NAMES[insn.rd] ?? `$${insn.rd}`;
    case 'pos': return hex(insn.sa);
    case 'extSize': return hex(insn.rd + 1);
    case 'insSize': return hex(insn.rd - insn.sa + 1); // negative when msb < lsb: objdump prints it as 32-bit hex
    case 'cacheOp': return hex(insn.rt);
    case 'stype': return insn.sa === 0 ? null : hex(insn.sa);
    case 'fs': return `$f${insn.rd}`;
    case 'ft': return `$f${insn.rt}`;
    case 'fd': return `$f${insn.sa}`;
    case 'c1reg': return C1_CONTROL_NAMES[insn.rd] ?? `$${insn.rd}`;
  }
}

/**
 * MOVCI, the table's movf catch-all row (an FPU instruction: never executed here): objdump prints
 * "movf|movt rd,rs,$fccN" from the tf bit 16 and cc bits 20..18, and ".word" when bit 17 or the
 * shift field is set.
 */
function formatMovci(insn: MipsInstruction, options: MipsDisassemblyOptions | undefined): string {
  const w = insn.word;
  if ((w & 0x000207c0) !== 0) return `.word\t${hex(w)}`;
  const names = options?.numericRegisters ? NUMERIC_GPR_NAMES : GPR_NAMES;
  return `${w & 0x10000 ? 'movt' : 'movf'}\t${names[insn.rd]},${names[insn.rs]},$fcc${(w >>> 18) & 7}`;
}

/** objdump's text for a decoded instruction at `address`. */
export function formatInstruction(insn: MipsInstruction, address: number, options?: MipsDisassemblyOptions): string {
  let spec = insn.spec;
  if (spec.operands.length === 0 && spec.flags & MipsClass.CATCH_ALL) {
    // A coprocessor group the table does not itemize: name the group and show its 26 payload bits.
    return `${spec.mnemonic}\t${hex(insn.index26)}`;
  }
  if (spec.mnemonic === 'movf' && spec.flags & MipsClass.CATCH_ALL) return formatMovci(insn, options);
  const noAliases = options?.noAliases === true;
  if (noAliases && spec.flags & MipsClass.ALIAS && !KEPT_WITHOUT_ALIASES.has(spec.mnemonic)) spec = baseRow(insn);
  // sync with a named type prints the name alone ("sync_wmb"), as objdump's sync_* aliases do.
  if (!noAliases && spec.op === 'sync' && insn.sa !== 0 && SYNC_TYPE_NAMES[insn.sa] !== undefined) return SYNC_TYPE_NAMES[insn.sa];
  const texts: string[] = [];
  for (const kind of spec.operands) {
    const text = formatOperand(kind, insn, spec, address, options);
    if (text !== null) texts.push(text);
  }
  return texts.length === 0 ? spec.mnemonic : `${spec.mnemonic}\t${texts.join(',')}`;
}

/** objdump's text for one word at `address` (".word\t0x…" when no table row accepts it). */
export function disassembleWord(word: number, address: number, options?: MipsDisassemblyOptions): string {
  const insn = decode(word >>> 0);
  return insn === null ? `.word\t${hex(word)}` : formatInstruction(insn, address >>> 0, options);
}

export interface MipsListingLine {
  readonly address: number;
  readonly word: number;
  readonly text: string;
  /** null for a word no row accepts (printed as .word). */
  readonly instruction: MipsInstruction | null;
}

/** Disassembles consecutive words, the first at `origin`. */
export function disassembleWords(words: ArrayLike<number>, origin: number, options?: MipsDisassemblyOptions): MipsListingLine[] {
  const lines: MipsListingLine[] = new Array(words.length);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] >>> 0;
    const address = (origin + i * 4) >>> 0;
    const instruction = decode(word);
    const text = instruction === null ? `.word\t${hex(word)}` : formatInstruction(instruction, address, options);
    lines[i] = { address, word, text, instruction };
  }
  return lines;
}

/** Disassembles little-endian code bytes placed at `origin`; the length must be a multiple of 4. */
export function disassembleBytes(bytes: Uint8Array, origin: number, options?: MipsDisassemblyOptions): MipsListingLine[] {
  if (bytes.length % 4 !== 0) {
    throw new RangeError(`MIPS code at ${hex(origin)} is ${bytes.length} bytes long, not a whole number of 4-byte instructions`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < words.length; i++) words[i] = view.getUint32(i * 4, true);
  return disassembleWords(words, origin, options);
}

/** One line as objdump prints it: "80001000:\t00601025 \tmove\tv0,v1". */
export function formatListingLine(line: MipsListingLine): string {
  return `${line.address.toString(16).padStart(8, ' ')}:\t${line.word.toString(16).padStart(8, '0')} \t${line.text}`;
}

export function formatListing(lines: readonly MipsListingLine[]): string {
  return lines.map(formatListingLine).join('\n');
}
