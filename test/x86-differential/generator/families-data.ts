// Data movement and flag-consuming instructions: mov (all encodings), movzx/movsx,
// lea, xchg, cmpxchg, cmpxchg8b, xadd, setcc, cmovcc, flag instructions, cbw..cdq, xlat.

import { AF, ARITH_FLAGS, CF, CaseBuilder, DF, EAX, EBX, ECX, EDX, ESP, OF, PF, REG32, SCRATCH_BASE, SF, Size, ZF, hex, operandValue, regName, sizeMask, suffix } from './case-builder';
import { Family, Form, SIZES, WIDE, formKey, hex2, immBytes, osize, signed, sized } from './family';

export const CONDITIONS = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

/** Operand source: a register or a memory operand, with the given value. */
function source(b: CaseBuilder, size: Size, value: number, exclude: number[] = []): string {
  if (b.rng.chance(0.5)) {
    const r = b.pickReg(size, { exclude });
    b.setReg(size, r, value);
    return regName(size, r);
  }
  const m = b.mem(size / 8);
  b.pokeMemory(m.offset, size / 8, value);
  return m.text;
}

function movForms(): Form[] {
  const forms: Form[] = [];
  for (const size of SIZES) {
    const s = suffix(size);
    forms.push({
      name: `mov${s} r/m forms`,
      build(b) {
        const k = b.rng.below(5);
        if (k <= 1) {
          const src = b.pickReg(size), dst = b.pickReg(size);
          b.setReg(size, src, operandValue(b.rng, size));
          if (k === 0) b.emit(`mov${s} ${regName(size, src)},${regName(size, dst)}`, formKey(sized(0x88, size), { size }));
          else b.emit(`{load} mov${s} ${regName(size, src)},${regName(size, dst)}`, formKey(sized(0x8a, size), { size }));
        } else if (k === 2) {
          const src = b.pickReg(size);
          b.setReg(size, src, operandValue(b.rng, size));
          const m = b.mem(size / 8);
          // the accumulator with an absolute address would become a0-a3
          if (src === EAX && !m.text.includes('(')) b.emit(`{disp32} mov${s} ${regName(size, src)},${m.text}`, formKey(sized(0xa2, size), { size }));
          else b.emit(`mov${s} ${regName(size, src)},${m.text}`, formKey(sized(0x88, size), { size }));
        } else if (k === 3) {
          const dst = b.pickReg(size);
          const m = b.mem(size / 8);
          if (dst === EAX && !m.text.includes('(')) b.emit(`mov${s} ${m.text},${regName(size, dst)}`, formKey(sized(0xa0, size), { size }));
          else b.emit(`mov${s} ${m.text},${regName(size, dst)}`, formKey(sized(0x8a, size), { size }));
        } else {
          b.useReg(EAX);
          const m = b.mem(size / 8, { noRegs: true });
          if (b.rng.chance(0.5)) b.emit(`mov${s} ${m.text},${regName(size, EAX)}`, formKey(sized(0xa0, size), { size }));
          else {
            b.setReg(size, EAX, operandValue(b.rng, size));
            b.emit(`mov${s} ${regName(size, EAX)},${m.text}`, formKey(sized(0xa2, size), { size }));
          }
        }
      },
    });
    forms.push({
      name: `mov${s} imm`,
      build(b) {
        const imm = operandValue(b.rng, size);
        const k = b.rng.below(3);
        if (k === 0) {
          const r = b.pickReg(size);
          b.emit(`mov${s} $${signed(imm, size)},${regName(size, r)}`, formKey(hex2((size === 8 ? 0xb0 : 0xb8) + r), { size }));
        } else if (k === 1) {
          const m = b.mem(size / 8);
          b.emit(`mov${s} $${signed(imm, size)},${m.text}`, formKey(`${sized(0xc6, size)}/0`, { size }));
        } else {
          const r = b.pickReg(size);
          b.emitBytes([...osize(size), size === 8 ? 0xc6 : 0xc7, 0xc0 | r, ...immBytes(imm, size)], `mov${s} $${hex(imm)},${regName(size, r)} (${sized(0xc6, size)} /0)`, formKey(`${sized(0xc6, size)}/0`, { size }));
        }
      },
    });
  }
  for (const size of WIDE) {
    for (const [name, opc, from] of [['movzb', 0xb6, 8], ['movzw', 0xb7, 16], ['movsb', 0xbe, 8], ['movsw', 0xbf, 16]] as const) {
      forms.push({
        name: `${name}${suffix(size)}`,
        build(b) {
          const dst = b.pickReg(size);
          const src = source(b, from, operandValue(b.rng, from));
          // 66 0f b7 / 66 0f bf: a 16-bit source into a 16-bit register (a plain move)
          if (size === 16 && from === 16) b.emit('.byte 0x66');
          b.emit(`${name}${suffix(from === 16 ? 32 : size)} ${src},${regName(from === 16 ? 32 : size, dst)}`, formKey(`0f${hex2(opc)}`, { size }));
        },
      });
    }
    forms.push({
      name: `lea${suffix(size)}`,
      build(b) {
        // lea only computes: every register may hold anything, addresses may wrap
        const base = b.pickReg(32), index = b.pickReg(32, { notEsp: true }), dst = b.pickReg(size);
        const scale = b.rng.pick([1, 2, 4, 8]);
        const disp = b.rng.pick([0, b.rng.range(-128, 127), b.rng.u32() | 0]);
        const d = disp === 0 ? '' : `${disp}`;
        const k = b.rng.below(4);
        const addr = k === 0 ? `${d}(%${REG32[base]})` : k === 1 ? `${d}(%${REG32[base]},%${REG32[index]},${scale})` : k === 2 ? `${disp}(,%${REG32[index]},${scale})` : `${hex(b.rng.u32())}`;
        b.emit(`lea${suffix(size)} ${addr},${regName(size, dst)}`, formKey('8d', { size }));
      },
    });
  }
  return forms;
}

/** xchg with (e)ax: 90+r (every register in turn over the cases). */
function xchgAccumulator(b: CaseBuilder, size: Size): void {
  b.useReg(EAX);
  const r = b.pickReg(size, { exclude: [EAX] });
  b.setReg(size, r, operandValue(b.rng, size));
  b.setReg(size, EAX, operandValue(b.rng, size));
  b.emit(`xchg${suffix(size)} ${regName(size, EAX)},${regName(size, r)}`, formKey(hex2(0x90 + r), { size }));
}

function exchangeForms(): Form[] {
  const forms: Form[] = [];
  for (const size of SIZES) {
    const s = suffix(size);
    forms.push({
      name: `xchg${s}`,
      build(b) {
        const a = b.pickReg(size);
        b.setReg(size, a, operandValue(b.rng, size));
        const k = b.rng.below(3);
        if (k === 0 || (k === 2 && size === 8)) {
          const c = b.pickReg(size);
          if (c !== a) b.setReg(size, c, operandValue(b.rng, size));
          if (size !== 8 && (a === EAX || c === EAX)) {
            // as picks 90+r for the accumulator: spell out 87 /r by hand half the time
            const other = a === EAX ? c : a;
            b.emitBytes([...osize(size), 0x87, 0xc0 | (EAX << 3) | other], `xchg${s} ${regName(size, EAX)},${regName(size, other)} (87 /r)`, formKey('87', { size }));
          } else b.emit(`xchg${s} ${regName(size, a)},${regName(size, c)}`, formKey(sized(0x86, size), { size }));
        } else if (k === 1) {
          const m = b.mem(size / 8);
          const lock = b.rng.chance(0.3);
          b.emit(`${lock ? 'lock ' : ''}xchg${s} ${regName(size, a)},${m.text}`, formKey(sized(0x86, size), { size, lock }));
        } else {
          xchgAccumulator(b, size);
        }
      },
    });
    if (size !== 8) {
      forms.push({ name: `xchg${s} accumulator`, build: (b) => xchgAccumulator(b, size) });
    }
    forms.push({
      name: `cmpxchg${s}`,
      build(b) {
        b.useReg(EAX);
        const acc = operandValue(b.rng, size);
        b.setReg(size, EAX, acc);
        const src = b.pickReg(size, { exclude: [EAX] });
        b.setReg(size, src, operandValue(b.rng, size));
        const current = b.rng.chance(0.5) ? acc : operandValue(b.rng, size);
        const form = (lock: boolean) => formKey(`0f${sized(0xb0, size)}`, { size, lock });
        if (b.rng.chance(0.5)) {
          const dst = b.pickReg(size, { exclude: [EAX] });
          if (dst !== src) b.setReg(size, dst, current);
          b.emit(`cmpxchg${s} ${regName(size, src)},${regName(size, dst)}`, form(false));
        } else {
          const m = b.mem(size / 8);
          b.pokeMemory(m.offset, size / 8, current);
          const lock = b.rng.chance(0.4);
          b.emit(`${lock ? 'lock ' : ''}cmpxchg${s} ${regName(size, src)},${m.text}`, form(lock));
        }
      },
    });
    forms.push({
      name: `xadd${s}`,
      build(b) {
        const src = b.pickReg(size);
        b.setReg(size, src, operandValue(b.rng, size));
        const form = (lock: boolean) => formKey(`0f${sized(0xc0, size)}`, { size, lock });
        if (b.rng.chance(0.5)) {
          const dst = b.pickReg(size);
          if (dst !== src) b.setReg(size, dst, operandValue(b.rng, size));
          b.emit(`xadd${s} ${regName(size, src)},${regName(size, dst)}`, form(false));
        } else {
          const m = b.mem(size / 8);
          b.pokeMemory(m.offset, size / 8, operandValue(b.rng, size));
          const lock = b.rng.chance(0.4);
          b.emit(`${lock ? 'lock ' : ''}xadd${s} ${regName(size, src)},${m.text}`, form(lock));
        }
      },
    });
  }
  forms.push({
    name: 'cmpxchg8b',
    build(b) {
      for (const r of [EAX, EDX, ECX, EBX]) b.useReg(r);
      const lo = operandValue(b.rng, 32), hi = operandValue(b.rng, 32);
      b.setReg(32, EAX, lo);
      b.setReg(32, EDX, hi);
      b.setReg(32, EBX, operandValue(b.rng, 32));
      b.setReg(32, ECX, operandValue(b.rng, 32));
      const m = b.mem(8);
      const k = b.rng.below(3);
      b.pokeMemory(m.offset, 4, k === 0 ? lo : k === 1 ? lo ^ 1 : operandValue(b.rng, 32));
      b.pokeMemory(m.offset + 4, 4, k === 0 ? hi : k === 1 ? hi : operandValue(b.rng, 32));
      const lock = b.rng.chance(0.4);
      b.emit(`${lock ? 'lock ' : ''}cmpxchg8b ${m.text}`, formKey('0fc7/1', { lock }));
    },
  });
  return forms;
}

function conditionForms(): Form[] {
  const forms: Form[] = [];
  for (let c = 0; c < 16; c++) {
    forms.push({
      name: `set${CONDITIONS[c]}`,
      build(b) {
        const dst = b.rng.chance(0.6) ? regName(8, b.pickReg(8)) : b.mem(1).text;
        b.emit(`set${CONDITIONS[c]} ${dst}`, `0f${hex2(0x90 + c)}`);
      },
    });
    for (const size of WIDE) {
      forms.push({
        name: `cmov${CONDITIONS[c]}${suffix(size)}`,
        build(b) {
          const dst = b.pickReg(size);
          b.setReg(size, dst, operandValue(b.rng, size));
          const src = source(b, size, operandValue(b.rng, size));
          b.emit(`cmov${CONDITIONS[c]}${suffix(size)} ${src},${regName(size, dst)}`, formKey(`0f${hex2(0x40 + c)}`, { size }));
        },
      });
    }
  }
  return forms;
}

function flagForms(): Form[] {
  const simple: [string, number][] = [['clc', 0xf8], ['stc', 0xf9], ['cmc', 0xf5], ['cld', 0xfc], ['std', 0xfd], ['lahf', 0x9f]];
  const forms: Form[] = simple.map(([name, opc]) => ({
    name,
    build(b: CaseBuilder) {
      b.useReg(EAX);
      b.emit(name, hex2(opc));
    },
  }));
  forms.push({
    name: 'sahf',
    build(b) {
      b.useReg(EAX);
      b.setReg(8, 4, b.rng.u32() & 0xff); // AH
      b.emit('sahf', '9e');
    },
  });
  forms.push({
    name: 'cbw/cwde/cwd/cdq',
    build(b) {
      b.useReg(EAX);
      b.useReg(EDX);
      b.setReg(32, EAX, operandValue(b.rng, b.rng.pick([8, 16, 32] as Size[])) | (b.rng.chance(0.5) ? 0 : b.rng.u32() & 0xffff0000));
      const [text, form] = b.rng.pick([['cbtw', '66:98'], ['cwtl', '98'], ['cwtd', '66:99'], ['cltd', '99']]);
      b.emit(text, form);
    },
  });
  forms.push({
    name: 'xlat',
    build(b) {
      b.useReg(EAX);
      b.useMemory();
      const al = b.rng.u32() & 0xff;
      b.setReg(8, EAX, al);
      const target = b.rng.below(64);
      b.setAddressReg(EBX, SCRATCH_BASE + target - al);
      b.emit('xlat', 'd7');
    },
  });
  void ARITH_FLAGS; void AF; void CF; void DF; void OF; void PF; void SF; void ZF; void ESP; void sizeMask;
  return forms;
}

export const DATA_FAMILIES: Family[] = [
  { name: 'mov', forms: movForms() },
  { name: 'exchange', forms: exchangeForms() },
  { name: 'condition', forms: conditionForms() },
  { name: 'flag', forms: flagForms() },
];
