// Interpreter vs block compiler on generated programs (fixed seed): random words drawn from THE
// table's rows (any field values outside the fixed bits), with branch and jump targets kept mostly
// inside the program, loads and stores through bases that point at data, at the code itself
// (self-modifying code) or nowhere (faults). Programs run in exceptionsToHost mode; every exception
// is logged and skipped the way a host would, backward branches make loops, and the instruction
// budget is split into random chunks for the compiled run. Registers, HI/LO, memory, exceptions,
// instruction counts and region counts must be identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PagedMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../emulator/machine/paged-memory';
import { MipsCpu } from '../../emulator/mips/cpu';
import { MIPS_TABLE, MipsClass } from '../../emulator/mips/table';
import { prng } from '../fixed-seed-random';

const CODE = 0x00400000;
const DATA = 0x10000000;
const rows = MIPS_TABLE.filter((r) => !(r.flags & (MipsClass.ALIAS | MipsClass.CATCH_ALL)) && r.op !== 'sdbbp' && r.op !== 'wait');
const common = rows.filter((r) => !(r.flags & (MipsClass.PRIVILEGED | MipsClass.COP1 | MipsClass.COP2 | MipsClass.EXCEPTION)));

function generate(rnd: () => number, length: number): Uint32Array {
  const words = new Uint32Array(length);
  for (let i = 0; i < length; i++) {
    // Mostly ordinary instructions; now and then privileged, FPU, syscall/break or a raw word.
    const pick = rnd() % 100;
    if (pick < 2) {
      words[i] = rnd();
      continue;
    }
    const pool = pick < 6 ? rows : common;
    const row = pool[rnd() % pool.length];
    let w = (row.match | (rnd() & ~row.execMask)) >>> 0;
    if (rnd() % 4 !== 0) w = (row.match | (w & ~row.mask)) >>> 0; // usually strict encodings
    const fl = row.flags;
    if (fl & (MipsClass.LOAD | MipsClass.STORE) || row.op === 'pref' || row.op === 'cache' || row.op === 'synci') {
      const base = [28, 28, 28, 27, 26][rnd() % 5]; // data, data, data, code, nowhere
      let off = rnd() % 4096;
      if (rnd() % 8 !== 0) off &= ~3; // mostly aligned
      w = ((w & ~(0x1f << 21) & ~0xffff) | (base << 21) | off) >>> 0;
    }
    if (fl & MipsClass.BRANCH) {
      // Forward mostly; backward sometimes (loops, cut by the instruction budget).
      const delta = rnd() % 5 === 0 ? -(1 + (rnd() % 12)) : 1 + (rnd() % 12);
      w = ((w & ~0xffff) | (delta & 0xffff)) >>> 0;
    }
    if ((fl & MipsClass.JUMP) && !(fl & MipsClass.INDIRECT)) {
      const target = CODE + 4 * (rnd() % length);
      w = ((w & 0xfc000000) | ((target >>> 2) & 0x3ffffff)) >>> 0;
    }
    if (fl & MipsClass.INDIRECT) w = ((w & ~(0x1f << 21)) | ((rnd() % 3 === 0 ? 31 : 25) << 21)) >>> 0; // ra, or t9 (set to code)
    words[i] = w;
  }
  return words;
}

interface Result {
  regs: number[];
  hi: number;
  lo: number;
  pc: number;
  count: number;
  regionCounts: number[];
  log: string[];
  data: Uint8Array;
  code: Uint8Array;
}

/** One memory and CPU per engine, reused across programs (a CPU's page tables are large). */
class Engine {
  readonly memory = new PagedMemory();
  readonly cpu: MipsCpu;
  constructor(blockCompiler: boolean, compileThreshold = 1) {
    this.cpu = new MipsCpu(this.memory, { exceptionsToHost: true, blockCompiler, userMode: true, compileThreshold });
  }
}

function execute(engine: Engine, words: Uint32Array, seedRegs: Int32Array, limit: number, chunk: () => number): Result {
  const { memory, cpu } = engine;
  memory.unmap(CODE, 0x1000);
  memory.unmap(DATA, 0x1000);
  memory.map(CODE, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC);
  memory.map(DATA, 0x1000, PROT_READ | PROT_WRITE);
  const bytes = new Uint8Array(words.buffer.slice(0));
  memory.poke(CODE, bytes);
  const dataInit = new Uint8Array(0x1000);
  for (let i = 0; i < dataInit.length; i++) dataInit[i] = (i * 37 + 11) & 0xff;
  memory.poke(DATA, dataInit);
  cpu.instructionCount = 0;
  cpu.hi = cpu.lo = 0;
  cpu.inDelaySlot = false;
  cpu.llBit = false;
  cpu.regions.clear();
  cpu.regions.add('first-half', CODE, CODE + 2 * words.length);
  cpu.regions.add('second-half', CODE + 2 * words.length, CODE + 0x1000);
  cpu.regs.set(seedRegs);
  cpu.regs[0] = 0;
  cpu.regs[28] = DATA;
  cpu.regs[27] = CODE;
  cpu.regs[26] = 0x20000000; // unmapped
  cpu.regs[25] = CODE + 64;
  cpu.regs[31] = CODE + 128;
  cpu.pc = CODE;
  const log: string[] = [];
  let iterations = 0;
  while (cpu.instructionCount < limit) {
    if (++iterations > 100000) throw new Error(`no progress at ${cpu.pc.toString(16)} count ${cpu.instructionCount}`);
    const stop = cpu.run(Math.min(chunk(), limit - cpu.instructionCount));
    if (stop.kind === 'limit') continue;
    if (stop.kind !== 'exception') {
      log.push(stop.kind);
      break;
    }
    log.push(`${stop.name}@${stop.pc.toString(16)}${stop.inDelaySlot ? 'd' : ''}:${(stop.badVAddr ?? 0).toString(16)}:${cpu.instructionCount}`);
    // A fetch fault (pc left the program) ends the run; anything else is skipped like a host would.
    if (stop.badVAddr === stop.pc && (stop.name === 'TLBL' || stop.name === 'AdEL')) break;
    cpu.skipInstruction();
  }
  return {
    regs: Array.from(cpu.regs),
    hi: cpu.hi,
    lo: cpu.lo,
    pc: cpu.pc,
    count: cpu.instructionCount,
    regionCounts: Array.from(cpu.regions.counts.subarray(0, 3)),
    log,
    data: memory.readBytes(DATA, 0x1000),
    code: memory.readBytes(CODE, 0x1000),
  };
}

test('interpreter and block compiler agree on 400 generated programs', () => {
  const rnd = prng(20261125);
  const interpreter = new Engine(false);
  // Code compiled at first sight, and compiled once warm (cold code interpreted up to each branch).
  const compilers = [new Engine(true, 1), new Engine(true, 3)];
  let totalInstructions = 0;
  let totalExceptions = 0;
  for (let p = 0; p < 400; p++) {
    const words = generate(rnd, 64 + (rnd() % 400));
    const regs = new Int32Array(32);
    for (let i = 1; i < 32; i++) regs[i] = rnd() % 3 === 0 ? (rnd() % 64) - 32 : rnd() | 0;
    const limit = 2000 + (rnd() % 6000);
    const chunkSeed = rnd();
    const a = execute(interpreter, words, regs, limit, () => 1_000_000);
    const crnd = prng(chunkSeed);
    const b = execute(compilers[p % 2], words, regs, limit, () => 1 + (crnd() % 700));
    const where = `program ${p}`;
    assert.deepEqual(b.log, a.log, `${where}: exceptions`);
    assert.deepEqual(b.regs, a.regs, `${where}: registers`);
    assert.equal(b.hi, a.hi, `${where}: hi`);
    assert.equal(b.lo, a.lo, `${where}: lo`);
    assert.equal(b.pc, a.pc, `${where}: pc`);
    assert.equal(b.count, a.count, `${where}: instruction count`);
    assert.deepEqual(b.regionCounts, a.regionCounts, `${where}: region counts`);
    assert.equal(a.regionCounts.reduce((x, y) => x + y, 0), a.count, `${where}: region counts add up`);
    assert.deepEqual(b.data, a.data, `${where}: data memory`);
    assert.deepEqual(b.code, a.code, `${where}: code memory`);
    totalInstructions += a.count;
    totalExceptions += a.log.length;
  }
  assert.ok(totalInstructions > 100_000, `only ${totalInstructions} instructions ran`);
  assert.ok(totalExceptions > 1000, `only ${totalExceptions} exceptions`);
});
