// PagedMemory gives a mapped page its bytes at its first use (so that mapping an 8 MiB stack or a
// 16 MiB code cache costs nothing until used) and keeps its page tables as two-level directories.
// What a program sees must not change: untouched pages read as zeros, faults keep their kinds
// (a MIPS store to a PROT_NONE page is Mod, to an unmapped one TLBS, a load from either TLBL),
// and the x86 interpreter's flat readPages/writePages agree with the memory. Checked on random
// operations (fixed seed) against a plain model of the same memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFault, PagedMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../emulator/machine/paged-memory';
import { MipsCpu } from '../../emulator/mips/cpu';
import { GPR, MipsAssembler } from '../../emulator/mips/encoder';
import { prng } from '../fixed-seed-random';

const CODE = 0x00400000;

test('PagedMemory: pages get their bytes on first use; reads, writes and faults are those of a plain memory', () => {
  const rnd = prng(20261125);
  const memory = new PagedMemory();
  const flatRead = memory.readPages; // made now, kept up to date from here on
  // Model: page number -> { prot, bytes }.
  const model = new Map<number, { prot: number; bytes: Uint8Array }>();
  const pages = 64;
  const base = 0x7d000; // pages 0x7d000.. (below the MIPS kernel half, spanning two leaves)
  const fault = (f: () => unknown): string => {
    try {
      f();
      return 'ok';
    } catch (e) {
      assert.ok(e instanceof MemoryFault, String(e));
      return `${e.access}@${e.address.toString(16)}`;
    }
  };
  const modelFault = (pn: number, access: 'read' | 'write', address: number): string | null => {
    const p = model.get(pn);
    const need = access === 'read' ? PROT_READ : PROT_WRITE;
    return p === undefined || (p.prot & need) === 0 ? `${access}@${(address >>> 0).toString(16)}` : null;
  };
  for (let step = 0; step < 4000; step++) {
    const pn = base + (rnd() % pages);
    const address = ((pn << 12) + (rnd() % 4096)) >>> 0;
    const op = rnd() % 10;
    if (op === 0) {
      const n = 1 + (rnd() % 4);
      const prot = [0, PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE | PROT_EXEC][rnd() % 4];
      memory.map(pn << 12, n << 12, prot);
      for (let i = 0; i < n; i++) {
        const old = model.get(pn + i);
        model.set(pn + i, { prot, bytes: old?.bytes ?? new Uint8Array(4096) });
      }
    } else if (op === 1) {
      memory.unmap(pn << 12, 4096);
      model.delete(pn);
    } else if (op < 6) {
      const got = fault(() => memory.read8(address));
      const want = modelFault(pn, 'read', address);
      assert.equal(got === 'ok' ? null : got, want, `read8 ${address.toString(16)}`);
      if (want === null) assert.equal(memory.read8(address), model.get(pn)!.bytes[address & 4095]);
    } else {
      const value = rnd() & 0xff;
      const got = fault(() => memory.write8(address, value));
      const want = modelFault(pn, 'write', address);
      assert.equal(got === 'ok' ? null : got, want, `write8 ${address.toString(16)}`);
      if (want === null) model.get(pn)!.bytes[address & 4095] = value;
    }
    // The flat table the x86 interpreter reads: a page's bytes when readable and given, else null.
    const entry = flatRead[pn];
    const m = model.get(pn);
    if (entry !== null) {
      assert.ok(m !== undefined && (m.prot & PROT_READ) !== 0, 'flat readPages holds only readable pages');
      assert.deepEqual(entry, m.bytes);
    }
    assert.equal(memory.isMapped(pn << 12), m !== undefined);
    assert.equal(memory.protection(pn << 12), m?.prot ?? 0);
  }
  // readBytes of pages never touched (no bytes yet) gives zeros without faulting.
  memory.map(0x20000000, 0x3000, PROT_READ);
  assert.deepEqual(memory.readBytes(0x20000ffe, 4), new Uint8Array(4));
});

test('PagedMemory.reserve keeps a range out of isFree without mapping it', () => {
  const memory = new PagedMemory();
  memory.reserve(0x7e000000, 0x01000000);
  assert.equal(memory.isFree(0x7e800000, 0x1000), false);
  assert.equal(memory.isFree(0x7dfff000, 0x1000), true);
  assert.equal(memory.isMapped(0x7e800000), false);
  assert.equal(memory.protection(0x7e800000), 0);
  memory.map(0x7e800000, 0x1000, PROT_READ | PROT_EXEC);
  assert.equal(memory.isMapped(0x7e800000), true);
});

test('MIPS on pages without bytes yet: loads read zeros, stores land, faults keep their kinds (Mod, TLBS, TLBL)', () => {
  const DATA = 0x10000000; // 8 MiB mapped below: 2048 pages, none given bytes yet
  const NONE = 0x20000000;
  const asm = new MipsAssembler(CODE);
  asm.li(GPR.a0, DATA + 0x7ff000);
  asm.lw(GPR.t0, 8, GPR.a0); // untouched page: 0
  asm.li(GPR.t1, 0x12345678);
  asm.sw(GPR.t1, 8, GPR.a0);
  asm.lw(GPR.t2, 8, GPR.a0);
  asm.li(GPR.a1, NONE);
  asm.sw(GPR.t1, 0, GPR.a1); // PROT_NONE: Mod
  asm.break(0);
  const program = new Uint8Array(asm.finish().words.buffer);
  for (const blockCompiler of [false, true]) {
    const m = new PagedMemory();
    m.map(CODE, 0x1000, PROT_READ | PROT_EXEC);
    m.map(DATA, 8 << 20, PROT_READ | PROT_WRITE);
    m.map(NONE, 0x1000, 0);
    m.poke(CODE, program);
    const cpu = new MipsCpu(m, { exceptionsToHost: true, userMode: true, blockCompiler, compileThreshold: 1 });
    cpu.pc = CODE;
    const stop = cpu.run(1000);
    assert.equal(stop.kind === 'exception' ? stop.name : stop.kind, 'Mod', JSON.stringify(stop));
    assert.equal(cpu.regs[GPR.t0], 0);
    assert.equal(cpu.regs[GPR.t2], 0x12345678);
    assert.equal(m.read32(DATA + 0x7ff008), 0x12345678);
    // An unmapped page: TLBS for a store, TLBL for a load.
    for (const name of ['TLBS', 'TLBL']) {
      const probe = new MipsAssembler(CODE + 0x800);
      probe.li(GPR.t0, 0x30000000); // nothing maps it
      if (name === 'TLBS') probe.sw(GPR.t1, 0, GPR.t0);
      else probe.lw(GPR.t1, 0, GPR.t0);
      probe.break(0);
      m.poke(CODE + 0x800, new Uint8Array(probe.finish().words.buffer));
      cpu.pc = CODE + 0x800;
      cpu.inDelaySlot = false;
      const s = cpu.run(100);
      assert.equal(s.kind === 'exception' ? s.name : s.kind, name);
    }
  }
});
