// The code cache under pressure: a tiny cache drops its oldest zone at a time; after every slice of
// the run the cache's structure is checked from host memory itself (every chained `j` goes to a live
// block, every unchained one to its own stub, stubs hold their target, lookup entries point at live
// blocks of that eip, no two blocks overlap), the final state matches the reference interpreter, and
// the events agree with the counters. Also: exact dynamic guest instruction counts from block entry
// counters (checked against the reference's retired count), and the cost of counting.
// Chained exits take the target's first word into their delay slot (checked from memory too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PagedMemory } from '../../emulator/machine/paged-memory';
import { X86Cpu } from '../../emulator/x86/cpu';
import { LOOKUP_TABLE_BASE, UkcfRuntime, type UkcfEvent, type UkcfOptions, type UkcfStop } from '../../emulator/ukcf/translated-process';
import { assemble, CODE_BASE, DATA_BASE, DATA_BYTES, generateProgram, guestMemory, haveBinutils, STACK_TOP } from './program-generator';

const skip = haveBinutils() ? false : 'i686-linux-gnu binutils not installed';
const SEED = 0x00cace00;
const hex = (n: number) => '0x' + (n >>> 0).toString(16);
const programs = skip ? [] : assemble(Array.from({ length: 6 }, (_, i) => generateProgram(SEED + i, 60)));

function reference(code: Uint8Array, seed: number): X86Cpu {
  const cpu = new X86Cpu(guestMemory(code, seed));
  cpu.eip = CODE_BASE;
  cpu.regs[4] = STACK_TOP;
  assert.equal(cpu.run(10_000_000).kind, 'halt');
  return cpu;
}

function jumpTarget(site: number, word: number): number {
  assert.equal(word >>> 26, 2, `j at ${hex(site)}`);
  return (((site + 4) & 0xf0000000) | ((word & 0x3ffffff) << 2)) >>> 0;
}

/** The cache's structure as host memory holds it. */
function checkCache(rt: UkcfRuntime, memory: PagedMemory, copies = true): number {
  const blocks = rt.codeCacheBlocks();
  const live = new Map<number, number>(); // host → eip
  for (const b of blocks) if (b.state === 'live') live.set(b.host, b.eip);
  let chained = 0;
  let previousEnd = 0;
  let delayCopies = 0;
  for (const b of blocks) {
    assert.ok(b.host >= previousEnd, `block ${hex(b.eip)} at ${hex(b.host)} overlaps the one before`);
    previousEnd = b.host + b.hostBytes;
    for (const e of b.exits) {
      const target = jumpTarget(e.site, memory.read32(e.site));
      const slot = memory.read32(e.site + 4);
      if (e.chainedTo !== null && e.delayCopy) {
        assert.equal(hex(slot), hex(memory.read32(e.chainedTo)), "delay slot holds the target's first word");
        assert.equal(hex(target), hex(e.chainedTo + 4), 'and the j goes to its second');
        delayCopies++;
      } else {
        assert.equal(slot, 0, 'delay slot nop');
        if (e.chainedTo !== null) assert.equal(hex(target), hex(e.chainedTo), 'chained j goes to the block');
      }
      if (e.chainedTo !== null) {
        chained++;
        assert.equal(b.state, 'live', 'only live blocks stay chained');
        assert.equal(live.get(e.chainedTo), e.target, `chained to a live block of eip ${hex(e.target)}`);
      } else assert.equal(hex(target), hex(e.stub), 'unchained j goes to its stub');
      const lui = memory.read32(e.stub) >>> 0;
      const ori = memory.read32(e.stub + 4) >>> 0;
      assert.equal(hex((((lui & 0xffff) << 16) | (ori & 0xffff)) >>> 0), hex(e.target), 'stub loads its target');
    }
  }
  for (let i = 0; i < 512; i++) {
    const tag = memory.read32(LOOKUP_TABLE_BASE + i * 8) >>> 0;
    if (tag === 0xffffffff) continue;
    const host = memory.read32(LOOKUP_TABLE_BASE + i * 8 + 4) >>> 0;
    assert.equal(live.get(host), tag, `lookup entry ${i} (${hex(tag)}) points at a live block of that eip`);
  }
  if (copies) assert.ok(chained === 0 || delayCopies > 0, 'chains use the delay slot');
  else assert.equal(delayCopies, 0, 'plain chains while the CPU has had breakpoints');
  return chained;
}

function run(code: Uint8Array, seed: number, options: UkcfOptions, slice: number, check: boolean): { rt: UkcfRuntime; memory: PagedMemory; stop: UkcfStop; events: UkcfEvent[] } {
  const memory = guestMemory(code, seed);
  const events: UkcfEvent[] = [];
  const rt = new UkcfRuntime(memory, CODE_BASE, { ...options, onEvent: (e) => events.push(e) });
  rt.setGuestRegister(4, STACK_TOP);
  let stop: UkcfStop;
  for (;;) {
    stop = rt.run(slice);
    if (check) checkCache(rt, memory);
    if (stop.kind !== 'limit') break;
  }
  return { rt, memory, stop, events };
}

test('tiny code cache: zone eviction keeps chains, stubs and the lookup table consistent; same final state', { skip }, () => {
  let evictions = 0;
  let undone = 0;
  for (let i = 0; i < programs.length; i++) {
    const ref = reference(programs[i], SEED + i);
    const { rt, memory, stop, events } = run(programs[i], SEED + i, { cacheBytes: 0x2000 }, 2000, true);
    assert.equal(stop.kind, 'fault', JSON.stringify(stop));
    assert.equal(hex(stop.kind === 'fault' ? stop.eip : 0), hex(ref.eip - 1));
    assert.deepEqual([...rt.guestRegisters()].map(hex), [...ref.regs].map(hex), `program ${i}: registers`);
    assert.deepEqual(memory.readBytes(DATA_BASE, DATA_BYTES), ref.memory.readBytes(DATA_BASE, DATA_BYTES));
    const count = (kind: UkcfEvent['kind']) => events.filter((e) => e.kind === kind).length;
    assert.equal(count('block-translated'), rt.blocksTranslated);
    assert.equal(count('chain-patched'), rt.chainsPatched);
    assert.equal(count('chain-unpatched'), rt.chainsUnpatched);
    assert.equal(count('evict'), rt.evictions);
    assert.equal(events.reduce((s, e) => s + (e.kind === 'evict' ? e.blocks : 0), 0), rt.blocksEvicted);
    assert.equal(checkCache(rt, memory), rt.chainsPatched - rt.chainsUnpatched, 'chains alive = patched - undone');
    assert.equal(rt.flushes, 0);
    const s = rt.statistics();
    assert.ok(s.cacheBytes.bodies + s.cacheBytes.stubs <= s.cacheBytes.capacity);
    evictions += rt.evictions;
    undone += rt.chainsUnpatched;
  }
  assert.ok(evictions > 20 && undone > 20, `evictions ${evictions}, chains undone ${undone}`);
});

test('explicit flush: everything goes, the run goes on with fresh translations', { skip }, () => {
  const ref = reference(programs[0], SEED);
  const memory = guestMemory(programs[0], SEED);
  const events: UkcfEvent[] = [];
  const rt = new UkcfRuntime(memory, CODE_BASE, { onEvent: (e) => events.push(e) });
  rt.setGuestRegister(4, STACK_TOP);
  let stop: UkcfStop;
  const inBlock = () => rt.cpu.regions.names[rt.cpu.regions.lookup(rt.cpu.pc).id] === 'ukcf-app';
  do {
    stop = rt.run(7);
    assert.equal(stop.kind, 'limit');
  } while (!inBlock());
  assert.throws(() => rt.flush(), /inside the translated block/, 'not while the CPU is inside a block');
  // Flush at a block boundary: the next dispatch (a breakpoint on it).
  const dispatch = rt.dispatchAddress;
  rt.cpu.addBreakpoint(dispatch);
  stop = rt.run(1_000_000);
  rt.cpu.removeBreakpoint(dispatch);
  assert.equal(stop.kind, 'breakpoint');
  const before = rt.codeCacheBlocks().length;
  rt.flush();
  assert.equal(rt.codeCacheBlocks().length, 0);
  const flush = events.find((e) => e.kind === 'flush');
  assert.ok(flush !== undefined && flush.kind === 'flush' && flush.blocks === before);
  stop = rt.run(10_000_000);
  assert.equal(stop.kind, 'fault');
  assert.deepEqual([...rt.guestRegisters()].map(hex), [...ref.regs].map(hex));
  checkCache(rt, memory, false);
});

test('block entry counters: exact dynamic guest instruction counts; counting costs 4 host instructions per entry', { skip }, () => {
  let guest = 0;
  let host = 0;
  let hostCounting = 0;
  let entries = 0;
  for (let i = 0; i < 4; i++) {
    const ref = reference(programs[i], SEED + i);
    const retired = ref.instructionCount - 1; // the reference retires hlt; the translated run faults on it
    const plain = run(programs[i], SEED + i, {}, 10_000_000, false);
    const counted = run(programs[i], SEED + i, { countBlockEntries: true }, 10_000_000, false);
    const tiny = run(programs[i], SEED + i, { countBlockEntries: true, cacheBytes: 0x2000 }, 5000, false);
    for (const r of [counted, tiny]) {
      const s = r.rt.statistics();
      assert.equal(s.guestInstructionsExecuted, retired, `program ${i}: dynamic guest instructions`);
      assert.ok(s.chainedExits !== null && s.chainedExits >= 0);
    }
    const s = counted.rt.statistics();
    const p = plain.rt.statistics();
    assert.ok(Number.isInteger(p.dispatchHits) && p.dispatchHits >= 0, `dispatch hits ${p.dispatchHits}`);
    assert.equal(p.guestInstructionsExecuted, null);
    const app = (r: UkcfRuntime) => r.regionCounts()['ukcf-app'];
    // Counting adds 4 per entry; the only other difference: with the counter's `lui` as every block's
    // first word, every chained exit can take it into its delay slot (one nop less per chained exit).
    const saved = app(plain.rt) - (app(counted.rt) - 4 * (s.blockEntries ?? 0));
    assert.ok(saved >= 0 && saved <= (s.chainedExits ?? 0), `counting adds 4 per entry (${saved} delay slots filled besides)`);
    assert.equal(counted.rt.cpu.instructionCount - app(counted.rt), plain.rt.cpu.instructionCount - app(plain.rt), 'glue, dispatch and exits unchanged');
    assert.equal(s.dispatchHits, p.dispatchHits);
    guest += retired;
    host += plain.rt.cpu.instructionCount;
    hostCounting += counted.rt.cpu.instructionCount;
    entries += s.blockEntries ?? 0;
  }
  console.log(`block entry counting: ${guest} guest instructions, ${entries} block entries; host instructions ${host} → ${hostCounting} ` +
    `(+${(((hostCounting - host) / host) * 100).toFixed(1)} %) with counters`);
});
