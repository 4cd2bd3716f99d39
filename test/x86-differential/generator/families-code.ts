// Code-shape cases: prefixes compilers and linkers really emit (rep ret, bnd, notrack,
// branch hints, redundant and reordered prefixes, 16-bit addressing in lea) and
// self-modifying code (an interpreter that caches decoded or compiled code must see
// stores into code it has already run, and into the block it is running).

import { CaseBuilder, EAX, ESP, REG32, SCRATCH_BASE, SCRATCH_SIZE, hex, operandValue, regName } from './case-builder';
import { CONDITIONS } from './families-data';
import { Family, Form, formKey, hex2 } from './family';

function stack(b: CaseBuilder): void {
  b.useMemory();
  b.setAddressReg(ESP, SCRATCH_BASE + b.rng.range(16, SCRATCH_SIZE - 8));
}

function marker(b: CaseBuilder): string {
  return '%' + REG32[b.pickReg(32, { notEsp: true })];
}

function prefixForms(): Form[] {
  return [
    {
      name: 'rep ret / bnd ret',
      build(b) {
        stack(b);
        const r = marker(b);
        const bnd = b.rng.chance(0.5);
        b.emit('pushl $1f', '68');
        if (bnd) b.emit('bnd ret', 'f2:c3');
        else b.emitBytes([0xf3, 0xc3], 'rep ret', 'f3:c3');
        b.emit(`movl $${hex(b.rng.u32())},${r}`);
        b.emit('1:');
      },
    },
    {
      name: 'bnd jmp / bnd call / notrack jmp',
      build(b) {
        stack(b);
        const r = marker(b);
        const k = b.rng.below(3);
        if (k === 0) b.emit('bnd jmp 1f', 'f2:eb');
        else if (k === 1) b.emit('bnd call 1f', 'f2:e8');
        else {
          const t = marker(b);
          b.emit(`movl $1f,${t}`);
          b.emit(`notrack jmp *${t}`, 'ff/4');
        }
        b.emit(`movl $${hex(b.rng.u32())},${r}`);
        b.emit('1:');
      },
    },
    {
      name: 'jcc with branch hints',
      build(b) {
        const c = b.rng.below(16);
        const r = marker(b);
        b.emit(`j${CONDITIONS[c]},${b.rng.pick(['pt', 'pn'])} 1f`, hex2(0x70 + c));
        b.emit(`movl $${hex(b.rng.u32())},${r}`);
        b.emit('1:');
      },
    },
    {
      name: 'redundant, reordered and ignored prefixes',
      build(b) {
        const a = b.pickReg(32), c = b.pickReg(32);
        b.setReg(32, a, operandValue(b.rng, 32));
        if (c !== a) b.setReg(32, c, operandValue(b.rng, 32));
        const k = b.rng.below(4);
        const modrm = 0xc0 | (a << 3) | c;
        if (k === 0) b.emitBytes([0x66, 0x66, 0x01, modrm], `data16 data16 addw ${regName(16, a)},${regName(16, c)}`, '66:01');
        else if (k === 1) b.emitBytes([b.rng.pick([0x26, 0x2e, 0x36, 0x3e]), 0x01, modrm], `(segment prefix) addl ${regName(32, a)},${regName(32, c)}`, '01');
        else if (k === 2) b.emitBytes([0x26, 0x3e, 0x66, 0x29, modrm], `es ds subw ${regName(16, a)},${regName(16, c)}`, '66:29');
        else {
          const m = b.mem(2);
          b.pokeMemory(m.offset, 2, operandValue(b.rng, 16));
          // operand-size prefix before lock: lock addw
          b.emit('.byte 0x66');
          b.emit(`lock addl ${regName(32, a)},${m.text}`, 'f0:66:01');
        }
      },
    },
    {
      name: 'lea with 16-bit addressing',
      build(b) {
        const dst = b.pickReg(32);
        const modes = ['(%bx,%si)', '(%bx,%di)', '(%bp,%si)', '(%bp,%di)', '(%si)', '(%di)', '(%bx)'];
        const mode = b.rng.pick(modes);
        const disp = b.rng.pick(['', `${b.rng.range(-128, 127)}`, `${b.rng.range(-0x8000, 0x7fff)}`]);
        const text = b.rng.chance(0.15) ? `${b.rng.below(0x10000)}` : `${disp}${mode}`;
        b.emit(`addr16 leal ${text},${regName(32, dst)}`, '8d');
      },
    },
  ];
}

function selfModifyingForms(): Form[] {
  return [
    {
      name: 'patch code that already ran',
      build(b) {
        stack(b);
        b.useReg(EAX);
        const r = marker(b);
        const first = b.rng.u32(), second = b.rng.u32();
        b.emit('call 2f', 'e8');
        b.emit(`movl %eax,${r}`);
        b.emit(`movl $${hex(second)},2f+1`);
        b.emit('call 2f', 'e8');
        b.emit('.pushsection .smc,"awx",@progbits');
        b.emit('2:');
        b.emit(`movl $${hex(first)},%eax`);
        b.emit('ret');
        b.emit('.popsection');
      },
    },
    {
      name: 'patch the next instruction of the running block',
      build(b) {
        stack(b);
        b.useReg(EAX);
        const r = marker(b);
        const value = b.rng.u32();
        b.emit(`movl $${hex(b.rng.u32())},%eax`);
        b.emit('call 2f', 'e8');
        b.emit(`movl %eax,${r}`);
        b.emit('call 2f', 'e8');
        b.emit('.pushsection .smc,"awx",@progbits');
        b.emit('2:');
        b.emit(`movl $${hex(value)},1f+1`);
        b.emit(`1: movl $${hex(b.rng.u32())},%eax`);
        b.emit('ret');
        b.emit('.popsection');
      },
    },
    {
      name: 'patch an opcode inside a loop',
      build(b) {
        stack(b);
        b.useReg(EAX);
        const r = marker(b, );
        b.setReg(32, EAX, operandValue(b.rng, 32));
        const imm = b.rng.below(0x7f);
        // round 1 adds, then the loop rewrites 83 /0 (add) into 83 /5 (sub) for round 2
        b.emit('call 2f', 'e8');
        b.emit('movb $0xe8,3f+1');
        b.emit('call 2f', 'e8');
        b.emit(`movl %eax,${r}`);
        b.emit('.pushsection .smc,"awx",@progbits');
        b.emit('2:');
        b.emit(`3: addl $${imm},%eax`);
        b.emit('roll $3,%eax');
        b.emit('ret');
        b.emit('.popsection');
      },
    },
  ];
}

/** Code written by a string copy, and code whose instructions straddle a page boundary. */
function codeCopyForms(): Form[] {
  return [
    {
      name: 'copy new code over old with rep movsb',
      build(b) {
        stack(b);
        b.useReg(EAX);
        for (const r of [1, 6, 7]) b.useReg(r); // ecx esi edi
        const r = marker(b);
        const a = b.rng.u32(), c = b.rng.u32();
        // run the old code, overwrite the whole routine from a template, run it again
        b.emit('call 2f', 'e8');
        b.emit(`movl %eax,${r}`);
        b.emit('movl $3f,%esi');
        b.emit('movl $2f,%edi');
        b.emit('movl $4f-3f,%ecx');
        b.emit('cld');
        b.emit('rep movsb', 'f3:a4');
        b.emit('call 2f', 'e8');
        b.emit('.pushsection .smc,"awx",@progbits');
        b.emit('2:');
        b.emit(`movl $${hex(a)},%eax`);
        b.emit('ret');
        b.emit('.popsection');
        b.emit('.pushsection .rodata');
        b.emit('3:');
        b.emit(`xorl $${hex(c)},%eax`);
        b.emit('bswap %eax');
        b.emit('ret');
        b.emit('4:');
        b.emit('.popsection');
      },
    },
    {
      name: 'instructions across a page boundary, patched',
      build(b) {
        stack(b);
        b.useReg(EAX);
        const r = marker(b);
        const split = b.rng.range(1, 4);
        // a 5-byte mov whose last `split` bytes are on the next page; patch its
        // immediate (both pages) after the first run
        b.emit('call 2f', 'e8');
        b.emit(`movl %eax,${r}`);
        b.emit(`movl $${hex(b.rng.u32())},2f+1`);
        b.emit('call 2f', 'e8');
        b.emit('.pushsection .smc,"awx",@progbits');
        b.emit('.balign 4096');
        b.emit(`.skip 4096-5+${split},0x90`);
        b.emit('2:');
        b.emit(`movl $${hex(b.rng.u32())},%eax`);
        b.emit('incl %eax');
        b.emit('ret');
        b.emit('.popsection');
      },
    },
  ];
}

export const CODE_FAMILIES: Family[] = [
  { name: 'code-copy', forms: codeCopyForms() },
  { name: 'prefix', forms: prefixForms() },
  { name: 'smc', forms: selfModifyingForms() },
];
void formKey;
