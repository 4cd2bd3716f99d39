// Decoder against oracles: instruction lengths agree with Capstone on fixed-seed random bytes,
// operands of GNU-as-assembled instructions decode to what was written, and no input throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeInstruction, DecodedInstruction } from '../../emulator/x86/decoder';
import { assembleBytes, haveCrossCompiler, Xorshift32 } from './native-harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const capstoneFactory = require('@alexaltea/capstone-js') as () => Promise<{
  ARCH_X86: number;
  MODE_32: number;
  Capstone: new (arch: number, mode: number) => { disasm(bytes: number[], address: number): { size: number; mnemonic: string }[]; close(): void };
}>;

function decodeBytes(bytes: ArrayLike<number>, address = 0x1000): DecodedInstruction {
  return decodeInstruction((a) => {
    const i = a - address;
    if (i < 0 || i >= bytes.length) throw new RangeError('fetch past the test buffer');
    return bytes[i];
  }, address);
}

test('random bytes: never throws, length 1..15, and agrees with Capstone on every valid instruction', async () => {
  const cs = await capstoneFactory();
  const cap = new cs.Capstone(cs.ARCH_X86, cs.MODE_32);
  const rng = new Xorshift32(0x5eed);
  let compared = 0;
  let unsupportedCompared = 0;
  const problems: string[] = [];
  try {
    for (let n = 0; n < 30000; n++) {
      const bytes = Array.from({ length: 16 }, () => rng.next() & 0xff);
      // Bias towards the 0F map and prefixes, where most rules live.
      if (n % 3 === 0) bytes[0] = 0x0f;
      if (n % 7 === 0) bytes.unshift(0x66);
      const d = decodeBytes(bytes);
      assert.ok(d.length >= 1 && d.length <= 15, `length ${d.length}`);
      let ins: { size: number; mnemonic: string }[] = [];
      try {
        ins = cap.disasm(bytes, 0x1000);
      } catch {
        ins = [];
      }
      const hex = bytes.slice(0, Math.max(d.length, ins[0]?.size ?? 0)).map((b) => b.toString(16).padStart(2, '0')).join(' ');
      // Known, deliberate differences: ud1 takes a ModRM (SDM; GNU objdump agrees, Capstone
      // stops after 2 bytes); 0F 0D (AMD prefetch), 0F 18 and 0F 19..1E are hint NOPs on
      // hardware for every ModRM, while Capstone knows only some forms.
      if (d.opcode === 0x0fb9 || d.opcode === 0x0f0d || (d.opcode >= 0x0f18 && d.opcode <= 0x0f1e)) continue;
      if (d.status === 'ok' && !d.lockInvalid) {
        compared++;
        if (ins.length === 0) problems.push(`${hex}: decoded as ${d.entry?.mnemonic}, Capstone rejects`);
        else if (ins[0].size !== d.length) problems.push(`${hex}: length ${d.length}, Capstone ${ins[0].size} (${ins[0].mnemonic})`);
      } else if (d.status === 'unsupported' && ins.length > 0 && !d.reason.startsWith('16-bit')) {
        unsupportedCompared++;
        if (ins[0].size !== d.length) problems.push(`${hex}: unsupported ${d.entry?.mnemonic} length ${d.length}, Capstone ${ins[0].size} (${ins[0].mnemonic})`);
      }
    }
  } finally {
    cap.close();
  }
  assert.ok(compared > 10000 && unsupportedCompared > 1000, `compared ${compared}/${unsupportedCompared}`);
  assert.deepEqual(problems.slice(0, 20), []);
});

test('more than 15 bytes is invalid; truncated fetches propagate the fetch error', () => {
  const d = decodeBytes([...new Array(15).fill(0x66), 0x90]);
  assert.equal(d.status, 'invalid');
  assert.equal(d.length, 15);
  const ok = decodeBytes([...new Array(14).fill(0x66), 0x90]);
  assert.equal(ok.status, 'ok');
  assert.equal(ok.length, 15);
  assert.throws(() => decodeBytes([0xb8, 1, 2]), RangeError);
});

test('status classes: invalid (#UD) and unsupported (out of scope) with reasons', () => {
  assert.equal(decodeBytes([0x0f, 0x0b]).entry?.op, 'ud2');
  assert.equal(decodeBytes([0x8d, 0xc0]).status, 'invalid'); // lea with a register source
  assert.equal(decodeBytes([0x0f, 0xc7, 0xc8]).status, 'invalid'); // cmpxchg8b with a register
  assert.equal(decodeBytes([0xd9, 0xe8]).status, 'unsupported'); // fld1
  assert.equal(decodeBytes([0x0f, 0x28, 0xc1]).status, 'unsupported'); // movaps
  assert.equal(decodeBytes([0x67, 0x8b, 0x07]).status, 'unsupported'); // 16-bit addressing
  assert.match(decodeBytes([0x67, 0x8b, 0x07]).reason, /16-bit addressing/);
  assert.equal(decodeBytes([0x67, 0x8b, 0x07]).length, 3);
  assert.equal(decodeBytes([0x67, 0x90]).status, 'ok'); // 0x67 without memory is harmless
  assert.equal(decodeBytes([0xf0, 0x01, 0xc0]).lockInvalid, true); // lock add reg, reg
  assert.equal(decodeBytes([0xf0, 0x01, 0x00]).lockInvalid, false); // lock add [eax], eax
  assert.equal(decodeBytes([0xf0, 0x8b, 0x00]).lockInvalid, true); // lock mov
});

test('operands of assembled instructions decode to what was written', { skip: haveCrossCompiler() ? false : 'needs i686-linux-gnu-as' }, () => {
  const cases: [string, (d: DecodedInstruction) => void][] = [
    ['movl 0x10(%eax,%ebx,4), %ecx', (d) => {
      assert.deepEqual(d.operands[0], { kind: 'reg', reg: 1, size: 4 });
      assert.deepEqual(d.operands[1], { kind: 'mem', size: 4, base: 0, index: 3, scale: 4, disp: 0x10, segment: -1, defaultSegment: 3 });
    }],
    ['movb %ah, -8(%ebp)', (d) => {
      assert.deepEqual(d.operands[0], { kind: 'mem', size: 1, base: 5, index: -1, scale: 1, disp: -8, segment: -1, defaultSegment: 2 });
      assert.deepEqual(d.operands[1], { kind: 'reg', reg: 4, size: 1 });
    }],
    ['addw $-2, %gs:0x1234', (d) => {
      assert.equal(d.operandSize, 2);
      assert.deepEqual(d.operands[0], { kind: 'mem', size: 2, base: -1, index: -1, scale: 1, disp: 0x1234, segment: 5, defaultSegment: 3 });
      assert.deepEqual(d.operands[1], { kind: 'imm', value: 0xfffe, size: 2 });
    }],
    ['pushl $-1', (d) => assert.deepEqual(d.operands[0], { kind: 'imm', value: 0xffffffff, size: 4 })],
    ['jne .+0x100', (d) => assert.deepEqual(d.operands[0], { kind: 'rel', target: 0x1100 })],
    ['call .-5', (d) => assert.equal(d.target, 0x1000 - 5)],
    ['movl (,%esi,8), %eax', (d) => assert.deepEqual(d.operands[1], { kind: 'mem', size: 4, base: -1, index: 6, scale: 8, disp: 0, segment: -1, defaultSegment: 3 })],
    ['movl (%esp), %eax', (d) => assert.deepEqual(d.operands[1], { kind: 'mem', size: 4, base: 4, index: -1, scale: 1, disp: 0, segment: -1, defaultSegment: 2 })],
    ['movl 0x12345678, %eax', (d) => assert.deepEqual(d.operands[1], { kind: 'mem', size: 4, base: -1, index: -1, scale: 1, disp: 0x12345678, segment: -1, defaultSegment: 3 })],
    ['shldl $5, %edx, %eax', (d) => assert.deepEqual(d.operands.map((o) => o.kind), ['reg', 'reg', 'imm'])],
    ['rep movsl', (d) => { assert.equal(d.rep, 'rep'); assert.equal(d.entry?.op, 'movs'); }],
    ['repne scasb', (d) => { assert.equal(d.rep, 'repne'); assert.equal(d.entry?.op, 'scas'); }],
    ['lock cmpxchg8b (%esi)', (d) => { assert.equal(d.lock, true); assert.equal(d.entry?.op, 'cmpxchg8b'); assert.equal(d.lockInvalid, false); }],
    ['movzbl %bh, %eax', (d) => { assert.equal(d.entry?.op, 'movzx'); assert.deepEqual(d.operands[1], { kind: 'reg', reg: 7, size: 1 }); }],
    ['enter $0x10, $2', (d) => assert.deepEqual(d.operands, [{ kind: 'imm', value: 0x10, size: 2 }, { kind: 'imm', value: 2, size: 1 }])],
    ['movw %gs, %ax', (d) => assert.deepEqual(d.operands[1], { kind: 'sreg', sreg: 5 })],
    ['pushl %fs', (d) => assert.equal(d.entry?.op, 'push_seg')],
    ['bswap %esi', (d) => assert.deepEqual(d.operands[0], { kind: 'reg', reg: 6, size: 4 })],
    ['nopw 0x0(%eax,%eax,1)', (d) => assert.equal(d.entry?.op, 'nop')],
    ['imull $1000, %ebx, %eax', (d) => assert.deepEqual(d.operands[2], { kind: 'imm', value: 1000, size: 4 })],
    ['cmovgl %ecx, %edx', (d) => assert.equal(d.cond, 15)],
    ['setb %al', (d) => assert.equal(d.cond, 2)],
  ];
  for (const [src, check] of cases) {
    const bytes = assembleBytes(src, 0x1000);
    const d = decodeBytes(bytes, 0x1000);
    assert.equal(d.status, 'ok', src);
    assert.equal(d.length, bytes.length, src);
    check(d);
  }
});
