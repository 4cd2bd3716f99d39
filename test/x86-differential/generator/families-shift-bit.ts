// Shifts and rotates (every count edge), double shifts, bit tests, bit scans, bswap.

import { AF, ARITH_FLAGS, CF, CaseBuilder, ECX, OF, PF, SF, SCRATCH_BASE, SCRATCH_SIZE, Size, ZF, hex, operandValue, regName, sizeMask, suffix } from './case-builder';
import { Family, Form, SIZES, WIDE, absoluteModrm, formKey, hex2, immBytes, osize, sized } from './family';

const GROUP2 = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'];

function shiftCount(b: CaseBuilder, size: Size): number {
  const r = b.rng.below(10);
  if (r < 5) return b.rng.pick([0, 1, 2, size - 1, size, size + 1, 9, 16, 17, 31, 32, 33, 63, 0xff]);
  return b.rng.chance(0.7) ? b.rng.below(size + 2) : b.rng.below(256);
}

/** Flags not compared after a shift/rotate of `size` bits by `count` (SDM rules). */
export function shiftUndefinedFlags(op: number, size: Size, count: number): number {
  const masked = count & 0x1f;
  if (masked === 0) return 0;
  let mask = masked === 1 ? 0 : OF;
  if (op >= 4) {
    mask |= AF;
    if (op !== 7 && masked >= size) mask |= CF; // shl/shr/sal: CF undefined when count >= width
  }
  return mask;
}

function shiftForms(): Form[] {
  const forms: Form[] = [];
  for (let op = 0; op < 8; op++) {
    for (const size of SIZES) {
      const s = suffix(size);
      const name = GROUP2[op];
      // kind 0: by 1 (d0/d1), 1: by CL (d2/d3), 2: by imm8 (c0/c1)
      for (let kind = 0; kind < 3; kind++) {
        forms.push({
          name: `${name}${s} ${['1', 'cl', 'imm8'][kind]}`,
          build(b) {
            const count = kind === 0 ? 1 : shiftCount(b, size);
            if (kind === 1) {
              b.useReg(ECX);
              b.setReg(8, ECX, count);
            }
            const value = operandValue(b.rng, size);
            const opcode = kind === 0 ? sized(0xd0, size) : kind === 1 ? sized(0xd2, size) : sized(0xc0, size);
            const form = formKey(`${opcode}/${op}`, { size });
            let target: string;
            let reg = -1;
            if (b.rng.chance(0.6)) {
              reg = b.pickReg(size, kind === 1 ? { exclude: [ECX] } : {});
              b.setReg(size, reg, value);
              target = regName(size, reg);
            } else {
              const m = b.mem(size / 8);
              b.pokeMemory(m.offset, size / 8, value);
              target = m.text;
            }
            b.maskFlags = shiftUndefinedFlags(op, size, count);
            if (op === 6 && reg >= 0) {
              // sal (/6) is an alias the assembler never emits: encode by hand
              const modrm = 0xc0 | (6 << 3) | reg;
              const bytes = [...osize(size), parseInt(opcode, 16), modrm, ...(kind === 2 ? [count] : [])];
              b.emitBytes(bytes, `sal${s} ${kind === 0 ? '' : kind === 1 ? '%cl,' : `$${count},`}${target} (/6)`, form);
            } else if (op === 6) {
              // memory sal (/6), encoded by hand with an absolute address
              const m = b.mem(size / 8, { noRegs: true });
              b.pokeMemory(m.offset, size / 8, value);
              const bytes = [...osize(size), parseInt(opcode, 16), ...absoluteModrm(6, SCRATCH_BASE + m.offset), ...(kind === 2 ? [count] : [])];
              b.emitBytes(bytes, `sal${s} ${kind === 0 ? '' : kind === 1 ? '%cl,' : `$${count},`}${m.text} (/6)`, form);
            } else if (kind === 0) {
              b.emit(`${name}${s} ${target}`, form);
            } else if (kind === 1) {
              b.emit(`${name}${s} %cl,${target}`, form);
            } else if (count === 1) {
              // as turns "$1" into the d0/d1 form; keep the c0/c1 encoding
              if (reg < 0) {
                b.emit(`${name}${s} ${target}`, formKey(`${sized(0xd0, size)}/${op}`, { size }));
              } else {
                b.emitBytes([...osize(size), parseInt(opcode, 16), 0xc0 | (op << 3) | reg, 1], `${name}${s} $1,${target} (imm8)`, form);
              }
            } else {
              b.emit(`${name}${s} $${count},${target}`, form);
            }
          },
        });
      }
    }
  }
  return forms;
}

function doubleShiftForms(): Form[] {
  const forms: Form[] = [];
  for (const [name, base] of [['shld', 0xa4], ['shrd', 0xac]] as const) {
    for (const size of WIDE) {
      for (const byCl of [false, true]) {
        forms.push({
          name: `${name}${suffix(size)} ${byCl ? 'cl' : 'imm8'}`,
          build(b) {
            // 16-bit counts above 16 give undefined results: stay within the width there
            let count = shiftCount(b, size);
            if (size === 16 && (count & 0x1f) > 16) count = b.rng.below(17) | (count & 0xe0);
            if (byCl) {
              b.useReg(ECX);
              b.setReg(8, ECX, count);
            }
            const src = b.pickReg(size, byCl ? { exclude: [ECX] } : {});
            b.setReg(size, src, operandValue(b.rng, size));
            let target: string;
            if (b.rng.chance(0.6)) {
              const dst = b.pickReg(size, byCl ? { exclude: [ECX] } : {});
              if (dst !== src) b.setReg(size, dst, operandValue(b.rng, size));
              target = regName(size, dst);
            } else {
              const m = b.mem(size / 8);
              b.pokeMemory(m.offset, size / 8, operandValue(b.rng, size));
              target = m.text;
            }
            const masked = count & 0x1f;
            b.maskFlags = masked === 0 ? 0 : AF | (masked === 1 ? 0 : OF);
            const form = formKey(`0f${hex2(base + (byCl ? 1 : 0))}`, { size });
            b.emit(`${name}${suffix(size)} ${byCl ? '%cl' : `$${count}`},${regName(size, src)},${target}`, form);
          },
        });
      }
    }
  }
  return forms;
}

const BT = ['bt', 'bts', 'btr', 'btc'];
const BT_REG_OPCODE = [0xa3, 0xab, 0xb3, 0xbb];

function bitTestForms(): Form[] {
  const forms: Form[] = [];
  for (let k = 0; k < 4; k++) {
    for (const size of WIDE) {
      const s = suffix(size);
      const name = BT[k];
      forms.push({
        name: `${name}${s} reg offset`,
        build(b) {
          b.maskFlags = OF | SF | AF | PF;
          const offReg = b.pickReg(size);
          if (b.rng.chance(0.5)) {
            const dst = b.pickReg(size);
            const off = operandValue(b.rng, size);
            b.setReg(size, offReg, off);
            if (dst !== offReg) b.setReg(size, dst, operandValue(b.rng, size));
            b.emit(`${name}${s} ${regName(size, offReg)},${regName(size, dst)}`, formKey(`0f${hex2(BT_REG_OPCODE[k])}`, { size }));
          } else {
            // bit string in memory: the signed offset picks the word/dword relative to the operand
            const unit = size / 8;
            const units = SCRATCH_SIZE / unit;
            const unitIndex = b.rng.below(units);
            const baseUnit = b.rng.below(units);
            const bit = b.rng.below(size);
            const off = (unitIndex - baseUnit) * size + bit;
            b.setReg(size, offReg, off & sizeMask(size));
            const m = b.mem(unit, { offset: baseUnit * unit });
            const lock = k > 0 && b.rng.chance(0.3);
            b.emit(`${lock ? 'lock ' : ''}${name}${s} ${regName(size, offReg)},${m.text}`, formKey(`0f${hex2(BT_REG_OPCODE[k])}`, { size, lock }));
          }
        },
      });
      forms.push({
        name: `${name}${s} imm offset`,
        build(b) {
          b.maskFlags = OF | SF | AF | PF;
          const imm = b.rng.chance(0.7) ? b.rng.below(size) : b.rng.below(256);
          const form = (lock: boolean) => formKey(`0fba/${4 + k}`, { size, lock });
          if (b.rng.chance(0.5)) {
            const dst = b.pickReg(size);
            b.setReg(size, dst, operandValue(b.rng, size));
            b.emit(`${name}${s} $${imm},${regName(size, dst)}`, form(false));
          } else {
            const m = b.mem(size / 8);
            const lock = k > 0 && b.rng.chance(0.3);
            b.emit(`${lock ? 'lock ' : ''}${name}${s} $${imm},${m.text}`, form(lock));
          }
        },
      });
    }
  }
  for (const [name, opc] of [['bsf', 0xbc], ['bsr', 0xbd]] as const) {
    for (const size of WIDE) {
      forms.push({
        name: `${name}${suffix(size)}`,
        build(b) {
          b.maskFlags = CF | OF | SF | AF | PF;
          const r = b.rng.below(4);
          const value = r === 0 ? 0 : r === 1 ? (1 << b.rng.below(size)) >>> 0 : operandValue(b.rng, size);
          const dst = b.pickReg(size);
          let src: string;
          if (b.rng.chance(0.5)) {
            const sr = b.pickReg(size);
            b.setReg(size, sr, value);
            src = regName(size, sr);
          } else {
            const m = b.mem(size / 8);
            b.pokeMemory(m.offset, size / 8, value);
            src = m.text;
          }
          // zero source: the destination is architecturally undefined
          if (value === 0) b.ignoreRegBits[dst] = sizeMask(size);
          b.emit(`${name}${suffix(size)} ${src},${regName(size, dst)}`, formKey(`0f${hex2(opc)}`, { size }));
        },
      });
    }
  }
  forms.push({
    name: 'bswap',
    build(b) {
      const r = b.pickReg(32);
      b.setReg(32, r, operandValue(b.rng, 32));
      b.emit(`bswap %${['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'][r]}`, `0f${hex2(0xc8 + r)}`);
    },
  });
  void hex; void immBytes; void ARITH_FLAGS; void ZF;
  return forms;
}

export const SHIFT_BIT_FAMILIES: Family[] = [
  { name: 'shift', forms: shiftForms() },
  { name: 'double-shift', forms: doubleShiftForms() },
  { name: 'bit', forms: bitTestForms() },
];
