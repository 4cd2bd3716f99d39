// The translated process's initial stack holds what the interpreter's process holds — argc, argv
// and envp strings, every auxv entry (pointer-valued ones by what they point to) — only placed in
// kuseg below the code cache instead of below 0xc0000000.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readElfFile } from '../../emulator/machine/elf';
import type { PagedMemory } from '../../emulator/machine/paged-memory';
import { X86Process } from '../../emulator/usermode/x86-process';
import { GUEST_STACK_TOP, TranslatedUserProcess } from '../../emulator/ukcf/user-space/translated-user-program';

const AT_RANDOM = 25, AT_EXECFN = 31, AT_PLATFORM = 15;

function readStack(memory: PagedMemory, sp: number) {
  let at = sp;
  const word = () => {
    const w = memory.read32(at) >>> 0;
    at += 4;
    return w;
  };
  const argc = word();
  const argv: string[] = [];
  for (let i = 0; i < argc; i++) argv.push(memory.readCString(word()));
  assert.equal(word(), 0);
  const envp: string[] = [];
  for (let p = word(); p !== 0; p = word()) envp.push(memory.readCString(p));
  const auxv: [number, string | number][] = [];
  for (;;) {
    const key = word(), value = word();
    if (key === AT_RANDOM) auxv.push([key, Buffer.from(memory.readBytes(value, 16)).toString('hex')]);
    else if (key === AT_EXECFN || key === AT_PLATFORM) auxv.push([key, memory.readCString(value)]);
    else auxv.push([key, value]);
    if (key === 0) break;
  }
  return { argc, argv, envp, auxv };
}

test('initial stack: same argv, envp and auxv as the interpreter\'s process, in kuseg', () => {
  const program = path.join(__dirname, 'programs', 'syscalls.i386');
  const elf = readElfFile(program);
  const argv = [program, 'one', 'with space', ''];
  const env = ['A=1', 'LANG=C', 'EMPTY='];
  const sink = () => {};
  const interp = new X86Process({ elf, argv, envp: env, stdout: sink, stderr: sink });
  const translated = new TranslatedUserProcess(elf, { isa: 'x86', program, args: argv.slice(1), env, stdout: sink, stderr: sink });
  const expected = readStack(interp.memory, interp.cpu.regs[4] >>> 0);
  const got = readStack(translated.memory, translated.runtime.guestRegisters()[4] >>> 0);
  assert.deepEqual(got, expected);
  assert.ok(expected.auxv.length > 15, `${expected.auxv.length} auxv entries compared`);
  const sp = translated.runtime.guestRegisters()[4] >>> 0;
  assert.ok(sp < GUEST_STACK_TOP && sp > GUEST_STACK_TOP - 0x10000, `esp 0x${sp.toString(16)} just below the kuseg stack top`);
  assert.ok((interp.cpu.regs[4] >>> 0) > 0xbf000000, 'the interpreter\'s stack is below 0xc0000000');
  assert.equal(sp & 15, (interp.cpu.regs[4] >>> 0) & 15, 'the same alignment');
  translated.linux.release();
  interp.linux.release();
});
