// Oracles for the MIPS disassembler/encoder tests: GNU as/objdump (binutils-mipsel-linux-gnu) and
// Capstone. Shared by disassembler*.test.ts, encoder*.test.ts and capstone*.test.ts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const AS = 'mipsel-linux-gnu-as';
const OBJDUMP = 'mipsel-linux-gnu-objdump';
const OBJCOPY = 'mipsel-linux-gnu-objcopy';

/** null when GNU binutils for mipsel are usable, else the reason to skip. */
export function binutilsMissingReason(): string | null {
  for (const tool of [AS, OBJDUMP, OBJCOPY]) {
    const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return `${tool} not installed (apt-get install binutils-mipsel-linux-gnu)`;
  }
  return null;
}

function withTempDir<T>(body: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'mips-oracle-'));
  try {
    return body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(tool: string, args: string[]): string {
  const r = spawnSync(tool, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed:\n${r.stderr.slice(0, 4000)}`);
  return r.stdout;
}

export function wordsToBytes(words: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < words.length; i++) view.setUint32(i * 4, words[i] >>> 0, true);
  return bytes;
}

/**
 * GNU objdump's text (mnemonic, tab, operands) for each word, disassembled as raw little-endian
 * MIPS32r2 placed at `vma`. -z keeps zero words from being folded into "...".
 */
export function objdumpTexts(words: ArrayLike<number>, vma: number, extraOptions: string[] = []): string[] {
  return withTempDir((dir) => {
    const bin = join(dir, 'code.bin');
    writeFileSync(bin, wordsToBytes(words));
    const out = run(OBJDUMP, [
      '-D', '-z', '-b', 'binary', '-m', 'mips:isa32r2', '-EL',
      `--adjust-vma=0x${(vma >>> 0).toString(16)}`, ...extraOptions, bin,
    ]);
    const texts: string[] = new Array(words.length);
    let found = 0;
    for (const line of out.split('\n')) {
      // "80001000:\t00601025 \tmove\tv0,v1"
      const m = /^\s*([0-9a-f]+):\t([0-9a-f]{8}) \t(.*)$/.exec(line);
      if (!m) continue;
      const index = (parseInt(m[1], 16) - (vma >>> 0)) / 4;
      if (!Number.isInteger(index) || index < 0 || index >= words.length) {
        throw new Error(`objdump line outside the input: ${line}`);
      }
      texts[index] = m[3];
      found++;
    }
    if (found !== words.length) throw new Error(`objdump printed ${found} of ${words.length} words`);
    return texts;
  });
}

const END_MARKER = 0xfc00fc00; // opcode 0x3f: reserved in MIPS32r2

/**
 * Assembles `lines` with GNU as for MIPS32r2 LE at address 0 (noreorder, noat, no Loongson ll/sc
 * workaround (Debian's as puts a sync before ll by default), and nomacro unless
 * `macros`) and returns the .text words without as's zero padding to 16 bytes. Throws if as warns.
 * Without `macros`, each line must be one instruction or a label ("name:"): the word count must
 * equal the number of instruction lines.
 */
export function gnuAssemble(lines: string[], options: { macros?: boolean } = {}): Uint32Array {
  return withTempDir((dir) => {
    const src = join(dir, 'code.s');
    const obj = join(dir, 'code.o');
    const bin = join(dir, 'code.bin');
    // With macros the word count is unknown: an end marker word (never an instruction we emit) bounds it.
    const tail = options.macros ? [`.word 0x${END_MARKER.toString(16)}`] : [];
    writeFileSync(src, ['.set noreorder', '.set noat', options.macros ? '.set macro' : '.set nomacro', '.text', ...lines, ...tail, ''].join('\n'));
    const r = spawnSync(AS, ['-EL', '-mips32r2', '-32', '-mno-fix-loongson3-llsc', '-o', obj, src], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.error) throw r.error;
    if (r.status !== 0 || r.stderr.trim() !== '') {
      const lineOf = (n: number) => lines[n - 5] ?? '?';
      const msg = r.stderr.split('\n').slice(0, 20)
        .map((l) => { const m = /:(\d+): /.exec(l); return m ? `${l}   <- ${lineOf(Number(m[1]))}` : l; })
        .join('\n');
      throw new Error(`GNU as rejected the generated source:\n${msg}`);
    }
    run(OBJCOPY, ['-O', 'binary', '-j', '.text', obj, bin]);
    const bytes = readFileSync(bin);
    let count = bytes.length >> 2;
    if (options.macros) {
      while (count > 0 && bytes.readUInt32LE((count - 1) * 4) !== END_MARKER) count--;
      if (count === 0) throw new Error('GNU as output lost the end marker');
      count--;
    } else {
      const instructions = lines.filter((l) => !/^\s*[A-Za-z_.$][\w.$]*:\s*$/.test(l)).length;
      for (let i = instructions; i < count; i++) {
        if (bytes.readUInt32LE(i * 4) !== 0) throw new Error(`GNU as produced more than ${instructions} words for ${instructions} instructions`);
      }
      if (count < instructions) throw new Error(`GNU as produced ${count} words for ${instructions} instructions`);
      count = instructions;
    }
    const words = new Uint32Array(count);
    for (let i = 0; i < count; i++) words[i] = bytes.readUInt32LE(i * 4);
    return words;
  });
}

export interface ObjdumpElfLine {
  address: number;
  word: number;
  text: string;
}

/** Every instruction line of `objdump -d -m mips:isa32r2` on an ELF file (symbols resolved by objdump). */
export function objdumpElf(file: string): ObjdumpElfLine[] {
  const out = run(OBJDUMP, ['-d', '-m', 'mips:isa32r2', file]);
  const lines: ObjdumpElfLine[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t([0-9a-f]{8}) \t(.*)$/.exec(line);
    if (m) lines.push({ address: parseInt(m[1], 16), word: parseInt(m[2], 16), text: m[3] });
  }
  return lines;
}

export interface ElfSymbol {
  name: string;
  address: number;
  kind: 'function' | 'object' | 'other';
  binding: 'global' | 'weak' | 'local';
}

/** The defined, named, non-section, non-file symbols of an ELF file, as readelf -s lists them. */
export function readelfSymbols(file: string): ElfSymbol[] {
  const out = run('mipsel-linux-gnu-readelf', ['-sW', file]);
  const symbols: ElfSymbol[] = [];
  for (const line of out.split('\n')) {
    // "   12: 00400110  1120 FUNC    GLOBAL DEFAULT    6 fib"
    const m = /^\s*\d+:\s+([0-9a-f]+)\s+\d+\s+(\w+)\s+(\w+)\s+\w+\s+(\w+)\s+(\S+)$/.exec(line);
    if (!m || m[4] === 'UND' || m[2] === 'SECTION' || m[2] === 'FILE') continue;
    symbols.push({
      name: m[5],
      address: parseInt(m[1], 16),
      kind: m[2] === 'FUNC' ? 'function' : m[2] === 'OBJECT' ? 'object' : 'other',
      binding: m[3] === 'LOCAL' ? 'local' : m[3] === 'WEAK' ? 'weak' : 'global',
    });
  }
  return symbols;
}

// ---------------------------------------------------------------- ASE words

/**
 * objdump -m mips:isa32r2 enables every ASE; MIPS32r2 without ASEs (our host) has no such
 * instructions. Names the ASE objdump decoded `text` (its output for `word`) from, or null when
 * it is base MIPS32r2.
 */
export function classifyAse(word: number, text: string): string | null {
  const [mnemonic, operands = ''] = text.split('\t');
  const opcode = word >>> 26;
  if (mnemonic === 'jalx') return 'MIPS16e/microMIPS';
  if (mnemonic === 'c0') return 'implementation-defined COP0 operation';
  if (/^udi\d+$/.test(mnemonic)) return 'UDI';
  if (mnemonic === 'aset' || mnemonic === 'aclr') return 'MCU';
  if (['lwxs', 'pperm', 'maddp', 'multp', 'mflhxu', 'mtlhx'].includes(mnemonic)) return 'SmartMIPS';
  if (/^m[ft]h?gc0$/.test(mnemonic) || mnemonic === 'hypcall' || /^tlbg/.test(mnemonic)) return 'virtualization';
  if (mnemonic === 'mfhc0' || mnemonic === 'mthc0') return 'XPA';
  if (/^(mftr|mttr|mft|mtt|dmt|emt|dvpe|evpe|fork|yield)/.test(mnemonic) || /^(mf|mt|cf|ct)t/.test(mnemonic)) return 'MT';
  if (operands.includes('$ac') || mnemonic === 'bposge32') return 'DSP';
  if (opcode === 0x1e || mnemonic === 'lsa' || operands.includes('$w')) return 'MSA';
  if (opcode === 0x1f) return 'DSP/EVA (SPECIAL3)';
  return null;
}

// ---------------------------------------------------------------- Capstone

export interface CapstoneText {
  mnemonic: string;
  opStr: string;
}

export interface CapstoneMips {
  /** null when Capstone rejects the word. */
  disassemble(word: number, address: number): CapstoneText | null;
  close(): void;
}

interface CsInsn { mnemonic: string; op_str: string }
interface CsHandle { disasm(bytes: number[], address: number): CsInsn[]; close(): void }
interface CsModule {
  Capstone: new (arch: number, mode: number) => CsHandle;
  ARCH_MIPS: number; MODE_32: number; MODE_LITTLE_ENDIAN: number;
}

export async function openCapstoneMips(): Promise<CapstoneMips> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = require('@alexaltea/capstone-js') as () => Promise<CsModule>;
  const cs = await factory();
  const handle = new cs.Capstone(cs.ARCH_MIPS, cs.MODE_32 + cs.MODE_LITTLE_ENDIAN);
  const bytes = [0, 0, 0, 0];
  return {
    disassemble(word, address) {
      bytes[0] = word & 0xff; bytes[1] = (word >>> 8) & 0xff; bytes[2] = (word >>> 16) & 0xff; bytes[3] = word >>> 24;
      let insns: CsInsn[];
      try {
        insns = handle.disasm(bytes, address >>> 0);
      } catch {
        return null;
      }
      if (insns.length === 0) return null;
      return { mnemonic: insns[0].mnemonic, opStr: insns[0].op_str };
    },
    close() { handle.close(); },
  };
}

// ---------------------------------------------------------------- deterministic generation

/** xorshift32: small, fast, fixed-seed, reproducible across runs and machines. */
export class Prng {
  private state: number;
  constructor(seed: number) { this.state = (seed >>> 0) || 0x9e3779b9; }
  next(): number {
    let x = this.state;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.state = x;
    return x;
  }
  /** integer in [0, n) */
  below(n: number): number { return Math.floor((this.next() / 0x100000000) * n); }
}
