// A family is a list of instruction forms; each form builds one case at a time.

import { CaseBuilder, Size } from './case-builder';

export interface Form {
  name: string;
  build(b: CaseBuilder): void;
}

export interface Family {
  name: string;
  forms: Form[];
}

export const SIZES: Size[] = [8, 16, 32];
export const WIDE: Size[] = [16, 32];

/** Form key as the coverage check writes it: prefixes in canonical order, opcode hex, /digit. */
export function formKey(opcode: string, opts: { size?: Size; lock?: boolean; rep?: 'f2' | 'f3' } = {}): string {
  return (opts.lock ? 'f0:' : '') + (opts.rep ? opts.rep + ':' : '') + (opts.size === 16 ? '66:' : '') + opcode;
}

export function hex2(n: number): string {
  return (n & 0xff).toString(16).padStart(2, '0');
}

/** Opcode byte for byte/word-or-dword pairs: base for 8-bit, base+1 otherwise. */
export function sized(base: number, size: Size): string {
  return hex2(size === 8 ? base : base + 1);
}

/** Operand-size prefix bytes for raw encodings. */
export function osize(size: Size): number[] {
  return size === 16 ? [0x66] : [];
}

export function immBytes(value: number, size: Size): number[] {
  const out: number[] = [];
  for (let i = 0; i < size / 8; i++) out.push((value >>> (8 * i)) & 0xff);
  return out;
}

/** Signed value of the low `size` bits. */
export function signed(value: number, size: Size): number {
  const s = 32 - size;
  return ((value << s) >> s);
}

export function fitsImm8(value: number, size: Size): boolean {
  const v = signed(value, size);
  return v >= -128 && v <= 127;
}

/** ModRM (mod 00, r/m 101: absolute disp32) and the address bytes, for raw memory encodings. */
export function absoluteModrm(digit: number, address: number): number[] {
  return [(digit << 3) | 5, ...immBytes(address >>> 0, 32)];
}
