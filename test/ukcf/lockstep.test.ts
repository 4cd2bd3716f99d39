// Lockstep: generated programs (fixed seed) run translated (MIPS code in the code cache, executed by
// the MIPS simulator) and on the reference X86Cpu side by side; guest registers, eip and the defined
// status flags are compared at every block boundary, data memory and stack at the end. Also: the
// chained (non-lockstep) run reaches the same final state with a deterministic host instruction count,
// also with a tiny code cache that forces evictions (partial flushes with chains into dropped blocks undone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PagedMemory } from '../../emulator/machine/paged-memory';
import { X86Cpu } from '../../emulator/x86/cpu';
import { AF, CF, OF, STATUS_FLAGS } from '../../emulator/x86/table';
import { UkcfRuntime, type UkcfStop } from '../../emulator/ukcf/translated-process';
import { assemble, CODE_BASE, DATA_BASE, DATA_BYTES, fakeSystemCall, generateProgram, guestMemory, haveBinutils, STACK_TOP } from './program-generator';

// Few long programs: building a CPU and its page tables costs more than running a program.
const PROGRAMS = 14;
const SEGMENTS = 70;
const SEED = 0x5eed1234;

function makeMemory(code: Uint8Array, seed: number, writableCode = false): PagedMemory {
  return guestMemory(code, seed, writableCode);
}

function reference(code: Uint8Array, seed: number, writableCode = false): X86Cpu {
  const cpu = new X86Cpu(makeMemory(code, seed, writableCode));
  cpu.eip = CODE_BASE;
  cpu.regs[4] = STACK_TOP;
  return cpu;
}

function translated(code: Uint8Array, seed: number, options: { lockstep: boolean; cacheBytes?: number }, writableCode = false): UkcfRuntime {
  const rt = new UkcfRuntime(makeMemory(code, seed, writableCode), CODE_BASE, options);
  rt.setGuestRegister(4, STACK_TOP);
  return rt;
}

/** Flags defined after the last producer (the translated side's lazy kind tells which it was). */
function definedMask(rt: UkcfRuntime): number {
  const lf = rt.lazyFlags();
  const op = lf[0] >>> 3;
  if (op === 0) return CF | OF; // imul: SF ZF AF PF undefined
  if (op === 5) return STATUS_FLAGS & ~AF; // logic: AF undefined
  if (op >= 8) return STATUS_FLAGS & ~AF & ~(lf[3] === 1 ? 0 : OF); // shifts: AF undefined, OF for counts > 1
  return STATUS_FLAGS;
}

const hex = (n: number) => '0x' + (n >>> 0).toString(16);

/** hlt in user mode: the fault the reference process reports (SIGSEGV, general protection). */
function assertHlt(stop: UkcfStop, where: string): void {
  assert.equal(stop.kind, 'fault', `${where}: ${JSON.stringify(stop)}`);
  if (stop.kind !== 'fault') return;
  assert.equal(stop.fault, 'general-protection', stop.message);
  assert.equal(stop.signal, 11);
  assert.match(stop.message, /privileged instruction hlt at eip=0x[0-9a-f]{8}/);
}

function sameMemory(a: PagedMemory, b: PagedMemory): void {
  assert.deepEqual(a.readBytes(DATA_BASE, DATA_BYTES), b.readBytes(DATA_BASE, DATA_BYTES), 'data memory');
  assert.deepEqual(a.readBytes(STACK_TOP - 0x1000, 0x1000), b.readBytes(STACK_TOP - 0x1000, 0x1000), 'stack');
}

const skip = haveBinutils() ? false : 'i686-linux-gnu binutils not installed';
const programs = skip ? [] : assemble(Array.from({ length: PROGRAMS }, (_, i) => generateProgram(SEED + i, SEGMENTS)));

test('lockstep: translated blocks match the reference interpreter at every block boundary', { skip }, () => {
  let boundaries = 0;
  let guest = 0;
  for (let i = 0; i < programs.length; i++) {
    const ref = reference(programs[i], SEED + i);
    const rt = translated(programs[i], SEED + i, { lockstep: true, cacheBytes: 0x40000 });
    let stop: UkcfStop;
    for (;;) {
      stop = rt.run(1_000_000);
      if (stop.kind !== 'boundary') break;
      const r = ref.run(stop.guestInstructions);
      assert.equal(r.kind, 'limit', `program ${i}: reference stopped early: ${JSON.stringify(r)}`);
      boundaries++;
      guest += stop.guestInstructions;
      const where = `program ${i} (seed ${SEED + i}), boundary ${boundaries}, eip ${hex(stop.eip)}`;
      assert.equal(hex(ref.eip), hex(stop.eip), `${where}: eip`);
      assert.deepEqual([...rt.guestRegisters()].map(hex), [...ref.regs].map(hex), `${where}: registers`);
      const mask = definedMask(rt);
      assert.equal(hex(rt.statusFlags() & mask), hex(ref.statusFlags() & mask), `${where}: flags (mask ${hex(mask)})`);
    }
    // The program ends at hlt, privileged in user mode: a #GP fault (SIGSEGV) at its eip.
    assertHlt(stop, `program ${i}`);
    if (stop.kind !== 'fault') continue;
    assert.equal(hex(stop.eip), hex(ref.eip));
    sameMemory(rt.memory, ref.memory);
  }
  console.log(`lockstep: ${programs.length} programs, ${boundaries} block boundaries, ${guest} guest instructions compared`);
  assert.ok(boundaries > programs.length * 10);
});

test('chained run: same final state as the reference, deterministic host instruction counts, evictions', { skip }, () => {
  let hostTotal = 0;
  let glueTotal = 0;
  let guestTotal = 0;
  let evictions = 0;
  let unpatched = 0;
  for (let i = 0; i < programs.length; i++) {
    const ref = reference(programs[i], SEED + i);
    const r = ref.run(10_000_000);
    assert.equal(r.kind, 'halt', 'reference ends at hlt');
    const counts: number[] = [];
    for (const cacheBytes of [undefined, undefined, 0x2000]) {
      if (cacheBytes === undefined && counts.length === 1 && i % 4 !== 0) continue; // determinism rerun on every 4th
      const rt = translated(programs[i], SEED + i, { lockstep: false, cacheBytes });
      const stop = rt.run(10_000_000);
      assertHlt(stop, `program ${i}`);
      // The reference retires hlt (eip after it, one byte); the translated run stops before it.
      assert.equal(hex(stop.kind === 'fault' ? stop.eip : 0), hex(ref.eip - 1));
      assert.deepEqual([...rt.guestRegisters()].map(hex), [...ref.regs].map(hex), `program ${i}: registers`);
      sameMemory(rt.memory, ref.memory);
      counts.push(rt.cpu.instructionCount);
      assert.ok(rt.translatorCost > 0, 'translation work is charged to the modelled translator counter');
      if (cacheBytes === undefined) {
        assert.ok(rt.chainsPatched > 0 || rt.blocksTranslated < 3, 'direct exits get chained');
      } else {
        evictions += rt.evictions;
        unpatched += rt.chainsUnpatched;
        assert.equal(rt.flushes, 0, 'the tiny cache drops its oldest part, never everything');
      }
      if (counts.length === 1) {
        const c = rt.regionCounts();
        const parts = ['ukcf-app', 'ukcf-glue', 'ukcf-dispatch', 'ukcf-flags', 'ukcf-exit'];
        const total = parts.reduce((sum, p) => sum + (c[p] ?? 0), 0);
        hostTotal += total;
        glueTotal += total - c['ukcf-app'];
        assert.equal(total + (c['other'] ?? 0), rt.cpu.instructionCount, 'every host instruction is attributed');
        assert.equal(c['other'] ?? 0, 0);
      }
    }
    if (i % 4 === 0) assert.equal(counts[0], counts[1], `program ${i}: host instruction count is deterministic`);
    guestTotal += ref.instructionCount;
  }
  assert.ok(evictions > 0, 'the 8 KiB cache dropped blocks');
  assert.ok(unpatched > 0, 'chains into dropped blocks were undone');
  console.log(`chained: ${guestTotal} guest instructions, ${hostTotal} host instructions (${glueTotal} glue, exits and dispatch): ` +
    `${(hostTotal / guestTotal).toFixed(2)} host per guest; ${evictions} evictions, ${unpatched} chains undone with an 8 KiB cache`);
});

function runSource(source: string): { rt: UkcfRuntime; stop: UkcfStop; start: number } {
  const [code] = assemble([source]);
  const rt = translated(code, 1, { lockstep: false });
  return { rt, stop: rt.run(100_000), start: CODE_BASE };
}

test('a guest memory fault stops at the precise guest eip with the registers of that point', { skip }, () => {
  // mov eax,5 (5 bytes) ; add eax,1 (3) ; mov ebx,0x10 (5) ; mov ecx,[ebx] (2) faults at CODE_BASE+13
  const { rt, stop } = runSource('.intel_syntax noprefix\n.globl _start\n_start:\n mov eax, 5\n add eax, 1\n mov ebx, 0x10\n mov ecx, [ebx]\n hlt\n');
  assert.equal(stop.kind, 'fault', JSON.stringify(stop));
  assert.equal(hex(stop.kind === 'fault' ? stop.eip : 0), hex(CODE_BASE + 13));
  assert.equal(rt.guestRegisters()[0], 6);
  assert.equal(rt.guestRegisters()[3], 0x10);
});

test('an instruction outside the emulated set raises the reference interpreter\'s fault, never runs in TypeScript', { skip }, () => {
  const { rt, stop } = runSource('.intel_syntax noprefix\n.globl _start\n_start:\n mov eax, 7\n fld1\n hlt\n');
  assert.equal(stop.kind, 'fault', JSON.stringify(stop));
  if (stop.kind !== 'fault') return;
  // fld1 (x87) is outside the reference interpreter too: SIGILL with its message.
  assert.equal(stop.signal, 4);
  assert.equal(stop.message, 'unsupported instruction (bytes d9 e8: x87 is outside the emulated instruction set) at eip=0x00400005');
  assert.equal(hex(stop.eip), hex(CODE_BASE + 5));
  assert.equal(rt.guestRegisters()[0], 7, 'the instructions before it ran (translated)');
  // A flag reader whose producer is in an earlier block: the flags glue materializes them (je taken, ebx stays 0).
  const cross = runSource('.intel_syntax noprefix\n.globl _start\n_start:\n mov ebx, 0\n cmp eax, eax\n jmp 1f\n1: je 2f\n mov ebx, 1\n2: hlt\n');
  assertHlt(cross.stop, 'cross-block flags');
  assert.equal(cross.rt.guestRegisters()[3], 0);
});

test('self-modifying code: a store into translated code takes effect from the next guest instruction', { skip }, () => {
  const sources = [
    // Patches the immediate of an instruction later in the same block.
    '.intel_syntax noprefix\n.globl _start\n_start:\n mov eax, 1\n mov byte ptr [patched + 1], 42\npatched:\n mov ebx, 7\n add ebx, eax\n hlt\n',
    // Patches a function that was already translated (and chained to), in a loop.
    '.intel_syntax noprefix\n.globl _start\n_start:\n mov ecx, 4\n mov edx, 0\nloop:\n add edx, 1\n call f\n add edx, eax\n' +
      ' mov byte ptr [f + 1], cl\n add edx, 0\n dec ecx\n jnz loop\n hlt\nf:\n mov eax, 1000\n ret\n',
    // The store is the block's last instruction before its exit (resume at the jmp itself).
    '.intel_syntax noprefix\n.globl _start\n_start:\n mov eax, 3\n mov byte ptr [p + 1], 9\n jmp p\np:\n mov ebx, 1\n add ebx, eax\n hlt\n',
  ];
  const codes = assemble(sources);
  for (let i = 0; i < codes.length; i++) {
    const final = reference(codes[i], 1, true);
    assert.equal(final.run(100_000).kind, 'halt');
    for (const lockstep of [true, false]) {
      const ref = reference(codes[i], 1, true);
      const rt = translated(codes[i], 1, { lockstep }, true);
      let stop: UkcfStop;
      for (;;) {
        stop = rt.run(1_000_000);
        if (stop.kind !== 'boundary') break;
        assert.equal(ref.run(stop.guestInstructions).kind, 'limit');
        assert.equal(hex(ref.eip), hex(stop.eip));
        assert.deepEqual([...rt.guestRegisters()].map(hex), [...ref.regs].map(hex), `program ${i} at ${hex(stop.eip)}`);
      }
      assertHlt(stop, `program ${i}`);
      assert.deepEqual([...rt.guestRegisters()].map(hex), [...final.regs].map(hex), `program ${i} (lockstep ${lockstep}) final registers`);
      assert.ok(rt.smcFlushes > 0, 'the store was noticed');
    }
  }
});

test('system calls: int 0x80 stops both sides at the same point, in lockstep and chained', { skip }, () => {
  const withCalls = assemble(Array.from({ length: 4 }, (_, i) => generateProgram(SEED + 100 + i, 40, true)));
  let calls = 0;
  for (let i = 0; i < withCalls.length; i++) {
    const seed = SEED + 100 + i;
    const answer = (regs: Int32Array | number[]) => fakeSystemCall(regs[0], regs[3], regs[1]);
    // Chained: the reference to its end, answering each call; the translated run the same.
    const final = reference(withCalls[i], seed);
    const finalCalls: number[] = [];
    for (;;) {
      const r = final.run(10_000_000);
      if (r.kind !== 'syscall') break;
      finalCalls.push(final.eip);
      final.regs[0] = answer(final.regs);
    }
    const chained = translated(withCalls[i], seed, { lockstep: false });
    const chainedCalls: number[] = [];
    let stop: UkcfStop;
    for (;;) {
      stop = chained.run(10_000_000);
      if (stop.kind !== 'syscall') break;
      chainedCalls.push(stop.eip);
      chained.setGuestRegister(0, answer(chained.guestRegisters()));
    }
    assertHlt(stop, `program ${i}`);
    assert.deepEqual(chainedCalls.map(hex), finalCalls.map(hex), `program ${i}: the same calls at the same places`);
    assert.deepEqual([...chained.guestRegisters()].map(hex), [...final.regs].map(hex), `program ${i}: final registers`);
    sameMemory(chained.memory, final.memory);
    calls += chainedCalls.length;
    // Lockstep: a call ends a block; the stop says how many guest instructions ran (the int included).
    const ref = reference(withCalls[i], seed);
    const rt = translated(withCalls[i], seed, { lockstep: true, cacheBytes: 0x40000 });
    for (;;) {
      stop = rt.run(1_000_000);
      if (stop.kind !== 'boundary' && stop.kind !== 'syscall') break;
      const r = ref.run(stop.guestInstructions ?? -1);
      if (stop.kind === 'syscall') {
        assert.equal(r.kind, 'syscall', `program ${i}: the reference reaches the call too`);
        ref.regs[0] = answer(ref.regs);
        rt.setGuestRegister(0, answer(rt.guestRegisters()));
      } else assert.equal(r.kind, 'limit');
      assert.equal(hex(ref.eip), hex(stop.eip));
      assert.deepEqual([...rt.guestRegisters()].map(hex), [...ref.regs].map(hex), `program ${i} at ${hex(stop.eip)}`);
    }
    assertHlt(stop, `program ${i} (lockstep)`);
  }
  assert.ok(calls > 10, `${calls} system calls`);
});
