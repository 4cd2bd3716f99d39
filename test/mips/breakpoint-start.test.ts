// run() starting on a breakpoint steps off it (as documented), also when the compiled block at that
// pc needs more instructions than the budget: the rest then runs interpreted, exactly to the limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PagedMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../emulator/machine/paged-memory';
import { MipsCpu } from '../../emulator/mips/cpu';
import { GPR, MipsAssembler } from '../../emulator/mips/encoder';

const CODE = 0x00400000;

function loopProgram(): Uint32Array {
  // t0 counts down from 1000 in a 12-instruction loop body (a compiled block longer than the budgets below).
  const asm = new MipsAssembler(CODE);
  asm.li(GPR.t0, 1000);
  const top = asm.newLabel('top');
  asm.bind(top);
  for (let i = 0; i < 9; i++) asm.addiu(GPR.t1, GPR.t1, 1);
  asm.addiu(GPR.t0, GPR.t0, -1);
  asm.bne(GPR.t0, GPR.zero, top);
  asm.nop();
  asm.break(0);
  return asm.finish().words;
}

test('block compiler: run() from a breakpointed pc whose block exceeds the budget ends at the limit, same as the interpreter', () => {
  const results = [false, true].map((blockCompiler) => {
    const memory = new PagedMemory();
    memory.map(CODE, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC);
    const words = loopProgram();
    memory.writeBytes(CODE, new Uint8Array(words.buffer));
    const cpu = new MipsCpu(memory, { exceptionsToHost: true, blockCompiler, userMode: true, compileThreshold: 1 });
    cpu.pc = CODE;
    // Warm the loop so its block is compiled, then sit on a breakpoint at the loop head.
    cpu.run(200);
    const head = CODE + 4; // `li` of a small constant is one instruction
    cpu.addBreakpoint(head);
    const first = cpu.run(1_000_000);
    assert.deepEqual(first, { kind: 'breakpoint', pc: head });
    const counts: number[] = [];
    for (const budget of [5, 3, 11]) {
      const before = cpu.instructionCount;
      const stop = cpu.run(budget);
      counts.push(cpu.instructionCount - before, cpu.pc);
      if (stop.kind === 'breakpoint') assert.equal(stop.pc, head);
      else assert.equal(stop.kind, 'limit');
      cpu.pc = head; // back onto the breakpoint: the next run starts on it again
    }
    return { counts, t1: cpu.regs[GPR.t1] };
  });
  assert.deepEqual(results[1], results[0]);
  assert.deepEqual(results[0].counts.filter((_, i) => i % 2 === 0), [5, 3, 11]);
});
