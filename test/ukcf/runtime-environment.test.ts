// The UKCF runtime on an environment it does not own: a user-mode MipsCpu whose hypercall dispatch
// belongs to the test (the runtime registers its codes through installHypercall and leaves
// cpu.onHypercall alone), guest code memory implemented by the test, a layout elsewhere in kuseg,
// named regions; the syscall glue hook and the syscall stop; glue breakpoints. Oracle: the reference
// X86Cpu on the same generated programs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PagedMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../emulator/machine/paged-memory';
import { MipsCpu } from '../../emulator/mips/cpu';
import { GPR } from '../../emulator/mips/encoder';
import { X86Cpu } from '../../emulator/x86/cpu';
import { guestRegister } from '../../emulator/ukcf/mips-back-end';
import { UkcfRuntime, type GuestCodeMemory, type UkcfEnvironment, type UkcfStop } from '../../emulator/ukcf/translated-process';
import { assemble, CODE_BASE, DATA_BASE, DATA_BYTES, generateProgram, guestMemory, haveBinutils, STACK_TOP } from './program-generator';

const skip = haveBinutils() ? false : 'i686-linux-gnu binutils not installed';
const SEED = 0x0e4e1000;
const hex = (n: number) => '0x' + (n >>> 0).toString(16);

const CACHE = 0x60000000;
const TABLE = 0x61000000;
const CONTEXT = 0x61001000;
const STACK = 0x61020000;
const OTHER_HYPERCALL = 0x4b0;

interface Harness {
  env: UkcfEnvironment;
  cpu: MipsCpu;
  handlers: Map<number, (cpu: MipsCpu) => boolean>;
  onHypercall: (code: number, cpu: MipsCpu) => boolean;
  watched: Set<number>;
  attach(rt: UkcfRuntime): void;
}

/** A CPU, memory, hypercall table and code memory that belong to the test, as the full system's do. */
function harness(memory: PagedMemory, extra: Partial<UkcfEnvironment> = {}): Harness {
  memory.map(CACHE, 0x10000, PROT_READ | PROT_EXEC);
  memory.map(TABLE, 0x1000, PROT_READ | PROT_WRITE);
  memory.map(CONTEXT, 0x1000, PROT_READ | PROT_WRITE);
  memory.map(STACK - 0x10000, 0x10000, PROT_READ | PROT_WRITE);
  const cpu = new MipsCpu(memory, { exceptionsToHost: true, userMode: true });
  const handlers = new Map<number, (cpu: MipsCpu) => boolean>();
  handlers.set(OTHER_HYPERCALL, () => true);
  const onHypercall = (code: number, c: MipsCpu): boolean => handlers.get(code)?.(c) ?? false;
  cpu.onHypercall = onHypercall;
  const watched = new Set<number>();
  let runtime: UkcfRuntime | null = null;
  const previous = memory.onWatchedWrite;
  memory.onWatchedWrite = (pn, address, length) => {
    if (previous !== null) previous(pn, address, length);
    if (runtime !== null && watched.has(pn)) runtime.onGuestCodeWrite(pn);
  };
  const code: GuestCodeMemory = {
    fetch: (address, length) => memory.readBytes(address, length),
    poke: (address, bytes) => memory.poke(address, bytes),
    watchPage: (page) => {
      watched.add(page);
      memory.watch(page);
    },
    unwatchPage: (page) => {
      watched.delete(page);
    },
  };
  const env: UkcfEnvironment = {
    cpu, code,
    layout: { cacheBase: CACHE, cacheBytes: 0x10000, tableBase: TABLE, contextBase: CONTEXT, hostStackTop: STACK, tableEntries: 256 },
    installHypercall: (n, h) => {
      assert.ok(!handlers.has(n), `hypercall ${n} installed once`);
      handlers.set(n, h);
    },
    ...extra,
  };
  return { env, cpu, handlers, onHypercall, watched, attach: (rt) => (runtime = rt) };
}

function reference(code: Uint8Array, seed: number): X86Cpu {
  const cpu = new X86Cpu(guestMemory(code, seed));
  cpu.eip = CODE_BASE;
  cpu.regs[4] = STACK_TOP;
  return cpu;
}

const programs = skip ? [] : assemble(Array.from({ length: 6 }, (_, i) => generateProgram(SEED + i, 40)));

test('environment path: a user-mode CPU the runtime does not own runs generated programs to the reference state', { skip }, () => {
  for (let i = 0; i < programs.length; i++) {
    const memory = guestMemory(programs[i], SEED + i);
    const h = harness(memory, { regionNames: { glue: 'test-glue', code: 'test-app' } });
    const rt = new UkcfRuntime(h.env);
    h.attach(rt);
    assert.equal(h.cpu.onHypercall, h.onHypercall, 'cpu.onHypercall is left alone');
    assert.deepEqual([...h.handlers.keys()].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, OTHER_HYPERCALL]);
    rt.setGuestRegister(4, STACK_TOP);
    rt.setEip(CODE_BASE);
    const stop = rt.run(10_000_000);
    const ref = reference(programs[i], SEED + i);
    assert.equal(ref.run(10_000_000).kind, 'halt');
    assert.equal(stop.kind, 'fault', JSON.stringify(stop));
    if (stop.kind !== 'fault') continue;
    assert.equal(stop.fault, 'general-protection');
    assert.equal(hex(stop.eip), hex(ref.eip - 1));
    assert.deepEqual([...rt.guestRegisters()].map(hex), [...ref.regs].map(hex), `program ${i}: registers`);
    assert.deepEqual(memory.readBytes(DATA_BASE, DATA_BYTES), ref.memory.readBytes(DATA_BASE, DATA_BYTES), `program ${i}: data`);
    const counts = rt.regionCounts();
    const named = ['test-glue', 'test-app', 'test-app-dispatch', 'test-app-flags', 'test-app-exit'];
    for (const n of named) assert.ok(n in counts, `region ${n}`);
    assert.equal(named.reduce((s, n) => s + counts[n], 0), h.cpu.instructionCount, 'every host instruction in a named region');
    assert.ok(h.watched.has(CODE_BASE >>> 12), 'the code page is watched through the environment');
  }
});

test('environment path: another hypercall code set and layout; run() from the entry glue sets gp and sp', { skip }, () => {
  const memory = guestMemory(programs[0], SEED);
  const h = harness(memory);
  const codes = { dispatchMiss: 0x11, chain: 0x12, untranslated: 0x13, boundary: 0x14, syscall: 0x15, smcResume: 0x16 };
  const rt = new UkcfRuntime(h.env, { hypercalls: codes, translator: 'second' });
  h.attach(rt);
  assert.ok(!h.handlers.has(1) && h.handlers.has(0x12));
  rt.setGuestRegister(4, STACK_TOP);
  rt.setEip(CODE_BASE);
  h.cpu.regs[GPR.gp] = 0x1234; // clobbered by someone else between runs
  const stop = rt.run(10_000_000);
  assert.equal(stop.kind, 'fault', JSON.stringify(stop));
  assert.equal(h.cpu.regs[GPR.gp], TABLE);
  const entry = rt.entryPoint(0x401000);
  assert.equal(entry.pc, rt.glueEntryPoints().find((g) => g.name === 'entry')?.address);
  assert.deepEqual(entry.registers, [{ reg: GPR.v0, value: 0x401000 }]);
});

const SYSCALLS = '.intel_syntax noprefix\n.globl _start\n_start:\n mov ebx, 5\n mov ecx, 7\n mov eax, 20\n int 0x80\n mov edx, eax\n mov ebx, 30\n int 0x80\n hlt\n';

test('int 0x80 with syscall glue: the glue runs as MIPS code (its own region) and returns through dispatch', { skip }, () => {
  const [code] = assemble([SYSCALLS]);
  const memory = guestMemory(code, 1);
  let glueAddress = -1;
  const h = harness(memory, {
    // A stand-in for the o32 glue: eax ← ebx + ecx, back to dispatch with v0 as it came.
    syscallGlue: (asm, genv) => {
      glueAddress = asm.address;
      asm.addu(guestRegister(0), guestRegister(3), guestRegister(1));
      asm.j(genv.dispatch);
      asm.nop();
    },
  });
  const rt = new UkcfRuntime(h.env);
  h.attach(rt);
  rt.setGuestRegister(4, STACK_TOP);
  rt.setEip(CODE_BASE);
  const stop = rt.run(100_000);
  assert.equal(stop.kind, 'fault', JSON.stringify(stop));
  const r = rt.guestRegisters();
  assert.equal(r[2], 12, 'edx = first result');
  assert.equal(r[0], 37, 'eax = second result');
  assert.equal(rt.regionCounts()['ukcf-syscall'], 6, 'two glue runs of 3 instructions');
  assert.deepEqual(rt.glueEntryPoints().find((g) => g.name === 'syscall')?.address, glueAddress);
});

test('int 0x80 without glue: run() stops with the eip after it and resumes after the caller sets eax', { skip }, () => {
  const [code] = assemble([SYSCALLS]);
  const rt = new UkcfRuntime(guestMemory(code, 1), CODE_BASE);
  rt.setGuestRegister(4, STACK_TOP);
  const seen: number[] = [];
  let stop: UkcfStop;
  for (;;) {
    stop = rt.run(100_000);
    if (stop.kind !== 'syscall') break;
    const r = rt.guestRegisters();
    seen.push(stop.eip - CODE_BASE, r[0], r[3]);
    rt.setGuestRegister(0, r[3] * 2);
  }
  assert.equal(stop.kind, 'fault');
  // mov ebx (5) + mov ecx (5) + mov eax (5) + int (2) = 17; then mov edx, eax (2) + mov ebx (5) + int (2) = 26
  assert.deepEqual(seen, [17, 20, 5, 26, 10, 30]);
  assert.equal(rt.guestRegisters()[2], 10);
  assert.equal(rt.guestRegisters()[0], 60);
});

test('a MIPS breakpoint on a glue entry point stops run(); without it the run goes on', { skip }, () => {
  const rt = new UkcfRuntime(guestMemory(programs[1], SEED + 1), CODE_BASE);
  rt.setGuestRegister(4, STACK_TOP);
  const dispatch = rt.glueEntryPoints().find((g) => g.name === 'dispatch');
  assert.ok(dispatch !== undefined);
  rt.cpu.addBreakpoint(dispatch.address);
  const first = rt.run(10_000_000);
  assert.deepEqual(first, { kind: 'breakpoint', pc: dispatch.address });
  rt.cpu.removeBreakpoint(dispatch.address);
  const last = rt.run(10_000_000);
  assert.equal(last.kind, 'fault');
  const ref = reference(programs[1], SEED + 1);
  ref.run(10_000_000);
  assert.deepEqual([...rt.guestRegisters()].map(hex), [...ref.regs].map(hex));
});
