// cpuid (host-dependent results are not compared), rdtsc (only that it counts up),
// the nop family, and random short sequences that hand flags from one instruction
// to the next (a lazy-flags implementation must get every hand-over right).

import { AF, ARITH_FLAGS, CF, CaseBuilder, EAX, EBX, ECX, EDX, ESP, OF, PF, SCRATCH_BASE, SF, Size, ZF, hex, operandValue, regName, suffix } from './case-builder';
import { CONDITIONS } from './families-data';
import { Family, Form, SIZES, absoluteModrm, formKey, hex2 } from './family';

const CONDITION_FLAGS = [OF, OF, CF, CF, ZF, ZF, CF | ZF, CF | ZF, SF, SF, PF, PF, SF | OF, SF | OF, ZF | SF | OF, ZF | SF | OF];

function processorStateForms(): Form[] {
  const forms: Form[] = [];
  forms.push({
    name: 'cpuid',
    build(b) {
      for (const r of [EAX, EBX, ECX, EDX]) b.useReg(r);
      b.setReg(32, EAX, b.rng.pick([0, 1, 2, 0x80000000, 0x80000001, operandValue(b.rng, 32)]));
      // results describe the host CPU natively and a plain i686 here
      for (const r of [EAX, EBX, ECX, EDX]) b.ignoreRegBits[r] = 0xffffffff;
      b.emit('cpuid', '0fa2');
    },
  });
  forms.push({
    name: 'rdtsc',
    build(b) {
      for (const r of [EAX, EBX, ECX, EDX]) b.useReg(r);
      // the counter values differ; compare only "the second read is later, by < 2^31"
      b.emit('rdtsc', '0f31');
      b.emit('movl %eax,%ecx');
      b.emit('movl %edx,%ebx');
      b.emit('rdtsc', '0f31');
      b.emit('subl %ecx,%eax');
      b.emit('sbbl %ebx,%edx');
      b.emit('movl $0,%ebx');
      b.emit('testl %edx,%edx');
      b.emit('jnz 1f');
      b.emit('testl %eax,%eax');
      b.emit('jle 1f');
      b.emit('movl $1,%ebx');
      b.emit('1:');
      for (const r of [EAX, ECX, EDX]) b.ignoreRegBits[r] = 0xffffffff;
      b.maskFlags = ARITH_FLAGS;
    },
  });
  forms.push({
    name: 'nop family',
    build(b) {
      const k = b.rng.below(5);
      if (k === 0) b.emit('nop', '90');
      else if (k === 1) b.emit('pause', 'f3:90');
      else if (k === 2) b.emit(`nopl ${b.mem(4).text}`, '0f1f');
      else if (k === 3) b.emit(b.rng.chance(0.5) ? `nopw ${b.mem(2).text}` : `nopw ${regName(16, b.rng.below(8))}`, '66:0f1f');
      else b.emit('xchgl %eax,%eax', '90');
    },
  });
  let hint = 0;
  forms.push({
    name: 'hint nops',
    build(b) {
      // prefetch hints (0f 18 /0-/3), reserved hint nops (0f 18 /4-/7, 0f 19..1f):
      // every opcode and /digit, register or memory operand, with or without 0x66
      const combo = hint++;
      const opc = 0x18 + ((combo >> 2) % 8);
      const digit = opc === 0x18 ? (combo >> 5) % 8 : b.rng.below(8);
      const o16 = (combo & 1) === 1;
      const pre = o16 ? [0x66] : [];
      const key = `${o16 ? '66:' : ''}0f${hex2(opc)}${opc === 0x18 ? '/' + digit : ''}`;
      if ((combo & 2) === 0) {
        const r = b.rng.below(8);
        b.emitBytes([...pre, 0x0f, opc, 0xc0 | (digit << 3) | r], 'hint nop (register)', key);
      } else {
        const m = b.mem(1, { noRegs: true });
        b.emitBytes([...pre, 0x0f, opc, ...absoluteModrm(digit, SCRATCH_BASE + m.offset)], `hint nop ${m.text}`, key);
      }
      if (!o16 && opc === 0x1e && b.rng.chance(0.3)) b.emit('endbr32', 'f3:0f1e');
    },
  });
  forms.push({
    name: 'prefetch',
    build(b) {
      const digit = b.rng.below(2);
      b.emit(`${digit === 0 ? 'prefetch' : 'prefetchw'} ${b.mem(1).text}`, '0f0d');
    },
  });
  return forms;
}

interface SequenceItem {
  reads: number;
  defines: number;
  undefines: number;
  emit(b: CaseBuilder): void;
}

function seqItems(): SequenceItem[] {
  const items: SequenceItem[] = [];
  const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
  const reg = (b: CaseBuilder, size: Size): string => regName(size, b.pickReg(size, { notEsp: true }));
  for (let op = 0; op < 8; op++) {
    const logic = op === 1 || op === 4 || op === 6;
    items.push({
      reads: op === 2 || op === 3 ? CF : 0,
      defines: logic ? ARITH_FLAGS & ~AF : ARITH_FLAGS,
      undefines: logic ? AF : 0,
      emit(b) {
        const size = b.rng.pick(SIZES);
        const src = b.rng.chance(0.3) ? `$${operandValue(b.rng, 8) & 0x7f}` : reg(b, size);
        b.emit(`${ALU[op]}${suffix(size)} ${src},${reg(b, size)}`);
      },
    });
  }
  items.push({ reads: 0, defines: ARITH_FLAGS & ~CF, undefines: 0, emit: (b) => { const s = b.rng.pick(SIZES); b.emit(`${b.rng.pick(['inc', 'dec'])}${suffix(s)} ${reg(b, s)}`); } });
  items.push({ reads: 0, defines: ARITH_FLAGS, undefines: 0, emit: (b) => { const s = b.rng.pick(SIZES); b.emit(`neg${suffix(s)} ${reg(b, s)}`); } });
  items.push({ reads: 0, defines: 0, undefines: 0, emit: (b) => { const s = b.rng.pick(SIZES); b.emit(`not${suffix(s)} ${reg(b, s)}`); } });
  items.push({ reads: 0, defines: ARITH_FLAGS & ~AF, undefines: AF, emit: (b) => { const s = b.rng.pick(SIZES); b.emit(`${b.rng.pick(['shl', 'shr', 'sar'])}${suffix(s)} ${reg(b, s)}`); } });
  items.push({ reads: 0, defines: CF | OF, undefines: 0, emit: (b) => { const s = b.rng.pick(SIZES); b.emit(`${b.rng.pick(['rol', 'ror'])}${suffix(s)} ${reg(b, s)}`); } });
  items.push({ reads: CF, defines: CF | OF, undefines: 0, emit: (b) => { const s = b.rng.pick(SIZES); b.emit(`${b.rng.pick(['rcl', 'rcr'])}${suffix(s)} ${reg(b, s)}`); } });
  items.push({ reads: 0, defines: CF, undefines: OF | SF | AF | PF, emit: (b) => b.emit(`btl $${b.rng.below(32)},${reg(b, 32)}`) });
  items.push({ reads: 0, defines: CF | OF, undefines: SF | ZF | AF | PF, emit: (b) => b.emit(`imull ${reg(b, 32)},${reg(b, 32)}`) });
  items.push({ reads: 0, defines: 0, undefines: 0, emit: (b) => b.emit(`leal ${b.rng.range(-8, 8)}(${reg(b, 32)},${reg(b, 32)},2),${reg(b, 32)}`) });
  items.push({ reads: 0, defines: CF, undefines: 0, emit: (b) => b.emit(b.rng.pick(['clc', 'stc'])) });
  items.push({ reads: CF, defines: CF, undefines: 0, emit: (b) => b.emit('cmc') });
  items.push({ reads: ARITH_FLAGS & ~OF, defines: 0, undefines: 0, emit: (b) => { b.useReg(EAX); b.emit('lahf'); } });
  items.push({ reads: 0, defines: ARITH_FLAGS & ~OF, undefines: 0, emit: (b) => { b.useReg(EAX); b.emit('sahf'); } });
  for (let c = 0; c < 16; c++) {
    items.push({ reads: CONDITION_FLAGS[c], defines: 0, undefines: 0, emit: (b) => b.emit(`set${CONDITIONS[c]} ${reg(b, 8)}`) });
    items.push({ reads: CONDITION_FLAGS[c], defines: 0, undefines: 0, emit: (b) => b.emit(`cmov${CONDITIONS[c]}l ${reg(b, 32)},${reg(b, 32)}`) });
    items.push({
      reads: CONDITION_FLAGS[c], defines: 0, undefines: 0,
      emit: (b) => { b.emit(`j${CONDITIONS[c]} 1f`); b.emit(`movl $${hex(b.rng.u32())},${reg(b, 32)}`); b.emit('1:'); },
    });
  }
  return items;
}

function sequenceForms(): Form[] {
  const items = seqItems();
  return [{
    name: 'flag hand-over sequence',
    build(b) {
      b.useReg(ESP);
      let undefinedFlags = 0;
      const length = b.rng.range(2, 6);
      for (let i = 0; i < length; i++) {
        let item = b.rng.pick(items);
        while ((item.reads & undefinedFlags) !== 0) item = b.rng.pick(items);
        item.emit(b);
        undefinedFlags = (undefinedFlags & ~item.defines) | item.undefines;
      }
      b.maskFlags = undefinedFlags;
    },
  }];
}

export const PROCESSOR_FAMILIES: Family[] = [
  { name: 'processor-state', forms: processorStateForms() },
  { name: 'sequence', forms: sequenceForms() },
];
void formKey;
