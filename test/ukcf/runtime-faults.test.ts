// Guest faults in translated code end the program as the reference X86Process ends it: the same
// exit status (128 + signal) and the same message, for page faults (read, write, write to code,
// execute, stack), #DE (the back end's MIPS trap), #UD, int3, hlt and int n. Small static ELF programs (GNU as + ld, no libc),
// built into a temporary directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readElfFile, type ElfFile } from '../../emulator/machine/elf';
import { X86Process } from '../../emulator/usermode/x86-process';
import { loadStaticProgram } from '../../emulator/ukcf/static-program';
import { X86Cpu } from '../../emulator/x86/cpu';
import { UkcfRuntime } from '../../emulator/ukcf/translated-process';
import { assemble, CODE_BASE, guestMemory, haveBinutils, STACK_TOP } from './program-generator';

const hex = (n: number) => '0x' + (n >>> 0).toString(16);

const CASES: Record<string, string> = {
  'read fault': 'mov eax, 5\n mov eax, dword ptr [0x10]',
  'write fault': 'mov dword ptr [0x20], eax',
  'write to code': 'mov byte ptr [_start], 1',
  'execute fault': 'mov eax, 0x12345678\n jmp eax',
  'stack fault': 'mov esp, 0x10\n push eax',
  'divide by zero': 'xor ecx, ecx\n mov eax, 7\n div ecx',
  'divide overflow': 'mov edx, 5\n mov ecx, 2\n div ecx',
  'ud2': 'nop\n ud2',
  'int3': 'mov eax, 1\n int3',
  'hlt': 'hlt',
  'int 0x81': 'int 0x81',
  'exit 3': 'mov eax, 1\n mov ebx, 3\n int 0x80',
};

function build(dir: string, name: string, body: string): ElfFile {
  const base = join(dir, name.replace(/[^a-z0-9]/g, '-'));
  writeFileSync(`${base}.s`, `.intel_syntax noprefix\n.text\n.globl _start\n_start:\n mov ebx, 2\n ${body}\n`);
  execFileSync('i686-linux-gnu-as', ['--32', '-o', `${base}.o`, `${base}.s`]);
  execFileSync('i686-linux-gnu-ld', ['-m', 'elf_i386', '-static', '--build-id=none', '-o', base, `${base}.o`]);
  return readElfFile(base);
}

test('guest faults: same exit status and message as the reference process', { skip: haveBinutils() ? false : 'i686-linux-gnu binutils not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ukcf-faults-'));
  try {
    for (const [name, body] of Object.entries(CASES)) {
      const elf = build(dir, name, body);
      const ref = new X86Process({ elf, argv: [name], stdout: () => {}, stderr: () => {} }).run(1_000_000);
      const program = loadStaticProgram(elf, [name]);
      const stop = program.run(1_000_000);
      assert.equal(ref.kind, 'exited', name);
      assert.equal(stop.kind, 'exited', `${name}: ${JSON.stringify(stop)}`);
      if (ref.kind !== 'exited' || stop.kind !== 'exited') continue;
      assert.equal(stop.exitCode, ref.exitCode, `${name}: exit status (${stop.message} / ${ref.message})`);
      assert.equal(stop.message, ref.message, `${name}: message`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a fault in the first instruction of a block reached by a chained jump (its delay slot) is that instruction', { skip: haveBinutils() ? false : 'i686-linux-gnu binutils not installed' }, () => {
  // The third call to f (0x500000, 0x600000 readable; 0x700000 not) is a chained exit whose delay slot holds f's first word, a load that faults.
  const source = '.intel_syntax noprefix\n.globl _start\n_start:\n mov esi, 0x500000\n mov ecx, 3\nL:\n call f\n add esi, 0x100000\n dec ecx\n jnz L\n hlt\nf:\n mov eax, [esi]\n ret\n';
  const [code] = assemble([source]);
  const ref = new X86Cpu(guestMemory(code, 1));
  ref.eip = CODE_BASE;
  ref.regs[4] = STACK_TOP;
  const r = ref.run(1000);
  assert.equal(r.kind, 'fault');
  const rt = new UkcfRuntime(guestMemory(code, 1), CODE_BASE);
  rt.setGuestRegister(4, STACK_TOP);
  const stop = rt.run(100_000);
  assert.equal(stop.kind, 'fault', JSON.stringify(stop));
  if (stop.kind !== 'fault') return;
  assert.equal(stop.fault, 'page');
  assert.equal(hex(stop.eip), hex(ref.eip), 'the eip of f, not of the call');
  assert.equal(hex(stop.address ?? 0), hex(0x700000));
  assert.deepEqual([...rt.guestRegisters()].map(hex), [...ref.regs].map(hex));
  assert.ok(rt.codeCacheBlocks().some((b) => b.exits.some((e) => e.delayCopy)), 'the call was chained with a delay-slot copy');
});
