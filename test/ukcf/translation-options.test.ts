// emitBlock options used by the user-space and kernel-space translators: the `int 0x80` exit
// (syscall glue or the SYSCALL hypercall) and directExitFilter (direct exits through dispatch),
// and buildBlock decoding through a byte reader or a range fetch. The blocks run on the MIPS CPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PagedMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../emulator/machine/paged-memory';
import { MipsCpu } from '../../emulator/mips/cpu';
import { encodeInstruction } from '../../emulator/mips/encoder';
import { buildBlock } from '../../emulator/ukcf/x86-front-end';
import { emitBlock, guestRegister, Hypercall, NEXT_EIP, type BackEndOptions } from '../../emulator/ukcf/mips-back-end';

const GUEST = 0x08048000;
const HOST = 0x00400000;
const DISPATCH = 0x00500000, FLAGS = 0x00500100, SYSCALL_GLUE = 0x00500200;
const STACK = 0x0a000000;
const MARK_DISPATCH = 0x31, MARK_SYSCALL = 0x32;

/** Runs the translation of the guest bytes once; returns the hypercall that ended it and v0. */
function runOnce(guest: number[], options: Partial<BackEndOptions>, fetchOnly = false): { code: number; v0: number; ir: ReturnType<typeof buildBlock> } {
  const memory = new PagedMemory();
  memory.map(GUEST, 0x1000, PROT_READ | PROT_EXEC);
  memory.poke(GUEST, Uint8Array.from(guest));
  const source = fetchOnly ? { fetch: (a: number, n: number) => memory.readBytes(a, n) } : memory;
  const ir = buildBlock(source, GUEST);
  const code = emitBlock(ir, HOST, { lockstep: false, dispatch: DISPATCH, materializeFlags: FLAGS, ...options });
  memory.map(HOST, 0x1000, PROT_READ | PROT_EXEC);
  memory.poke(HOST, new Uint8Array(code.words.buffer));
  memory.map(DISPATCH, 0x1000, PROT_READ | PROT_EXEC);
  const sdbbp = (c: number, at: number) => Uint8Array.from(new Uint8Array(Uint32Array.of(encodeInstruction('sdbbp', [c], at)).buffer));
  memory.poke(DISPATCH, sdbbp(MARK_DISPATCH, DISPATCH));
  memory.poke(SYSCALL_GLUE, sdbbp(MARK_SYSCALL, SYSCALL_GLUE));
  const cpu = new MipsCpu(memory, { exceptionsToHost: true });
  let seen = -1;
  cpu.onHypercall = (c, k) => {
    seen = c;
    k.requestStop('test');
    return true;
  };
  memory.map(STACK - 0x1000, 0x1000, PROT_READ | PROT_WRITE);
  cpu.regs[guestRegister(4)] = STACK;
  cpu.pc = HOST;
  cpu.run(1000);
  return { code: seen, v0: cpu.regs[NEXT_EIP] >>> 0, ir };
}

test('int 0x80 leaves with v0 = the eip after it: to the syscall glue when given, else at the SYSCALL hypercall', () => {
  const prog = [0xb8, 1, 0, 0, 0, 0xcd, 0x80]; // mov $1,%eax; int $0x80
  const glue = runOnce(prog, { syscall: SYSCALL_GLUE });
  assert.equal(glue.code, MARK_SYSCALL);
  assert.equal(glue.v0, GUEST + 7);
  const stop = runOnce(prog, {});
  assert.equal(stop.code, Hypercall.Syscall);
  assert.equal(stop.v0, GUEST + 7);
  assert.equal(stop.ir.guestCount, 2);
});

test('directExitFilter: a refused direct target leaves through dispatch, an accepted one through a chain stub', () => {
  const prog = [0xe9, 0x10, 0, 0, 0]; // jmp .+0x15
  const target = GUEST + 0x15;
  const refused = runOnce(prog, { directExitFilter: (t) => t !== target });
  assert.equal(refused.code, MARK_DISPATCH);
  assert.equal(refused.v0, target);
  const accepted = runOnce(prog, { directExitFilter: () => true });
  assert.equal(accepted.code, Hypercall.Chain);
  assert.equal(accepted.v0, target);
  const call = runOnce([0xe8, 0x10, 0, 0, 0], { directExitFilter: () => false }); // call: the same
  assert.equal(call.code, MARK_DISPATCH);
  assert.equal(call.v0, target);
});

test('buildBlock decodes through a range fetch exactly as through a byte reader', () => {
  const prog = [0x01, 0xd8, 0x8d, 0x44, 0x8b, 0x08, 0x75, 0xf8];
  assert.deepEqual(runOnce(prog, {}, true).ir, runOnce(prog, {}, false).ir);
});
