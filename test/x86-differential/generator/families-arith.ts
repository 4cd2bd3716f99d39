// Integer arithmetic and logic: the eight ALU operations in every encoding, inc/dec,
// neg/not, test, mul/imul/div/idiv, and the BCD adjustments.

import { AF, ARITH_FLAGS, CF, CaseBuilder, EAX, EDX, OF, PF, SCRATCH_BASE, SF, Size, ZF, operandValue, regName, sizeMask, suffix } from './case-builder';
import { Family, Form, SIZES, WIDE, absoluteModrm, fitsImm8, formKey, hex2, immBytes, osize, signed, sized } from './family';

const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const ALU_UNDEFINED = [0, AF, 0, 0, AF, 0, AF, 0];

function aluForms(): Form[] {
  const forms: Form[] = [];
  for (let op = 0; op < 8; op++) {
    const name = ALU[op];
    const lockable = op !== 7;
    for (const size of SIZES) {
      const s = suffix(size);
      const fin = (b: CaseBuilder): void => {
        b.maskFlags = ALU_UNDEFINED[op];
      };
      forms.push({
        name: `${name}${s} reg,reg`,
        build(b) {
          const src = b.pickReg(size), dst = b.pickReg(size);
          b.setReg(size, src, operandValue(b.rng, size));
          if (dst !== src || size !== 8) b.setReg(size, dst, operandValue(b.rng, size));
          if (b.rng.chance(0.5)) b.emit(`${name}${s} ${regName(size, src)},${regName(size, dst)}`, formKey(sized(op * 8, size), { size }));
          else b.emit(`{load} ${name}${s} ${regName(size, src)},${regName(size, dst)}`, formKey(sized(op * 8 + 2, size), { size }));
          fin(b);
        },
      });
      forms.push({
        name: `${name}${s} reg,mem`,
        build(b) {
          const src = b.pickReg(size);
          b.setReg(size, src, operandValue(b.rng, size));
          const m = b.mem(size / 8);
          b.pokeMemory(m.offset, size / 8, operandValue(b.rng, size));
          const lock = lockable && b.rng.chance(0.3);
          b.emit(`${lock ? 'lock ' : ''}${name}${s} ${regName(size, src)},${m.text}`, formKey(sized(op * 8, size), { size, lock }));
          fin(b);
        },
      });
      forms.push({
        name: `${name}${s} mem,reg`,
        build(b) {
          const dst = b.pickReg(size);
          b.setReg(size, dst, operandValue(b.rng, size));
          const m = b.mem(size / 8);
          b.pokeMemory(m.offset, size / 8, operandValue(b.rng, size));
          b.emit(`${name}${s} ${m.text},${regName(size, dst)}`, formKey(sized(op * 8 + 2, size), { size }));
          fin(b);
        },
      });
      forms.push({
        name: `${name}${s} imm,acc`,
        build(b) {
          b.useReg(EAX);
          b.setReg(size, EAX, operandValue(b.rng, size));
          let imm = operandValue(b.rng, size);
          if (size !== 8) while (fitsImm8(imm, size)) imm = b.rng.u32() & sizeMask(size);
          b.emit(`${name}${s} $${signed(imm, size)},${regName(size, EAX)}`, formKey(sized(op * 8 + 4, size), { size }));
          fin(b);
        },
      });
      forms.push({
        name: `${name}${s} imm,r/m`,
        build(b) {
          const imm = operandValue(b.rng, size);
          const short = size !== 8 && fitsImm8(imm, size);
          const opcode = size === 8 ? '80' : short ? '83' : '81';
          let target: string;
          if (b.rng.chance(0.5)) {
            const r = b.pickReg(size, { exclude: size === 8 || !short ? [EAX] : [] });
            b.setReg(size, r, operandValue(b.rng, size));
            target = regName(size, r);
          } else {
            const m = b.mem(size / 8);
            b.pokeMemory(m.offset, size / 8, operandValue(b.rng, size));
            target = `${name}${s}`.length > 0 ? m.text : m.text;
            const lock = lockable && b.rng.chance(0.3);
            b.emit(`${lock ? 'lock ' : ''}${name}${s} $${signed(imm, size)},${target}`, formKey(`${opcode}/${op}`, { size, lock }));
            fin(b);
            return;
          }
          b.emit(`${name}${s} $${signed(imm, size)},${target}`, formKey(`${opcode}/${op}`, { size }));
          fin(b);
        },
      });
      // Encodings the assembler never picks: 82 (alias of 80), 80 on AL, 81 with a
      // small immediate, 83 on (E)AX is picked by as already.
      forms.push({
        name: `${name}${s} imm,reg (raw encoding)`,
        build(b) {
          if (size === 8 && b.rng.chance(0.3)) {
            // 82 /op with a memory operand
            const m = b.mem(1, { noRegs: true });
            b.pokeMemory(m.offset, 1, operandValue(b.rng, 8));
            const imm = operandValue(b.rng, 8);
            b.emitBytes([0x82, ...absoluteModrm(op, SCRATCH_BASE + m.offset), imm], `${name}b $${hex2(imm)},${m.text} (82 /${op})`, `82/${op}`);
            fin(b);
            return;
          }
          const r = b.pickReg(size);
          b.setReg(size, r, operandValue(b.rng, size));
          const modrm = 0xc0 | (op << 3) | r;
          if (size === 8) {
            const imm = operandValue(b.rng, 8);
            const opc = b.rng.chance(0.5) ? 0x82 : 0x80;
            b.emitBytes([opc, modrm, imm], `${name}b $${hex2(imm)},${regName(8, r)} (${hex2(opc)} /${op})`, `${hex2(opc)}/${op}`);
          } else {
            const imm = b.rng.chance(0.5) ? b.rng.range(-128, 127) & sizeMask(size) : operandValue(b.rng, size);
            b.emitBytes([...osize(size), 0x81, modrm, ...immBytes(imm, size)], `${name}${s} $${imm},${regName(size, r)} (81 /${op})`, formKey(`81/${op}`, { size }));
          }
          fin(b);
        },
      });
    }
  }
  return forms;
}

function unaryForms(): Form[] {
  const forms: Form[] = [];
  for (const size of SIZES) {
    const s = suffix(size);
    for (const [name, digit, mask] of [['inc', 0, 0], ['dec', 1, 0]] as const) {
      forms.push({
        name: `${name}${s} reg`,
        build(b) {
          const r = b.pickReg(size);
          b.setReg(size, r, operandValue(b.rng, size));
          b.maskFlags = mask;
          if (size === 8) b.emit(`${name}b ${regName(8, r)}`, `fe/${digit}`);
          else if (b.rng.chance(0.6)) b.emit(`${name}${s} ${regName(size, r)}`, formKey(hex2(0x40 + digit * 8 + r), { size }));
          else b.emitBytes([...osize(size), 0xff, 0xc0 | (digit << 3) | r], `${name}${s} ${regName(size, r)} (ff /${digit})`, formKey(`ff/${digit}`, { size }));
        },
      });
      forms.push({
        name: `${name}${s} mem`,
        build(b) {
          const m = b.mem(size / 8);
          b.pokeMemory(m.offset, size / 8, operandValue(b.rng, size));
          const lock = b.rng.chance(0.3);
          b.emit(`${lock ? 'lock ' : ''}${name}${s} ${m.text}`, formKey(`${size === 8 ? 'fe' : 'ff'}/${digit}`, { size, lock }));
        },
      });
    }
    for (const [name, digit] of [['not', 2], ['neg', 3]] as const) {
      forms.push({
        name: `${name}${s} reg/mem`,
        build(b) {
          const opc = size === 8 ? 'f6' : 'f7';
          if (b.rng.chance(0.5)) {
            const r = b.pickReg(size);
            b.setReg(size, r, operandValue(b.rng, size));
            b.emit(`${name}${s} ${regName(size, r)}`, formKey(`${opc}/${digit}`, { size }));
          } else {
            const m = b.mem(size / 8);
            b.pokeMemory(m.offset, size / 8, operandValue(b.rng, size));
            const lock = b.rng.chance(0.3);
            b.emit(`${lock ? 'lock ' : ''}${name}${s} ${m.text}`, formKey(`${opc}/${digit}`, { size, lock }));
          }
        },
      });
    }
    forms.push({
      name: `test${s}`,
      build(b) {
        b.maskFlags = AF;
        const v = operandValue(b.rng, size);
        switch (b.rng.below(5)) {
          case 0: {
            const a = b.pickReg(size), c = b.pickReg(size);
            b.setReg(size, a, operandValue(b.rng, size));
            if (a !== c) b.setReg(size, c, v);
            b.emit(`test${s} ${regName(size, a)},${regName(size, c)}`, formKey(sized(0x84, size), { size }));
            break;
          }
          case 1: {
            const a = b.pickReg(size);
            b.setReg(size, a, operandValue(b.rng, size));
            const m = b.mem(size / 8);
            b.pokeMemory(m.offset, size / 8, v);
            b.emit(`test${s} ${regName(size, a)},${m.text}`, formKey(sized(0x84, size), { size }));
            break;
          }
          case 2:
            b.useReg(EAX);
            b.setReg(size, EAX, v);
            b.emit(`test${s} $${signed(operandValue(b.rng, size), size)},${regName(size, EAX)}`, formKey(sized(0xa8, size), { size }));
            break;
          case 3: {
            const imm = operandValue(b.rng, size);
            if (b.rng.chance(0.5)) {
              const r = b.pickReg(size, { exclude: [EAX] });
              b.setReg(size, r, v);
              b.emit(`test${s} $${signed(imm, size)},${regName(size, r)}`, formKey(`${sized(0xf6, size)}/0`, { size }));
            } else {
              const m = b.mem(size / 8);
              b.pokeMemory(m.offset, size / 8, v);
              b.emit(`test${s} $${signed(imm, size)},${m.text}`, formKey(`${sized(0xf6, size)}/0`, { size }));
            }
            break;
          }
          default: {
            // f6/f7 /1: undocumented alias of /0
            if (b.rng.chance(0.4)) {
              const m = b.mem(size / 8, { noRegs: true });
              b.pokeMemory(m.offset, size / 8, v);
              const imm = operandValue(b.rng, size);
              b.emitBytes([...osize(size), size === 8 ? 0xf6 : 0xf7, ...absoluteModrm(1, SCRATCH_BASE + m.offset), ...immBytes(imm, size)], `test${s} $${imm},${m.text} (${sized(0xf6, size)} /1)`, formKey(`${sized(0xf6, size)}/1`, { size }));
              break;
            }
            const r = b.pickReg(size);
            b.setReg(size, r, v);
            const imm = operandValue(b.rng, size);
            b.emitBytes([...osize(size), size === 8 ? 0xf6 : 0xf7, 0xc8 | r, ...immBytes(imm, size)], `test${s} $${imm},${regName(size, r)} (${sized(0xf6, size)} /1)`, formKey(`${sized(0xf6, size)}/1`, { size }));
          }
        }
      },
    });
  }
  return forms;
}

/** A dividend/divisor pair whose quotient fits (no #DE), as BigInts of the operand widths. */
function divisionOperands(b: CaseBuilder, size: Size, signedDiv: boolean): { hi: number; lo: number; divisor: number } {
  const bits = BigInt(size);
  const m = (1n << bits) - 1n;
  for (;;) {
    let divisor = BigInt(operandValue(b.rng, size));
    if (divisor === 0n) continue;
    let q = BigInt(operandValue(b.rng, size));
    if (b.rng.chance(0.3)) q = BigInt(b.rng.below(100));
    let dividend: bigint;
    if (signedDiv) {
      const sd = BigInt.asIntN(size, divisor);
      const sq = BigInt.asIntN(size, q);
      const mag = sd < 0n ? -sd : sd;
      let r = BigInt(b.rng.u32()) % mag;
      const prod = sq * sd;
      if (prod < 0n || (prod === 0n && b.rng.chance(0.5))) r = -r;
      dividend = prod + r;
      const lim = 1n << (2n * bits - 1n);
      if (dividend >= lim || dividend < -lim) continue;
      const quotient = dividend / sd; // truncates like idiv
      if (quotient > (1n << (bits - 1n)) - 1n || quotient < -(1n << (bits - 1n))) continue;
      dividend = BigInt.asUintN(2 * size, dividend);
      divisor = BigInt.asUintN(size, sd);
    } else {
      const r = BigInt(b.rng.u32()) % divisor;
      if (b.rng.chance(0.2)) q = m; // largest quotient
      dividend = q * divisor + r;
      if (dividend >> (2n * bits) !== 0n) continue;
      if (dividend / divisor > m) continue;
    }
    return { hi: Number((dividend >> bits) & m), lo: Number(dividend & m), divisor: Number(divisor) };
  }
}

function mulDivForms(): Form[] {
  const forms: Form[] = [];
  const names = ['mul', 'imul', 'div', 'idiv'];
  for (const size of SIZES) {
    const s = suffix(size);
    for (let k = 0; k < 4; k++) {
      const name = names[k];
      const digit = 4 + k;
      forms.push({
        name: `${name}${s}`,
        build(b) {
          b.useReg(EAX);
          if (size !== 8) b.useReg(EDX);
          let divisor: number;
          if (k < 2) {
            b.setReg(size, EAX, operandValue(b.rng, size));
            divisor = operandValue(b.rng, size);
            b.maskFlags = SF | ZF | AF | PF;
          } else {
            const d = divisionOperands(b, size, k === 3);
            if (size === 8) {
              b.setReg(16, EAX, (d.hi << 8) | d.lo);
            } else {
              b.setReg(size, EAX, d.lo);
              b.setReg(size, EDX, d.hi);
            }
            divisor = d.divisor;
            b.maskFlags = ARITH_FLAGS;
          }
          const opc = size === 8 ? 'f6' : 'f7';
          if (b.rng.chance(0.5)) {
            const exclude = size === 8 ? [EAX] : [EAX, EDX];
            const r = b.pickReg(size, { exclude });
            if (size === 8 && (r & 3) === EAX) throw new Error('unreachable');
            b.setReg(size, r, divisor);
            b.emit(`${name}${s} ${regName(size, r)}`, formKey(`${opc}/${digit}`, { size }));
          } else {
            const m = b.mem(size / 8);
            b.pokeMemory(m.offset, size / 8, divisor);
            b.emit(`${name}${s} ${m.text}`, formKey(`${opc}/${digit}`, { size }));
          }
        },
      });
    }
    if (size === 8) continue;
    forms.push({
      name: `imul${s} r,r/m / imm`,
      build(b) {
        b.maskFlags = SF | ZF | AF | PF;
        const dst = b.pickReg(size);
        b.setReg(size, dst, operandValue(b.rng, size));
        let src: string;
        if (b.rng.chance(0.5)) {
          const r = b.pickReg(size);
          if (r !== dst) b.setReg(size, r, operandValue(b.rng, size));
          src = regName(size, r);
        } else {
          const m = b.mem(size / 8);
          b.pokeMemory(m.offset, size / 8, operandValue(b.rng, size));
          src = m.text;
        }
        const kind = b.rng.below(3);
        if (kind === 0) b.emit(`imul${s} ${src},${regName(size, dst)}`, formKey('0faf', { size }));
        else {
          let imm = operandValue(b.rng, size);
          if (kind === 1) imm = b.rng.range(-128, 127);
          else while (fitsImm8(imm, size)) imm = b.rng.u32() & sizeMask(size);
          b.emit(`imul${s} $${signed(imm, size)},${src},${regName(size, dst)}`, formKey(kind === 1 ? '6b' : '69', { size }));
        }
      },
    });
  }
  return forms;
}

function bcdForms(): Form[] {
  const forms: Form[] = [];
  const plain: [string, number, number][] = [['daa', 0x27, OF], ['das', 0x2f, OF], ['aaa', 0x37, OF | SF | ZF | PF], ['aas', 0x3f, OF | SF | ZF | PF]];
  for (const [name, opc, mask] of plain) {
    forms.push({
      name,
      build(b) {
        b.useReg(EAX);
        // valid packed/unpacked BCD mostly, sometimes anything
        const v = b.rng.chance(0.6) ? (b.rng.below(10) << 4) | b.rng.below(16) : b.rng.u32() & 0xffff;
        b.setReg(16, EAX, b.rng.chance(0.5) ? v : (b.rng.u32() & 0xff00) | (v & 0xff));
        b.maskFlags = mask;
        b.emit(name, hex2(opc));
      },
    });
  }
  for (const [name, opc] of [['aam', 0xd4], ['aad', 0xd5]] as const) {
    forms.push({
      name,
      build(b) {
        b.useReg(EAX);
        b.setReg(16, EAX, operandValue(b.rng, 16));
        const base = b.rng.chance(0.5) ? 10 : b.rng.range(1, 255);
        b.maskFlags = OF | AF | CF;
        if (base === 10 && b.rng.chance(0.5)) b.emit(name, hex2(opc));
        else b.emit(`${name} $${base}`, hex2(opc));
      },
    });
  }
  return forms;
}

export const ARITH_FAMILIES: Family[] = [
  { name: 'alu', forms: aluForms() },
  { name: 'unary', forms: unaryForms() },
  { name: 'muldiv', forms: mulDivForms() },
  { name: 'bcd', forms: bcdForms() },
];
