// String instructions: movs/cmps/stos/lods/scas in three sizes, without prefix and
// with rep/repe/repne, both directions, small counts, pointers anywhere in scratch.

import { CaseBuilder, DF, EAX, ECX, EDI, ESI, SCRATCH_BASE, SCRATCH_SIZE, Size, ZF, operandValue } from './case-builder';
import { Family, Form, SIZES, formKey, sized } from './family';

const KINDS = [
  { name: 'movs', base: 0xa4, src: true, dst: true, cc: false },
  { name: 'cmps', base: 0xa6, src: true, dst: true, cc: true },
  { name: 'stos', base: 0xaa, src: false, dst: true, cc: false },
  { name: 'lods', base: 0xac, src: true, dst: false, cc: false },
  { name: 'scas', base: 0xae, src: false, dst: true, cc: true },
];

/** A pointer whose `count` elements of `n` bytes, walking in direction DF, stay in scratch. */
function stringPointer(b: CaseBuilder, count: number, n: number, down: boolean): number {
  const span = Math.max(count, 1) * n;
  const start = down ? b.rng.range(span - n, SCRATCH_SIZE - n) : b.rng.range(0, SCRATCH_SIZE - span);
  return SCRATCH_BASE + start;
}

function stringForms(): Form[] {
  const forms: Form[] = [];
  for (const k of KINDS) {
    for (const size of SIZES) {
      const n = size / 8;
      const letter = size === 8 ? 'b' : size === 16 ? 'w' : 'l';
      for (const prefix of ['', 'rep', 'repne'] as const) {
        forms.push({
          name: `${prefix} ${k.name}${letter}`.trim(),
          build(b) {
            b.useMemory();
            const down = b.rng.chance(0.4);
            b.eflags = (b.eflags & ~DF) | (down ? DF : 0);
            const count = prefix === '' ? 1 : b.rng.pick([0, 1, 2, 3, 4, 5, 6]);
            b.useReg(ECX);
            if (prefix !== '') b.setReg(32, ECX, count);
            if (k.src) b.setAddressReg(ESI, stringPointer(b, count, n, down));
            if (k.dst) b.setAddressReg(EDI, stringPointer(b, count, n, down));
            b.useReg(EAX);
            b.setReg(size, EAX, operandValue(b.rng, size));
            if (k.cc) {
              // make some elements equal so repe/repne stop at different places
              const mem = b.useMemory();
              const a = k.src ? b.regs[ESI] - SCRATCH_BASE : -1;
              const d = b.regs[EDI] - SCRATCH_BASE;
              for (let i = 0; i < Math.max(count, 1); i++) {
                if (!b.rng.chance(0.6)) continue;
                const step = down ? -i * n : i * n;
                const value = k.src ? b.peekMemory(a + step, n) : b.getReg(size, EAX);
                b.pokeMemory(d + step, n, value);
              }
              void mem;
            }
            let text = `${k.name}${letter}`;
            const rep = prefix === 'rep' ? 'f3' : prefix === 'repne' ? 'f2' : undefined;
            if (prefix !== '') text = `${k.cc ? (prefix === 'rep' ? 'repe' : 'repne') : prefix} ${text}`;
            if (b.rng.chance(0.15) && (k.name === 'movs' || k.name === 'lods')) {
              // segment override on the source (the destination is always %es)
              text = text.replace(`${k.name}${letter}`, `${k.name}${letter} %${b.rng.pick(['es', 'ss', 'cs'])}:(%esi),` + (k.name === 'lods' ? regFor(size) : '%es:(%edi)'));
            }
            b.emit(text, formKey(sized(k.base, size), { size, rep }));
            void ZF;
          },
        });
      }
    }
  }
  return forms;
}

function regFor(size: Size): string {
  return size === 8 ? '%al' : size === 16 ? '%ax' : '%eax';
}

export const STRING_FAMILIES: Family[] = [{ name: 'string', forms: stringForms() }];
