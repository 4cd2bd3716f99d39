// What a write to a page holding compiled code, and a breakpoint, cost the block compiler: only
// the code compiled from the written bytes (or holding the breakpoint's address) is dropped; other
// groups on the same page stay compiled. Checked on two loops that the compiler makes into separate
// groups in one page: compile counts show what was recompiled, and every run's registers and
// instruction count must equal the interpreter's on the same memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PagedMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../emulator/machine/paged-memory';
import { MipsCpu } from '../../emulator/mips/cpu';
import { encodeInstruction, GPR, MipsAssembler } from '../../emulator/mips/encoder';

const CODE = 0x00400000;
const LOOP_A = CODE;
const LOOP_B = CODE + 0x200;
/** A word of the page outside both loops. */
const SPARE = CODE + 0x800;

/** `li counter, n; loop: addiu acc, acc, step; addiu counter, counter, -1; bne counter, zero, loop; nop; break`. */
function loop(origin: number, counter: number, acc: number, n: number, step: number): { words: Uint32Array; add: number } {
  const asm = new MipsAssembler(origin);
  asm.li(counter, n);
  const top = asm.newLabel('top');
  asm.bind(top);
  const add = asm.addiu(acc, acc, step);
  asm.addiu(counter, counter, -1);
  asm.bne(counter, GPR.zero, top);
  asm.nop();
  asm.break(0);
  return { words: asm.finish().words, add };
}

function machine(blockCompiler: boolean): { cpu: MipsCpu; memory: PagedMemory; addA: number; addB: number } {
  const memory = new PagedMemory();
  memory.map(CODE, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC);
  const a = loop(LOOP_A, GPR.t0, GPR.t1, 300, 1);
  const b = loop(LOOP_B, GPR.t2, GPR.t3, 200, 3);
  memory.writeBytes(LOOP_A, new Uint8Array(a.words.buffer));
  memory.writeBytes(LOOP_B, new Uint8Array(b.words.buffer));
  const cpu = new MipsCpu(memory, { exceptionsToHost: true, blockCompiler, userMode: true, compileThreshold: 1 });
  return { cpu, memory, addA: a.add, addB: b.add };
}

/** Runs one loop from its start to its `break` (or a breakpoint); returns what the run did. */
function runFrom(cpu: MipsCpu, start: number): string {
  cpu.pc = start;
  cpu.inDelaySlot = false;
  const before = cpu.instructionCount;
  const stop = cpu.run(1_000_000);
  return JSON.stringify({ stop: stop.kind === 'exception' ? stop.name : stop, pc: cpu.pc, regs: Array.from(cpu.regs), count: cpu.instructionCount - before });
}

function poke(memory: PagedMemory, address: number, word: number): void {
  memory.poke(address, new Uint8Array(Uint32Array.of(word).buffer));
}

test('block compiler: a write to a code page drops only the groups compiled from the written bytes', () => {
  const compiled = machine(true);
  const interp = machine(false);
  const both = (f: (m: ReturnType<typeof machine>) => string): string => {
    const r = f(compiled);
    assert.equal(r, f(interp));
    return r;
  };
  const blocks = compiled.cpu.blocks;
  both((m) => runFrom(m.cpu, LOOP_A));
  both((m) => runFrom(m.cpu, LOOP_B));
  const afterFirst = blocks.compiledCount;
  assert.ok(afterFirst >= 2, 'both loops were compiled');
  both((m) => runFrom(m.cpu, LOOP_A));
  both((m) => runFrom(m.cpu, LOOP_B));
  assert.equal(blocks.compiledCount, afterFirst, 'compiled code is reused');

  // A word outside both loops: nothing is recompiled.
  for (const m of [compiled, interp]) poke(m.memory, SPARE, encodeInstruction('addiu', [GPR.t4, GPR.t4, 1], SPARE));
  both((m) => runFrom(m.cpu, LOOP_A));
  both((m) => runFrom(m.cpu, LOOP_B));
  assert.equal(blocks.compiledCount, afterFirst, 'a write next to compiled code keeps it');

  // Loop A's add now adds 5: loop B stays compiled, loop A runs the new code.
  for (const m of [compiled, interp]) poke(m.memory, m.addA, encodeInstruction('addiu', [GPR.t1, GPR.t1, 5], m.addA));
  both((m) => runFrom(m.cpu, LOOP_B));
  assert.equal(blocks.compiledCount, afterFirst, 'loop B was not recompiled');
  const t1 = compiled.cpu.regs[GPR.t1];
  both((m) => runFrom(m.cpu, LOOP_A));
  assert.equal(compiled.cpu.regs[GPR.t1] - t1, 5 * 300, 'loop A runs its new code');
  assert.ok(blocks.compiledCount > afterFirst, 'loop A was recompiled');

  // The same through a guest store (the CPU's slow store path): loop B's add becomes 7.
  for (const m of [compiled, interp]) {
    const storer = new MipsAssembler(SPARE);
    storer.li(GPR.a0, m.addB);
    storer.li(GPR.a1, encodeInstruction('addiu', [GPR.t3, GPR.t3, 7], m.addB) | 0);
    storer.sw(GPR.a1, 0, GPR.a0);
    storer.break(0);
    m.memory.writeBytes(SPARE, new Uint8Array(storer.finish().words.buffer));
  }
  both((m) => runFrom(m.cpu, SPARE));
  const beforeA = blocks.compiledCount;
  both((m) => runFrom(m.cpu, LOOP_A));
  assert.equal(blocks.compiledCount, beforeA, 'loop A was not recompiled after a store into loop B');
  const t3 = compiled.cpu.regs[GPR.t3];
  both((m) => runFrom(m.cpu, LOOP_B));
  assert.equal(compiled.cpu.regs[GPR.t3] - t3, 7 * 200, 'loop B runs its new code');
});

test('block compiler: a breakpoint drops only the code holding its address, and a run counts the same with and without it', () => {
  const compiled = machine(true);
  const interp = machine(false);
  const blocks = compiled.cpu.blocks;
  const plain = [runFrom(compiled.cpu, LOOP_A), runFrom(compiled.cpu, LOOP_B)];
  assert.deepEqual(plain, [runFrom(interp.cpu, LOOP_A), runFrom(interp.cpu, LOOP_B)]);
  const afterFirst = blocks.compiledCount;

  // A breakpoint inside loop B: loop A stays compiled.
  for (const m of [compiled, interp]) m.cpu.addBreakpoint(m.addB);
  assert.equal(runFrom(compiled.cpu, LOOP_A), runFrom(interp.cpu, LOOP_A));
  assert.equal(blocks.compiledCount, afterFirst, 'loop A was not recompiled for a breakpoint in loop B');
  // Loop B stops at the breakpoint every iteration, exactly where the interpreter does.
  for (const m of [compiled, interp]) m.cpu.pc = LOOP_B;
  let hits = 0;
  for (;;) {
    const c = compiled.cpu.run(1_000_000);
    const i = interp.cpu.run(1_000_000);
    assert.deepEqual(c, i);
    assert.equal(compiled.cpu.instructionCount, interp.cpu.instructionCount);
    if (c.kind !== 'breakpoint') break;
    hits++;
  }
  assert.ok(hits >= 200, `the breakpoint was hit on every iteration (${hits})`);

  // Without it again: the same runs count the same as before it was set.
  for (const m of [compiled, interp]) {
    m.cpu.removeBreakpoint(m.addB);
    m.cpu.regs.fill(0);
  }
  const again = [runFrom(compiled.cpu, LOOP_A), runFrom(compiled.cpu, LOOP_B)];
  assert.deepEqual(again, plain);
});
