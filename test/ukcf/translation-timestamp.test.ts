// rdtsc translated: EDX:EAX = the simulated time of the translated run — the MIPS CPU's cycles (host
// instructions plus idle cycles) at the time-stamp hypercall — not the guest instruction count the
// reference interpreter returns. Deterministic (the same run gives the same values), monotonic, and
// exactly the host instructions in between (rdtsc; mov; mov; rdtsc: three — two moves and the hypercall).
// A translator without the hypercall (the kernel-space one) cuts the block before rdtsc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UkcfRuntime } from '../../emulator/ukcf/translated-process';
import { buildBlock } from '../../emulator/ukcf/x86-front-end';
import { emitBlock } from '../../emulator/ukcf/mips-back-end';
import { assemble, CODE_BASE, guestMemory, haveBinutils, STACK_TOP } from './program-generator';

const skip = haveBinutils() ? false : 'i686-linux-gnu binutils not installed';

const SOURCE = [
  '.intel_syntax noprefix', '.globl _start', '_start:',
  ' rdtsc', ' mov esi, eax', ' mov edi, edx',
  ' rdtsc', ' mov ebx, eax', // adjacent to the first: one host instruction later (after two moves)
  ' mov ecx, 1000', '1: dec ecx', ' jnz 1b', // a loop: many host instructions
  ' rdtsc', ' hlt', '',
].join('\n');

function run(code: Uint8Array, lockstep: boolean): { regs: Int32Array; end: number } {
  const rt = new UkcfRuntime(guestMemory(code, 1), CODE_BASE, { lockstep });
  rt.setGuestRegister(4, STACK_TOP);
  for (;;) {
    const stop = rt.run(1_000_000);
    if (stop.kind === 'boundary') continue;
    assert.equal(stop.kind, 'fault', JSON.stringify(stop)); // the hlt
    return { regs: rt.guestRegisters(), end: rt.cpu.cycles };
  }
}

test('rdtsc reads the simulated time: deterministic, monotonic, the host instructions in between', { skip }, () => {
  const [code] = assemble([SOURCE]);
  for (const lockstep of [false, true]) {
    const a = run(code, lockstep);
    const b = run(code, lockstep);
    assert.deepEqual([...a.regs], [...b.regs], 'the same run gives the same values');
    const [eax, , edx, ebx, , , esi, edi] = a.regs;
    assert.equal(edx, 0);
    assert.equal(edi, 0);
    assert.ok(esi > 0, 'the first read counts the host instructions before it');
    // Between the first two reads: the two moves (one host instruction each) and the hypercall.
    assert.equal(ebx - esi, 3, `lockstep ${lockstep}`);
    assert.ok(eax - ebx > 2000, `the loop's host instructions (${eax - ebx})`);
    assert.ok(eax < a.end, 'earlier than the end of the run');
    console.log(`rdtsc (lockstep ${lockstep}): ${esi}, ${ebx}, ${eax}; run ended at cycle ${a.end}`);
  }
});

test('rdtsc without the time-stamp hypercall (kernel-space translator options): the block is cut before it', { skip }, () => {
  const [code] = assemble(['.intel_syntax noprefix\n.globl _start\n_start:\n mov eax, 1\n rdtsc\n hlt\n']);
  const ir = buildBlock({ read8: (a) => code[a - CODE_BASE] ?? 0 }, CODE_BASE);
  assert.equal(ir.ops.length, 2, 'rdtsc is translated by the front end');
  const withIt = emitBlock(ir, 0x10000, { lockstep: false, dispatch: 0x20000, materializeFlags: 0x30000, timeStamp: true });
  const without = emitBlock(ir, 0x10000, { lockstep: false, dispatch: 0x20000, materializeFlags: 0x30000 });
  assert.equal(withIt.guestMap.length, 3);
  assert.equal(without.guestMap.length, 2, 'mov, then the untranslated stop at rdtsc');
  assert.equal(without.guestMap[1].eip, CODE_BASE + 5);
});
