// Self-modifying code at page granularity: a store into one translated page invalidates only the
// blocks of that page (others stay translated and chained), and a store made by a block's exit (a
// call pushing its return address onto a code page) is handled. Oracle: the reference X86Cpu,
// which sees its own stores; lockstep compares every block boundary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X86Cpu } from '../../emulator/x86/cpu';
import { UkcfRuntime, type UkcfEvent, type UkcfStop } from '../../emulator/ukcf/translated-process';
import { assemble, CODE_BASE, guestMemory, haveBinutils, STACK_TOP } from './program-generator';

const skip = haveBinutils() ? false : 'i686-linux-gnu binutils not installed';
const hex = (n: number) => '0x' + (n >>> 0).toString(16);

const PAGES = `.intel_syntax noprefix
.globl _start
_start:
 mov ecx, 3
 mov edx, 0
loop:
 call f
 add edx, eax
 call g
 add edx, eax
 mov byte ptr [g + 1], cl
 dec ecx
 jnz loop
 hlt
.align 4096
f:
 mov eax, 100
 ret
.align 4096
g:
 mov eax, 1000
 ret
`;

const EXIT_STORE = `.intel_syntax noprefix
.globl _start
_start:
 mov esp, offset top
 mov eax, 1
 call f
 add eax, 2
 hlt
f:
 add eax, 10
 ret
 .skip 64
top:
`;

function runBoth(code: Uint8Array, lockstep: boolean): { rt: UkcfRuntime; events: UkcfEvent[]; stop: UkcfStop } {
  const ref = new X86Cpu(guestMemory(code, 1, true));
  ref.eip = CODE_BASE;
  ref.regs[4] = STACK_TOP;
  const events: UkcfEvent[] = [];
  const rt = new UkcfRuntime(guestMemory(code, 1, true), CODE_BASE, { lockstep, onEvent: (e) => events.push(e) });
  rt.setGuestRegister(4, STACK_TOP);
  let stop: UkcfStop;
  for (;;) {
    stop = rt.run(1_000_000);
    if (stop.kind !== 'boundary') break;
    assert.equal(ref.run(stop.guestInstructions).kind, 'limit');
    assert.equal(hex(stop.eip), hex(ref.eip));
    assert.deepEqual([...rt.guestRegisters()].map(hex), [...ref.regs].map(hex), `at ${hex(stop.eip)}`);
  }
  assert.equal(stop.kind, 'fault', JSON.stringify(stop));
  assert.equal(ref.run(1_000_000).kind, 'halt');
  assert.equal(hex(stop.kind === 'fault' ? stop.eip : 0), hex(ref.eip - 1));
  assert.deepEqual([...rt.guestRegisters()].map(hex), [...ref.regs].map(hex), 'final registers');
  return { rt, events, stop };
}

test('a store into one code page invalidates the blocks of that page only', { skip }, () => {
  const [code] = assemble([PAGES]);
  const gPage = (CODE_BASE >>> 12) + 2;
  const g = gPage << 12;
  const f = (CODE_BASE >>> 12) + 1 << 12;
  for (const lockstep of [false, true]) {
    const { rt, events } = runBoth(code, lockstep);
    const translated = (eip: number) => events.filter((e) => e.kind === 'block-translated' && e.eip === eip).length;
    const smc = events.filter((e) => e.kind === 'smc-flush');
    assert.equal(smc.length, 3, 'one invalidation per patch');
    for (const e of smc) {
      assert.ok(e.kind === 'smc-flush');
      assert.equal(e.page, gPage);
      assert.deepEqual(e.eips, [g]);
    }
    assert.equal(translated(g), 3, 'g retranslated after each patch but the last');
    assert.equal(translated(f), 1, 'f (another page) stays translated');
    assert.equal(translated(CODE_BASE), 1, 'the storing code (another page) stays translated');
    assert.equal(rt.guestRegisters()[2], 3 * 100 + 1000 + 0x303 + 0x302, 'edx: f three times, g with the low byte of its immediate patched');
    if (!lockstep) {
      assert.ok(events.some((e) => e.kind === 'chain-unpatched' && e.to === g), 'the chain into g was undone');
      const live = rt.codeCacheBlocks().filter((b) => b.state === 'live').map((b) => b.eip);
      assert.ok(live.includes(f) && live.includes(CODE_BASE));
    }
  }
});

test('a store by a block exit (call pushing onto a code page) resumes correctly', { skip }, () => {
  const [code] = assemble([EXIT_STORE]);
  for (const lockstep of [false, true]) {
    const { rt, events } = runBoth(code, lockstep);
    assert.equal(rt.guestRegisters()[0], 13);
    assert.ok(events.some((e) => e.kind === 'smc-flush' && e.page === CODE_BASE >>> 12), 'the push was noticed');
  }
});

// A store to the block's own page but not into the rest of the block: the block goes on with its
// own code (here a sete reading flags whose kind the old code knew only statically).
const ELSEWHERE = `.intel_syntax noprefix
.globl _start
_start:
 mov eax, 5
 mov ebx, 5
 mov ecx, 0
 mov edx, 0
 jmp body
body:
 cmp eax, ebx
 mov byte ptr [scratch], 1
 sete cl
 add edx, 1
 jmp done
done:
 hlt
scratch:
 .byte 0
`;

test('a store elsewhere on a code page lets the running block go on (flags read after it stay exact)', { skip }, () => {
  const [code] = assemble([ELSEWHERE]);
  for (const lockstep of [false, true]) {
    const { rt, events } = runBoth(code, lockstep);
    assert.equal(rt.guestRegisters()[1], 1, 'sete saw ZF from the cmp');
    assert.ok(events.some((e) => e.kind === 'smc-flush'), 'the store was noticed');
    assert.ok(rt.smcContinued > 0, 'the block went on past its trap');
  }
});
