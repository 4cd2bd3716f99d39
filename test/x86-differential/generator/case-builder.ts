// The model of one differential case (initial state, code under test, what not to
// compare) and a builder that families use to make random, constrained cases.

import { Prng } from './prng';

export const SCRATCH_BASE = 0x20000fe0; // must match the link address of .scratch
export const SCRATCH_SIZE = 64;

export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, TF = 0x100, IF = 0x200, DF = 0x400, OF = 0x800;
export const ARITH_FLAGS = CF | PF | AF | ZF | SF | OF;
export const FLAG_NAMES: [number, string][] = [
  [CF, 'CF'], [0x2, 'bit1'], [PF, 'PF'], [0x8, 'bit3'], [AF, 'AF'], [0x20, 'bit5'], [ZF, 'ZF'], [SF, 'SF'], [TF, 'TF'],
  [IF, 'IF'], [DF, 'DF'], [OF, 'OF'], [0x3000, 'IOPL'], [0x4000, 'NT'], [0x10000, 'RF'], [0x20000, 'VM'],
  [0x40000, 'AC'], [0x80000, 'VIF'], [0x100000, 'VIP'], [0x200000, 'ID'],
];

export const REG32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
export const REG16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
export const REG8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];
export const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;

export type Size = 8 | 16 | 32;

/** One generated case, as recorded for the test that compares dumps. */
export interface CaseSpec {
  id: number;
  family: string;
  /** The code under test, one assembler line each (shown in reports). */
  lines: string[];
  /** Initial GPRs (unsigned), register-number order. */
  regs: number[];
  eflags: number;
  /** Initial scratch bytes when the case uses (and dumps) memory. */
  memory: Uint8Array | null;
  /** Flags not compared: architecturally undefined after this code. */
  maskFlags: number;
  /** Per register, bits not compared (undefined results, host-dependent values). */
  ignoreRegBits: number[];
  /** Scratch offsets not compared. */
  ignoreMemory: number[];
  /** Instruction forms the case declares it executes ("66:01", "f0:0fb1", "81/0"...). */
  forms: string[];
}

export const EDGE8 = [0, 1, 2, 0x0f, 0x10, 0x40, 0x7f, 0x80, 0x81, 0xfe, 0xff];
export const EDGE16 = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff];
export const EDGE32 = [0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff];

export function sizeMask(size: Size): number {
  return size === 32 ? 0xffffffff : (1 << size) - 1;
}

export function suffix(size: Size): string {
  return size === 8 ? 'b' : size === 16 ? 'w' : 'l';
}

export function regName(size: Size, r: number): string {
  return '%' + (size === 8 ? REG8[r] : size === 16 ? REG16[r] : REG32[r]);
}

export function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16);
}

/** Random operand value: edge values, small numbers and uniform bits, mixed. */
export function operandValue(rng: Prng, size: Size): number {
  const m = sizeMask(size);
  const r = rng.below(100);
  if (r < 40) return rng.pick(size === 8 ? EDGE8 : size === 16 ? EDGE16 : EDGE32) >>> 0;
  if (r < 50) return rng.below(33);
  if (r < 58) return (-rng.range(1, 32) & m) >>> 0;
  return (rng.u32() & m) >>> 0;
}

export class CaseBuilder {
  readonly regs: number[];
  /** Registers whose value was chosen on purpose (operands, addresses). */
  private readonly pinned = new Array<boolean>(8).fill(false);
  /** Registers named by the code as operands (memory addressing avoids them). */
  private readonly used = new Array<boolean>(8).fill(false);
  eflags: number;
  memory: Uint8Array | null = null;
  maskFlags = 0;
  readonly ignoreRegBits = new Array<number>(8).fill(0);
  readonly ignoreMemory: number[] = [];
  readonly lines: string[] = [];
  readonly forms: string[] = [];

  constructor(readonly rng: Prng, readonly family: string) {
    this.regs = [];
    for (let i = 0; i < 8; i++) this.regs.push(rng.chance(0.3) ? operandValue(rng, 32) : rng.u32());
    this.eflags = randomStatusFlags(rng);
  }

  /** Picks an operand register (size 8: 0..7 = al cl dl bl ah ch dh bh). */
  pickReg(size: Size, opts: { notEsp?: boolean; exclude?: number[] } = {}): number {
    for (;;) {
      const r = this.rng.below(8);
      const full = size === 8 ? r & 3 : r;
      if (opts.notEsp && size !== 8 && r === ESP) continue;
      if (opts.exclude && opts.exclude.includes(full)) continue;
      if (this.pinned[full] && !this.used[full]) continue; // holds an address
      this.used[full] = true;
      return r;
    }
  }

  /** Marks a register as an operand the code names (so addresses avoid it). */
  useReg(r: number): void {
    this.used[r] = true;
  }

  /** Sets the low `size` bits of operand register r (8-bit r>=4 means ah..bh). */
  setReg(size: Size, r: number, value: number): void {
    if (size === 8) {
      const full = r & 3;
      const shift = r >= 4 ? 8 : 0;
      this.regs[full] = ((this.regs[full] & ~(0xff << shift)) | ((value & 0xff) << shift)) >>> 0;
      this.pinned[full] = true;
      this.used[full] = true;
    } else {
      const m = sizeMask(size);
      this.regs[r] = ((this.regs[r] & ~m) | (value & m)) >>> 0;
      this.pinned[r] = true;
      this.used[r] = true;
    }
  }

  getReg(size: Size, r: number): number {
    if (size === 8) return (this.regs[r & 3] >>> (r >= 4 ? 8 : 0)) & 0xff;
    return (this.regs[r] & sizeMask(size)) >>> 0;
  }

  /** Sets a whole register used for addressing (stack pointer, string pointers...). */
  setAddressReg(r: number, value: number): void {
    this.regs[r] = value >>> 0;
    this.pinned[r] = true;
    this.used[r] = true;
  }

  useMemory(): Uint8Array {
    if (this.memory === null) {
      this.memory = new Uint8Array(SCRATCH_SIZE);
      for (let i = 0; i < SCRATCH_SIZE; i++) this.memory[i] = this.rng.u32() & 0xff;
    }
    return this.memory;
  }

  /** Writes `bytes` little-endian bytes of value at scratch offset. */
  pokeMemory(offset: number, bytes: number, value: number): void {
    const m = this.useMemory();
    for (let i = 0; i < bytes; i++) m[offset + i] = (value >>> (8 * i)) & 0xff;
  }

  peekMemory(offset: number, bytes: number): number {
    const m = this.useMemory();
    let v = 0;
    for (let i = 0; i < bytes; i++) v |= m[offset + i] << (8 * i);
    return v >>> 0;
  }

  private freeReg(allowEsp: boolean): number | null {
    const free: number[] = [];
    for (let r = 0; r < 8; r++) if (!this.pinned[r] && !this.used[r] && (allowEsp || r !== ESP)) free.push(r);
    return free.length === 0 ? null : this.rng.pick(free);
  }

  /**
   * A memory operand of `bytes` bytes inside scratch, with a random addressing form
   * (absolute, base, base+disp8/32, SIB with scale, index only); the address
   * registers get values that make the effective address land in scratch (wrapping
   * mod 2^32 when the index is large). Returns the AT&T operand text and the offset.
   */
  mem(bytes: number, opts: { offset?: number; noRegs?: boolean } = {}): { text: string; offset: number } {
    this.useMemory();
    const offset = opts.offset ?? this.rng.below(SCRATCH_SIZE - bytes + 1);
    const ea = (SCRATCH_BASE + offset) >>> 0;
    const form = opts.noRegs ? 0 : this.rng.below(8);
    const base = form === 0 ? null : this.freeReg(true);
    if (base === null) return { text: hex(ea), offset };
    const disp8 = this.rng.range(-128, 127);
    const disp32 = this.rng.chance(0.5) ? this.rng.u32() | 0 : this.rng.range(-0x10000, 0x10000) * 4 + 0x1000;
    switch (form) {
      case 1:
        this.setAddressReg(base, ea);
        return { text: `(%${REG32[base]})`, offset };
      case 2:
        this.setAddressReg(base, ea - disp8);
        return { text: `${disp8}(%${REG32[base]})`, offset };
      case 3:
        this.setAddressReg(base, ea - disp32);
        return { text: `${disp32}(%${REG32[base]})`, offset };
      default: {
        this.pinned[base] = true;
        const index = this.freeReg(false);
        this.pinned[base] = false;
        const scale = this.rng.pick([1, 2, 4, 8]);
        if (index === null) {
          this.setAddressReg(base, ea);
          return { text: `(%${REG32[base]})`, offset };
        }
        const iv = this.rng.chance(0.5) ? this.rng.u32() : this.rng.range(-64, 64) >>> 0;
        this.setAddressReg(index, iv);
        const scaled = Math.imul(iv, scale);
        if (form === 7 && base !== ESP) {
          // index*scale + disp32, no base register
          this.pinned[base] = false;
          this.used[base] = false;
          return { text: `${(ea - scaled) | 0}(,%${REG32[index]},${scale})`, offset };
        }
        const disp = form === 4 ? 0 : form === 5 ? disp8 : disp32;
        this.setAddressReg(base, ea - scaled - disp);
        return { text: `${disp === 0 ? '' : disp}(%${REG32[base]},%${REG32[index]},${scale})`, offset };
      }
    }
  }

  emit(line: string, form?: string): void {
    this.lines.push(line);
    if (form !== undefined) this.forms.push(form);
  }

  /** Emits raw bytes (for encodings the assembler never chooses) with readable text. */
  emitBytes(bytes: number[], text: string, form: string): void {
    this.lines.push(`.byte ${bytes.map((b) => hex(b & 0xff)).join(',')} # ${text}`);
    this.forms.push(form);
  }

  build(id: number): CaseSpec {
    return {
      id,
      family: this.family,
      lines: this.lines.slice(),
      regs: this.regs.map((v) => v >>> 0),
      eflags: this.eflags >>> 0,
      memory: this.memory,
      maskFlags: this.maskFlags,
      ignoreRegBits: this.ignoreRegBits.slice(),
      ignoreMemory: this.ignoreMemory.slice(),
      forms: this.forms.slice(),
    };
  }
}

/** EFLAGS image for popfl: bit 1 and IF, plus random CF PF AF ZF SF OF DF. */
export function randomStatusFlags(rng: Prng): number {
  return (0x202 | (rng.u32() & (ARITH_FLAGS | DF))) >>> 0;
}
