// The block compiler on compiler-generated loop nests (bench/programs/mips-cpu-mix: a sieve, CRC,
// a matrix product, an insertion sort, all inlined into one function by gcc -O2): loops become
// JavaScript loops, groups entered in the middle of a loop get re-rooted copies, and the budget is
// checked only at loop headers. Against the interpreter, over the same sequence of run() calls with
// budgets drawn at random (fixed seed), region boundaries placed inside the loops, and breakpoints
// set and removed at random times on loop addresses: every stop must have the same reason, PC,
// registers, HI/LO, instruction count and region counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadFreestanding } from './freestanding';
import { prng } from '../fixed-seed-random';
import type { MipsCpu, MipsStopReason } from '../../emulator/mips/cpu';

const PROGRAM = join(__dirname, '..', '..', 'bench', 'programs', 'mips-cpu-mix.mipsel');
const TEXT_START = 0x400110;
const TEXT_END = 0x400560;

function state(cpu: MipsCpu, stop: MipsStopReason): string {
  return JSON.stringify({
    stop,
    pc: cpu.pc,
    delay: cpu.inDelaySlot,
    regs: Array.from(cpu.regs),
    hi: cpu.hi,
    lo: cpu.lo,
    count: cpu.instructionCount,
    regions: Array.from(cpu.regions.counts.subarray(0, 4)),
  });
}

function check(seed: number, cuts: number[], total: number): { stops: number; breakpointStops: number; compiled: number } {
  const rnd = prng(seed);
  const interp = loadFreestanding(PROGRAM, false).cpu;
  const compiled = loadFreestanding(PROGRAM, true).cpu;
  for (const cpu of [interp, compiled]) {
    cpu.regions.add('first', TEXT_START, cuts[0]);
    cpu.regions.add('second', cuts[0], cuts[1]);
    cpu.regions.add('third', cuts[1], TEXT_END);
  }
  let stops = 0;
  let breakpointStops = 0;
  while (interp.instructionCount < total) {
    // Now and then a breakpoint on a random instruction of the program (mostly loops), or none.
    if (rnd() % 16 === 0) {
      const bp = TEXT_START + 4 * (rnd() % ((TEXT_END - TEXT_START) / 4));
      for (const cpu of [interp, compiled]) cpu.addBreakpoint(bp);
    } else if (rnd() % 4 === 0) for (const cpu of [interp, compiled]) cpu.clearBreakpoints();
    const budget = rnd() % 3 === 0 ? 1 + (rnd() % 40) : 1 + (rnd() % 300000);
    const a = interp.run(budget);
    const b = compiled.run(budget);
    stops++;
    if (a.kind === 'breakpoint') breakpointStops++;
    assert.equal(state(compiled, b), state(interp, a), `stop ${stops} (budget ${budget})`);
    if (a.kind !== 'limit' && a.kind !== 'breakpoint') assert.fail(`unexpected stop ${JSON.stringify(a)}`);
  }
  return { stops, breakpointStops, compiled: compiled.blocks.compiledCount };
}

test('compiled loop nests stop exactly where the interpreter does (budgets, regions cutting loops, breakpoints)', () => {
  // Region boundaries inside the sieve's loops and inside the insertion sort's inner loop.
  const a = check(20261125, [0x400240, 0x400450], 3_000_000);
  const b = check(7, [0x4002c0, 0x4003b0], 3_000_000);
  console.log(`compiled-loops: ${a.stops + b.stops} stops compared, ${a.breakpointStops + b.breakpointStops} at breakpoints, ${a.compiled + b.compiled} groups compiled`);
  assert.ok(a.breakpointStops > 0 && b.breakpointStops > 0, 'breakpoints were hit');
  assert.ok(a.compiled > 0 && b.compiled > 0, 'the block compiler ran');
});
