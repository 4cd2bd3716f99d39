// Encodings whose operand must be memory (far pointers: lss/lfs/lgs, lcall/ljmp through FF /3 /5) or
// that need a mandatory prefix (0F B8 = popcnt only under F3): the real CPU raises #UD for the
// register form / the bare opcode, so the decoder must say 'invalid' (not 'unsupported') and the
// interpreter must report an invalid-opcode fault, not an out-of-scope instruction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeInstruction } from '../../emulator/x86/decoder';
import { buildAssembly, canRunNative, runEmulated, runNative } from './native-harness';

const CASES: { name: string; bytes: number[] }[] = [
  { name: 'lss %eax,%eax (0f b2 c0)', bytes: [0x0f, 0xb2, 0xc0] },
  { name: 'lfs %ecx,%edx (0f b4 d1)', bytes: [0x0f, 0xb4, 0xd1] },
  { name: 'lgs %ebx,%esi (0f b5 f3)', bytes: [0x0f, 0xb5, 0xf3] },
  { name: 'lcall *%eax (ff d8)', bytes: [0xff, 0xd8] },
  { name: 'ljmp *%edi (ff ef)', bytes: [0xff, 0xef] },
  { name: '0f b8 without f3 (0f b8 c1)', bytes: [0x0f, 0xb8, 0xc1] },
  { name: '66 0f b8 without f3', bytes: [0x66, 0x0f, 0xb8, 0xc1] },
];

function program(bytes: number[]): string {
  // The instruction under test, then exit(0): reaching the exit means the CPU accepted it.
  return `.globl _start\n_start:\n.byte ${bytes.join(',')}\nmovl $1,%eax\nxorl %ebx,%ebx\nint $0x80\n`;
}

test('decoder: register forms of memory-only operands and 0F B8 without F3 are invalid', () => {
  for (const c of CASES) {
    const d = decodeInstruction((a) => c.bytes[a - 0x1000] ?? 0x90, 0x1000);
    assert.equal(d.status, 'invalid', `${c.name}: ${d.status} (${d.reason})`);
    assert.equal(d.length, c.bytes.length, `${c.name}: length`);
  }
  // The memory forms stay what they are (outside the emulated set), and F3 0F B8 stays popcnt.
  const lssMem = decodeInstruction((a) => [0x0f, 0xb2, 0x00][a - 0x1000] ?? 0x90, 0x1000);
  assert.equal(lssMem.status, 'unsupported');
  const popcnt = decodeInstruction((a) => [0xf3, 0x0f, 0xb8, 0xc1][a - 0x1000] ?? 0x90, 0x1000);
  assert.notEqual(popcnt.status, 'invalid');
});

test('real CPU and interpreter agree: each encoding raises #UD (SIGILL natively, invalid-opcode fault emulated)', { skip: canRunNative() ? false : 'needs i686-linux-gnu-gcc and a CPU that runs i386 binaries' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'x86-ud-forms-'));
  try {
    CASES.forEach((c, i) => {
      const exe = buildAssembly(program(c.bytes), dir, `case${i}`);
      const native = runNative(exe);
      assert.equal(native.signal, 'SIGILL', `${c.name}: native ${native.signal ?? native.status}`);
      const emulated = runEmulated(exe);
      assert.equal(emulated.stop.kind, 'fault', `${c.name}: emulated ${JSON.stringify(emulated.stop)}`);
      assert.match(JSON.stringify(emulated.stop), /invalid/i, c.name);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
