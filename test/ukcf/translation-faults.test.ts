// Guest faults of translated code against the reference interpreter (X86Cpu) on the same memory:
// enter with nesting levels whose frame or display entries are not accessible (the whole frame is
// checked for writing first, then the entries for reading), 2- and 4-byte accesses crossing into an
// unmapped page (the first unmapped byte is named), refused selectors in mov/pop to a segment
// register, into with OF set (also from an earlier block's flags), aam 0. The fault kind, eip,
// registers, address, access and the message's detail must be the interpreter's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X86Cpu } from '../../emulator/x86/cpu';
import { UkcfRuntime, type UkcfStop } from '../../emulator/ukcf/translated-process';
import { assemble, CODE_BASE, DATA_BASE, guestMemory, haveBinutils, STACK_TOP } from './program-generator';

const skip = haveBinutils() ? false : 'i686-linux-gnu binutils not installed';
const hex = (n: number) => '0x' + (n >>> 0).toString(16);
const STACK_BOTTOM = STACK_TOP - 0x10000;

const CASES: Record<string, string> = {
  'enter: frame below the stack': `mov ebp, ${DATA_BASE + 64}\n mov esp, ${STACK_BOTTOM + 4}\n enter 8, 3`,
  'enter: frame above the stack': `mov ebp, ${DATA_BASE + 64}\n mov esp, ${STACK_TOP + 8}\n enter 0, 4`,
  'enter: frame in read-only code': `mov ebp, ${DATA_BASE + 64}\n mov esp, ${CODE_BASE + 0x40}\n enter 0, 2`,
  'enter: first display entry unreadable': `mov ebp, 0x10\n enter 4, 3`,
  'enter: second display entry unreadable': `mov ebp, ${DATA_BASE + 4}\n enter 0, 3`,
  'enter 16-bit: display entry unreadable': `mov ebp, ${DATA_BASE + 2}\n .byte 0x66\n enter 0, 4`,
  'enter 16-bit: frame above the stack': `mov ebp, ${DATA_BASE + 64}\n mov esp, ${STACK_TOP + 4}\n .byte 0x66\n enter 0, 4`,
  'store crossing into an unmapped page': `mov eax, 1\n mov dword ptr [${STACK_TOP - 3}], eax`,
  'store crossing from an unmapped page': `mov dword ptr [${DATA_BASE - 2}], eax`,
  '16-bit store crossing': `mov word ptr [${STACK_TOP - 1}], ax`,
  'load crossing into an unmapped page': `mov eax, dword ptr [${STACK_TOP - 1}]`,
  'push crossing': `mov esp, ${STACK_BOTTOM + 2}\n push eax`,
  'ret from a crossing stack': `mov esp, ${STACK_TOP - 2}\n ret`,
  'mov ds, a selector without descriptor': 'mov ax, 0x1233\n mov ds, ax',
  'mov ss, null': 'xor eax, eax\n mov ss, ax',
  'mov ss, the code selector': 'mov ax, 0x23\n mov ss, ax',
  'pop es, a local descriptor': 'push 0x2f\n pop es',
  'mov fs from memory, unknown TLS entry': `mov word ptr [${DATA_BASE}], 0x63\n mov fs, word ptr [${DATA_BASE}]`,
  'pop gs, stack unmapped': `mov esp, ${STACK_TOP}\n pop gs`,
  'into with OF set': 'mov eax, 0x7fffffff\n add eax, 1\n mov ebx, 5\n into\n mov ebx, 6',
  'into with OF from an earlier block': 'mov eax, 0x80000000\n sub eax, 1\n jmp 1f\n1: mov ecx, 3\n into',
  'aam 0': 'mov eax, 0x1234\n .byte 0xd4, 0x00',
};

/** X86Cpu fault kinds as the translated runtime reports them ('unsupported' is SIGILL, invalid-opcode). */
const KIND: Record<string, string> = { unsupported: 'invalid-opcode' };

test('translated guest faults equal the reference interpreter\'s: kind, eip, registers, address, access, detail', { skip }, () => {
  const names = Object.keys(CASES);
  const codes = assemble(names.map((n) => `.intel_syntax noprefix\n.globl _start\n_start:\n ${CASES[n]}\n hlt\n`));
  names.forEach((name, i) => {
    const ref = new X86Cpu(guestMemory(codes[i], 1));
    ref.eip = CODE_BASE;
    ref.regs[4] = STACK_TOP;
    const expected = ref.run(1000);
    assert.equal(expected.kind, 'fault', `${name}: the reference faults (${JSON.stringify(expected)})`);
    if (expected.kind !== 'fault') return;
    for (const lockstep of [false, true]) {
      const rt = new UkcfRuntime(guestMemory(codes[i], 1), CODE_BASE, { lockstep });
      rt.setGuestRegister(4, STACK_TOP);
      let stop: UkcfStop = rt.run(100_000);
      while (stop.kind === 'boundary') stop = rt.run(100_000);
      const where: string = `${name} (lockstep ${lockstep}): ${JSON.stringify(stop)} vs ${JSON.stringify(expected)}`;
      assert.equal(stop.kind, 'fault', where);
      if (stop.kind !== 'fault') return;
      assert.equal(stop.fault, KIND[expected.fault] ?? expected.fault, where);
      assert.equal(hex(stop.eip), hex(ref.eip), where);
      assert.deepEqual([...rt.guestRegisters()].map(hex), [...ref.regs].map(hex), `${where}: registers`);
      assert.equal(stop.address === undefined ? undefined : hex(stop.address), expected.address === undefined ? undefined : hex(expected.address), `${where}: address`);
      assert.equal(stop.access, expected.access, `${where}: access`);
      const detail = expected.message.replace(/ at eip 0x[0-9a-f]+$/, '');
      if (expected.fault === 'general-protection') assert.ok(stop.message.endsWith(`: ${detail}`), where);
      if (expected.fault === 'interrupt') assert.ok(stop.message.startsWith(`segmentation fault: int $0x${(expected.vector ?? -1).toString(16)} `), where);
    }
  });
  console.log(`translated faults: ${names.length} programs, chained and lockstep, equal to the reference interpreter's`);
});
