// Lazy condition flags. Most flag-setting instructions only record what they computed; the six
// status flags are derived when something reads them (jcc without a known producer, pushf, ...).
//
// State lives in an Int32Array `lf` shared with the compiled blocks:
//   lf[LF_KIND]   kind: (op << 3) | size, size 1/2/4 bytes; op EAGER means lf[LF_AUX] holds the flags
//   lf[LF_RES]    result, masked to the size (32-bit values are int32)
//   lf[LF_A]      first operand (masked)      lf[LF_B]  second operand (masked; 1 for inc/dec)
//   lf[LF_AUX]    carry-in for adc/sbb, the preserved CF (0/1) for inc/dec, or EAGER status bits
//   lf[LF_DF]     direction flag 0/1
//   lf[LF_OTHER]  other architectural bits that user code can set (NT, AC, ID)

import * as flagBits from './table';

// Local copies: imported bindings compile to getter calls under CommonJS, too slow here.
const AF = flagBits.AF, CF = flagBits.CF, OF = flagBits.OF, PF = flagBits.PF, SF = flagBits.SF, ZF = flagBits.ZF;
const STATUS_FLAGS = flagBits.STATUS_FLAGS;

export const LF_KIND = 0;
export const LF_RES = 1;
export const LF_A = 2;
export const LF_B = 3;
export const LF_AUX = 4;
export const LF_DF = 5;
export const LF_OTHER = 6;
export const LF_LENGTH = 7;

export const OP_EAGER = 0;
export const OP_ADD = 1;
export const OP_ADC = 2;
export const OP_SUB = 3;
export const OP_SBB = 4;
export const OP_LOGIC = 5;
export const OP_INC = 6;
export const OP_DEC = 7;
/** Shifts by a non-zero immediate: LF_A = source (masked), LF_B = count 1..31. AF reads as 0. */
export const OP_SHL = 8;
export const OP_SHR = 9;
export const OP_SAR = 10;

export function lazyKind(op: number, size: number): number {
  return (op << 3) | size;
}

/** 1 when the byte has an even number of set bits (PF), else 0. */
export const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let bits = 0;
  for (let v = i; v !== 0; v >>= 1) bits += v & 1;
  PARITY[i] = bits & 1 ? 0 : 1;
}

function signBit(size: number): number {
  return size === 1 ? 0x80 : size === 2 ? 0x8000 : 0x80000000 | 0;
}

/** The six status flags of the lazy state, as EFLAGS bits. */
export function materializeStatus(lf: Int32Array): number {
  const kind = lf[LF_KIND];
  const op = kind >>> 3;
  if (op === OP_EAGER) return lf[LF_AUX] & STATUS_FLAGS;
  const size = kind & 7;
  const res = lf[LF_RES];
  const a = lf[LF_A];
  const b = lf[LF_B];
  const s = signBit(size);
  let flags = PARITY[res & 0xff] ? PF : 0;
  if (res === 0) flags |= ZF;
  if (res & s) flags |= SF;
  const ua = a >>> 0;
  const ub = b >>> 0;
  const ur = res >>> 0;
  switch (op) {
    case OP_ADD:
      if (ur < ua) flags |= CF;
      if ((a ^ res) & (b ^ res) & s) flags |= OF;
      flags |= (a ^ b ^ res) & AF;
      break;
    case OP_ADC:
      if (lf[LF_AUX] ? ur <= ua : ur < ua) flags |= CF;
      if ((a ^ res) & (b ^ res) & s) flags |= OF;
      flags |= (a ^ b ^ res) & AF;
      break;
    case OP_SUB:
      if (ua < ub) flags |= CF;
      if ((a ^ b) & (a ^ res) & s) flags |= OF;
      flags |= (a ^ b ^ res) & AF;
      break;
    case OP_SBB:
      if (lf[LF_AUX] ? ua <= ub : ua < ub) flags |= CF;
      if ((a ^ b) & (a ^ res) & s) flags |= OF;
      flags |= (a ^ b ^ res) & AF;
      break;
    case OP_LOGIC:
      break;
    case OP_INC:
      if (lf[LF_AUX]) flags |= CF;
      if ((a ^ res) & (b ^ res) & s) flags |= OF;
      flags |= (a ^ b ^ res) & AF;
      break;
    case OP_DEC:
      if (lf[LF_AUX]) flags |= CF;
      if ((a ^ b) & (a ^ res) & s) flags |= OF;
      flags |= (a ^ b ^ res) & AF;
      break;
    case OP_SHL: {
      const bits = size * 8;
      const cf = b <= bits ? (ua >>> (bits - b)) & 1 : 0;
      if (cf) flags |= CF;
      if ((res & s ? 1 : 0) ^ cf) flags |= OF;
      break;
    }
    case OP_SHR:
      if ((ua >>> (b - 1)) & 1) flags |= CF;
      if (a & s) flags |= OF;
      break;
    case OP_SAR: {
      const sa = size === 4 ? a | 0 : size === 2 ? (a << 16) >> 16 : (a << 24) >> 24;
      if ((sa >> (b - 1)) & 1) flags |= CF;
      break;
    }
  }
  return flags;
}

/** CF alone (0/1), cheaper than materializing everything. */
export function carryFlag(lf: Int32Array): number {
  const kind = lf[LF_KIND];
  const op = kind >>> 3;
  switch (op) {
    case OP_EAGER:
      return lf[LF_AUX] & CF;
    case OP_ADD:
      return lf[LF_RES] >>> 0 < lf[LF_A] >>> 0 ? 1 : 0;
    case OP_SUB:
      return lf[LF_A] >>> 0 < lf[LF_B] >>> 0 ? 1 : 0;
    case OP_LOGIC:
      return 0;
    case OP_INC:
    case OP_DEC:
      return lf[LF_AUX] & 1;
    default:
      return materializeStatus(lf) & CF;
  }
}

/** Evaluates condition code 0..15 against flags bits. */
export function conditionHolds(cond: number, flags: number): boolean {
  let r: boolean;
  switch (cond >> 1) {
    case 0:
      r = (flags & OF) !== 0;
      break;
    case 1:
      r = (flags & CF) !== 0;
      break;
    case 2:
      r = (flags & ZF) !== 0;
      break;
    case 3:
      r = (flags & (CF | ZF)) !== 0;
      break;
    case 4:
      r = (flags & SF) !== 0;
      break;
    case 5:
      r = (flags & PF) !== 0;
      break;
    case 6:
      r = ((flags & SF) !== 0) !== ((flags & OF) !== 0);
      break;
    default:
      r = (flags & ZF) !== 0 || ((flags & SF) !== 0) !== ((flags & OF) !== 0);
      break;
  }
  return cond & 1 ? !r : r;
}

/** Replaces the lazy state by explicit status bits. */
export function setEagerStatus(lf: Int32Array, status: number): void {
  lf[LF_KIND] = OP_EAGER;
  lf[LF_AUX] = status & STATUS_FLAGS;
}
