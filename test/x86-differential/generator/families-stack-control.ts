// The stack (push/pop in every form, pusha/popa, pushf/popf, enter/leave, segment
// registers) and control transfer (call/ret, jmp, jcc, loop family), with %esp
// pointing into scratch so every stack write is compared.

import { ARITH_FLAGS, CaseBuilder, DF, EAX, EBP, ECX, ESP, IF, OF, REG32, SCRATCH_BASE, SCRATCH_SIZE, Size, hex, operandValue, regName, suffix } from './case-builder';
import { CONDITIONS } from './families-data';
import { Family, Form, WIDE, formKey, hex2, osize } from './family';

/** Points %esp into scratch with room for `below` bytes of pushes and `above` bytes of pops. */
function stackIn(b: CaseBuilder, below: number, above: number): number {
  b.useMemory();
  const off = b.rng.range(below, SCRATCH_SIZE - above);
  b.setAddressReg(ESP, SCRATCH_BASE + off);
  return off;
}

/** A register, not %esp and not in `exclude`, whose change shows which way a branch went. */
function markerReg(b: CaseBuilder, exclude: number[] = []): string {
  return '%' + REG32[b.pickReg(32, { notEsp: true, exclude })];
}

function pushPopForms(): Form[] {
  const forms: Form[] = [];
  for (const size of WIDE) {
    const s = suffix(size);
    const n = size / 8;
    forms.push({
      name: `push${s} reg`,
      build(b) {
        stackIn(b, n, 0);
        const r = b.pickReg(size);
        if (r !== ESP) b.setReg(size, r, operandValue(b.rng, size));
        if (b.rng.chance(0.7)) b.emit(`push${s} ${regName(size, r)}`, formKey(hex2(0x50 + r), { size }));
        else b.emitBytes([...osize(size), 0xff, 0xf0 | r], `push${s} ${regName(size, r)} (ff /6)`, formKey('ff/6', { size }));
      },
    });
    forms.push({
      name: `pop${s} reg`,
      build(b) {
        stackIn(b, 0, n);
        const r = b.pickReg(size);
        if (b.rng.chance(0.7)) b.emit(`pop${s} ${regName(size, r)}`, formKey(hex2(0x58 + r), { size }));
        else b.emitBytes([...osize(size), 0x8f, 0xc0 | r], `pop${s} ${regName(size, r)} (8f /0)`, formKey('8f/0', { size }));
      },
    });
    forms.push({
      name: `push${s} imm`,
      build(b) {
        stackIn(b, n, 0);
        const short = b.rng.chance(0.5);
        const imm = short ? b.rng.range(-128, 127) : operandValue(b.rng, size);
        if (short) b.emit(`push${s} $${imm}`, formKey('6a', { size }));
        else {
          let v = imm;
          while (v << (32 - size) >> (32 - size) >= -128 && v << (32 - size) >> (32 - size) <= 127) v = b.rng.u32() & (size === 16 ? 0xffff : 0xffffffff);
          b.emit(`push${s} $${hex(v)}`, formKey('68', { size }));
        }
      },
    });
    forms.push({
      name: `push${s} mem`,
      build(b) {
        const off = stackIn(b, n + 8, 8);
        if (b.rng.chance(0.3)) {
          // %esp as base: the address is computed before the push
          const target = b.rng.below(SCRATCH_SIZE - n + 1);
          b.emit(`push${s} ${target - off}(%esp)`, formKey('ff/6', { size }));
        } else b.emit(`push${s} ${b.mem(n).text}`, formKey('ff/6', { size }));
      },
    });
    forms.push({
      name: `pop${s} mem`,
      build(b) {
        const off = stackIn(b, 8, n + 8);
        if (b.rng.chance(0.3)) {
          // %esp as base: the address is computed after the pop
          const target = b.rng.below(SCRATCH_SIZE - n + 1);
          b.emit(`pop${s} ${target - (off + n)}(%esp)`, formKey('8f/0', { size }));
        } else b.emit(`pop${s} ${b.mem(n).text}`, formKey('8f/0', { size }));
      },
    });
    forms.push({
      name: `pusha/popa ${s}`,
      build(b) {
        if (b.rng.chance(0.5)) {
          stackIn(b, 8 * n, 0);
          b.emit(size === 16 ? 'pushaw' : 'pushal', formKey('60', { size }));
        } else {
          stackIn(b, 0, 8 * n);
          b.emit(size === 16 ? 'popaw' : 'popal', formKey('61', { size }));
        }
      },
    });
    forms.push({
      name: `pushf/popf ${s}`,
      build(b) {
        if (b.rng.chance(0.4)) {
          stackIn(b, n, 0);
          b.emit(size === 16 ? 'pushfw' : 'pushfl', formKey('9c', { size }));
        } else {
          const off = stackIn(b, 0, n);
          // status flags and DF, plus bits user mode cannot change (IF, IOPL) or
          // that are fixed (1, 3, 5, 15)
          const image = b.rng.u32() & (ARITH_FLAGS | DF | IF | 0x3000 | 0x802a | 0x2);
          b.pokeMemory(off, n, image);
          b.emit(size === 16 ? 'popfw' : 'popfl', formKey('9d', { size }));
        }
      },
    });
    forms.push({
      name: `enter/leave ${s}`,
      build(b) {
        if (b.rng.chance(0.35)) {
          // leave: esp <- ebp, pop ebp
          b.useMemory();
          b.setAddressReg(EBP, SCRATCH_BASE + b.rng.below(SCRATCH_SIZE - n + 1));
          b.useReg(ESP);
          b.emit(size === 16 ? 'leavew' : 'leave', formKey('c9', { size }));
          return;
        }
        const level = b.rng.chance(0.8) ? b.rng.below(4) : b.rng.pick([4, 32, 33]);
        const levelUsed = level & 31;
        const pushes = levelUsed === 0 ? 1 : levelUsed + 1;
        const off = stackIn(b, pushes * n, 0);
        const minEbp = Math.max(0, levelUsed - 1) * n;
        b.setAddressReg(EBP, SCRATCH_BASE + b.rng.range(minEbp, SCRATCH_SIZE - 1));
        // the CPU probes the final stack pointer (a frame leaving mapped memory
        // faults), so the frame stays inside scratch
        const frame = b.rng.range(0, off - pushes * n);
        b.emit(`enter${size === 16 ? 'w' : ''} $${frame},$${level}`, formKey('c8', { size }));
      },
    });
  }
  return forms;
}

function segmentForms(): Form[] {
  const forms: Form[] = [];
  const pushes: [string, string][] = [['es', '06'], ['cs', '0e'], ['ss', '16'], ['ds', '1e'], ['fs', '0fa0'], ['gs', '0fa8']];
  const pops: [string, string, number][] = [['es', '07', 0x2b], ['ss', '17', 0x2b], ['ds', '1f', 0x2b], ['fs', '0fa1', 0], ['gs', '0fa9', 0]];
  for (const size of WIDE) {
    const n = size / 8;
    const s = suffix(size);
    for (const [seg, opc] of pushes) {
      forms.push({
        name: `push${s} %${seg}`,
        build(b) {
          const off = stackIn(b, n, 0);
          // a 32-bit push of a selector may write 2 or 4 bytes (SDM): zero the upper half
          b.pokeMemory(off - n, n, 0);
          b.emit(`push${s} %${seg}`, formKey(opc, { size }));
        },
      });
    }
    for (const [seg, opc, selector] of pops) {
      forms.push({
        name: `pop${s} %${seg}`,
        build(b) {
          const off = stackIn(b, 0, n);
          b.pokeMemory(off, n, selector | (size === 32 ? b.rng.u32() & 0xffff0000 : 0));
          const r = markerReg(b);
          b.emit(`pop${s} %${seg}`, formKey(opc, { size }));
          b.emit(`movl %${seg},${r}`);
        },
      });
    }
  }
  const segs = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
  forms.push({
    name: 'mov sreg,r/m',
    build(b) {
      const seg = b.rng.pick(segs);
      const k = b.rng.below(3);
      if (k === 0) b.emit(`movl %${seg},%${REG32[b.pickReg(32)]}`, formKey('8c'));
      else if (k === 1) b.emit(`movw %${seg},${regName(16, b.pickReg(16))}`, formKey('8c', { size: 16 }));
      else if (b.rng.chance(0.5)) b.emit(`movw %${seg},${b.mem(2).text}`, formKey('8c'));
      else {
        // with 0x66 the store is 16 bits all the same
        b.emit('.byte 0x66');
        b.emit(`movw %${seg},${b.mem(2).text}`, formKey('8c', { size: 16 }));
      }
    },
  });
  forms.push({
    name: 'mov r/m,sreg',
    build(b) {
      const [seg, selector] = b.rng.pick([['es', 0x2b], ['ss', 0x2b], ['ds', 0x2b], ['fs', 0], ['gs', 0]] as [string, number][]);
      const r = b.pickReg(32, { notEsp: true });
      if (b.rng.chance(0.5)) {
        b.setReg(16, r, selector);
        b.emit(`movw ${regName(16, r)},%${seg}`, formKey('8e'));
      } else {
        const m = b.mem(2);
        b.pokeMemory(m.offset, 2, selector);
        b.emit(`movw ${m.text},%${seg}`, formKey('8e'));
      }
      b.emit(`movl %${seg},%${REG32[r]}`);
    },
  });
  forms.push({
    name: 'segment override',
    build(b) {
      const r = b.pickReg(32);
      const m = b.mem(4);
      // %cs is read-only: writes through it are #GP
      const seg = b.rng.pick(['es', 'cs', 'ss', 'ds']);
      if (b.rng.chance(0.5) || seg === 'cs') b.emit(`movl %${seg}:${m.text},%${REG32[r]}`, '8b');
      else {
        b.setReg(32, r, operandValue(b.rng, 32));
        b.emit(`addl %${REG32[r]},%${seg}:${m.text}`, '01');
      }
    },
  });
  return forms;
}

function controlForms(): Form[] {
  const forms: Form[] = [];
  for (let c = 0; c < 16; c++) {
    for (const near of [false, true]) {
      forms.push({
        name: `j${CONDITIONS[c]} ${near ? 'rel32' : 'rel8'}`,
        build(b) {
          const r = markerReg(b);
          const v = hex(b.rng.u32());
          const j = `${near ? '{disp32} ' : ''}j${CONDITIONS[c]}`;
          const form = near ? `0f${hex2(0x80 + c)}` : hex2(0x70 + c);
          if (b.rng.chance(0.6)) {
            b.emit(`${j} 1f`, form);
            b.emit(`movl $${v},${r}`);
            b.emit('1:');
          } else {
            // backward target
            b.emit('jmp 2f', 'eb');
            b.emit('1:');
            b.emit(`movl $${v},${r}`);
            b.emit('jmp 3f', 'eb');
            b.emit('2:');
            b.emit(`${j} 1b`, form);
            b.emit('3:');
          }
        },
      });
    }
  }
  for (const [name, opc] of [['loopne', 'e0'], ['loope', 'e1'], ['loop', 'e2'], ['jecxz', 'e3']] as const) {
    forms.push({
      name,
      build(b) {
        b.useReg(ECX);
        b.setReg(32, ECX, b.rng.pick([0, 1, 2, 0xffffffff, b.rng.u32(), b.rng.below(5)]));
        const r = markerReg(b, [ECX]);
        if (b.rng.chance(0.5)) {
          b.emit(`${name} 1f`, opc);
          b.emit(`movl $${hex(b.rng.u32())},${r}`);
          b.emit('1:');
        } else {
          // a real loop: count iterations in r (bounded: ecx <= 4 here)
          b.setReg(32, ECX, name === 'jecxz' ? b.rng.below(5) : b.rng.range(1, 4));
          b.emit(`movl $0,${r}`);
          b.emit('1:');
          b.emit(`addl $1,${r}`);
          if (name === 'jecxz') {
            b.emit(`jecxz 2f`, opc);
            b.emit('decl %ecx');
            b.emit('jmp 1b');
            b.emit('2:');
          } else {
            b.emit(`cmpl $2,${r}`);
            b.emit(`${name} 1b`, opc);
          }
        }
      },
    });
  }
  forms.push({
    name: 'jmp',
    build(b) {
      const r = markerReg(b);
      const k = b.rng.below(4);
      if (k === 0) {
        b.emit('jmp 1f', 'eb');
        b.emit(`movl $${hex(b.rng.u32())},${r}`);
        b.emit('1:');
      } else if (k === 1) {
        b.emit('{disp32} jmp 1f', 'e9');
        b.emit(`movl $${hex(b.rng.u32())},${r}`);
        b.emit('1:');
      } else if (k === 2) {
        const t = markerReg(b);
        b.emit(`movl $1f,${t}`);
        b.emit(`jmp *${t}`, 'ff/4');
        b.emit(`movl $${hex(b.rng.u32())},${r}`);
        b.emit('1:');
      } else {
        const m = b.mem(4);
        b.emit(`movl $1f,${m.text}`);
        b.emit(`jmp *${m.text}`, 'ff/4');
        b.emit(`movl $${hex(b.rng.u32())},${r}`);
        b.emit('1:');
      }
    },
  });
  forms.push({
    name: 'call/ret',
    build(b) {
      stackIn(b, 8, 8);
      const r = markerReg(b);
      const k = b.rng.below(5);
      const ret = b.rng.chance(0.5) ? 'ret' : `ret $${b.rng.pick([0, 4, 8])}`;
      const retForm = ret === 'ret' ? 'c3' : 'c2';
      if (k === 0) {
        // call and stay: the return address is left on the stack
        b.emit('call 1f', 'e8');
        b.emit(`movl $${hex(b.rng.u32())},${r}`);
        b.emit('1:');
      } else if (k === 1) {
        b.emit('call 2f', 'e8');
        b.emit('jmp 3f', 'eb');
        b.emit('2:');
        b.emit(`addl $${b.rng.below(100)},${r}`);
        b.emit(ret, retForm);
        b.emit('3:');
      } else if (k === 2) {
        const t = markerReg(b);
        b.emit(`movl $2f,${t}`);
        b.emit(`call *${t}`, 'ff/2');
        b.emit('jmp 3f', 'eb');
        b.emit('2:');
        b.emit(ret, retForm);
        b.emit('3:');
      } else if (k === 3) {
        const m = b.mem(4);
        b.emit(`movl $2f,${m.text}`);
        b.emit(`call *${m.text}`, 'ff/2');
        b.emit('jmp 3f', 'eb');
        b.emit('2:');
        b.emit(ret, retForm);
        b.emit('3:');
      } else {
        // ret to an address pushed by hand
        b.emit('pushl $1f', '68');
        b.emit(ret, retForm);
        b.emit(`movl $${hex(b.rng.u32())},${r}`);
        b.emit('1:');
      }
    },
  });
  forms.push({
    name: 'popf AC/ID',
    build(b) {
      // AC (alignment check) and ID (cpuid present) are writable in user mode
      // with AC set, Linux user mode checks alignment (#AC, SIGBUS): keep %esp aligned
      const off = stackIn(b, 4, 4) & ~3;
      b.setAddressReg(ESP, SCRATCH_BASE + off);
      b.pokeMemory(off, 4, (b.rng.u32() & (ARITH_FLAGS | DF | 0x40000 | 0x200000)) | 0x202);
      const r = markerReg(b);
      b.emit('popfl', '9d');
      b.emit('pushfl', '9c');
      b.emit(`popl ${r}`);
      b.emit('pushl $0x202');
      b.emit('popfl');
    },
  });
  forms.push({
    name: 'into (no overflow)',
    build(b) {
      b.eflags &= ~OF;
      b.emit('into', 'ce');
    },
  });
  void EAX; void osize;
  return forms;
}

export const STACK_CONTROL_FAMILIES: Family[] = [
  { name: 'stack', forms: pushPopForms() },
  { name: 'segment', forms: segmentForms() },
  { name: 'control', forms: controlForms() },
];
