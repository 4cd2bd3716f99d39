// The debugger's view of the runtime: the guest instruction ↔ host code maps agree with each other,
// and writes of eip and of the status flags at a stop change what the translated code does next.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CF, ZF } from '../../emulator/x86/table';
import { UkcfRuntime } from '../../emulator/ukcf/translated-process';
import { assemble, CODE_BASE, generateProgram, guestMemory, haveBinutils, STACK_TOP } from './program-generator';

const skip = haveBinutils() ? false : 'i686-linux-gnu binutils not installed';
const hex = (n: number) => '0x' + (n >>> 0).toString(16);

test('translationOf, codeCacheBlocks and guestEipAt describe the same code', { skip }, () => {
  const [code] = assemble([generateProgram(0xdeb06, 40)]);
  const rt = new UkcfRuntime(guestMemory(code, 7), CODE_BASE);
  rt.setGuestRegister(4, STACK_TOP);
  assert.equal(rt.run(10_000_000).kind, 'fault');
  // (A block of guest count 0 only stops at an untranslated instruction: no translation of it.)
  const blocks = rt.codeCacheBlocks().filter((b) => b.state === 'live' && b.guestCount > 0);
  assert.ok(blocks.length > 10);
  let instructions = 0;
  for (const b of blocks) {
    const t = rt.translationOf(b.eip).find((x) => x.host === b.host);
    assert.ok(t !== undefined, `translationOf(${hex(b.eip)}) lists its block`);
    assert.equal(t.block, b.eip);
    assert.equal(t.hostEnd, b.host + b.hostBytes);
    assert.equal(t.instructions.length, b.guestCount);
    let previous = t.host;
    for (const x of t.instructions) {
      assert.ok(x.host >= previous && x.hostEnd >= x.host && x.hostEnd <= t.hostEnd, `instruction ${hex(x.eip)} inside its block, in order`);
      previous = x.host;
      assert.ok(x.eip >= b.eip && x.eip < b.guestEnd);
      if (x.hostEnd > x.host) assert.equal(hex(rt.guestEipAt(x.hostEnd - 4)), hex(x.eip), 'guestEipAt of its last word');
      assert.ok(rt.translationOf(x.eip).some((y) => y.host === b.host));
      instructions++;
    }
  }
  assert.equal(rt.guestEipAt(rt.dispatchAddress), -1, 'glue is no guest instruction');
  assert.ok(instructions >= rt.statistics().guestInstructionsTranslatedDistinct / 2);
});

const BRANCH = '.intel_syntax noprefix\n.globl _start\n_start:\n mov ebx, 0\n int 0x80\n jc 1f\n mov ebx, 1\n hlt\n1: mov ebx, 2\n hlt\nother:\n mov ebx, 3\n hlt\n';

test('setStatusFlags and setEip at a stop steer the translated code', { skip }, () => {
  const [code] = assemble([BRANCH]);
  const run = (steer: (rt: UkcfRuntime) => void): number => {
    const rt = new UkcfRuntime(guestMemory(code, 1), CODE_BASE);
    rt.setGuestRegister(4, STACK_TOP);
    const stop = rt.run(100_000);
    assert.equal(stop.kind, 'syscall');
    assert.equal(rt.guestEip(), CODE_BASE + 7);
    steer(rt);
    assert.equal(rt.run(100_000).kind, 'fault');
    return rt.guestRegisters()[3];
  };
  assert.equal(run((rt) => {
    rt.setStatusFlags(CF | ZF);
    assert.equal(rt.statusFlags(), CF | ZF);
  }), 2, 'CF set: jc taken (flags read through the flags glue)');
  assert.equal(run((rt) => rt.setStatusFlags(ZF)), 1, 'CF clear: fall through');
  // other: after mov ebx,0 (5) int (2) jc (2) mov ebx,1 (5) hlt (1) mov ebx,2 (5) hlt (1) = 21
  assert.equal(run((rt) => rt.setEip(CODE_BASE + 21)), 3, 'setEip redirects the next run');
});

test("a MIPS breakpoint on a block's first word sees every entry, chained ones included", { skip }, () => {
  // f is called 5 times; from the 3rd call on, the loop's call is chained through its delay slot.
  const source = '.intel_syntax noprefix\n.globl _start\n_start:\n mov ecx, 5\n mov esi, 0\nL:\n call f\n mov eax, 0\n int 0x80\n dec ecx\n jnz L\n hlt\nf:\n add esi, 7\n ret\n';
  const [code] = assemble([source]);
  const rt = new UkcfRuntime(guestMemory(code, 1), CODE_BASE);
  rt.setGuestRegister(4, STACK_TOP);
  for (let i = 0; i < 2; i++) assert.equal(rt.run(100_000).kind, 'syscall');
  const f = CODE_BASE + 10 + 5 + 5 + 2 + 1 + 2 + 1; // after mov, mov, call, mov, int, dec, jnz, hlt
  assert.ok(rt.codeCacheBlocks().some((b) => b.exits.some((e) => e.delayCopy && e.target === f)), 'the call is chained through the delay slot');
  const host = rt.translationOf(f)[0].instructions[0].host;
  rt.cpu.addBreakpoint(host);
  let hits = 0;
  let stop;
  for (;;) {
    stop = rt.run(100_000);
    if (stop.kind === 'syscall') continue;
    if (stop.kind !== 'breakpoint') break;
    assert.equal(stop.pc, host);
    assert.equal(hex(rt.guestEipAt(stop.pc)), hex(f));
    hits++;
  }
  assert.equal(stop.kind, 'fault');
  assert.equal(rt.guestRegisters()[6], 35);
  assert.equal(hits, 3, 'calls 3, 4 and 5 stop at the breakpoint');
  assert.ok(rt.codeCacheBlocks().every((b) => b.exits.every((e) => !e.delayCopy)), 'chains made plain');
});
