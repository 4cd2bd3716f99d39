// The kernel-space translator's crossings with a test driver (workloads/test-drivers/
// crossings_driver.c) built twice: i386, loaded as a data array and run translated, and
// mipsel, loaded natively. The native build is the oracle: both must print the same lines
// (every callback through its shell, every exported function with 0..6 arguments through the
// jump monitor, registration nested three levels deep). MIPS breakpoints on the shells and the
// export stubs count the crossings and catch the context stack at its deepest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boot, lines, testDriver, type Boot } from './kernel-boot';
import type { ContextRecord } from '../../emulator/ukcf/kernel-space/kernel-translator';

const CLIENT = ['gfx_client', 'crossings', '2'];
const PREFIXES = ['crossings:', 'client:', 'kernel: gfx', 'abc|z', 'kernel: /gfx_client'];

interface Counted {
  run: Boot;
  exportHits: Map<string, number>;
  shellHits: Map<number, number>;
  deepest: ContextRecord[];
}

function countedTranslatedRun(): Counted {
  const exportHits = new Map<string, number>();
  const shellHits = new Map<number, number>();
  let deepest: ContextRecord[] = [];
  const run = boot({
    driver: testDriver('crossings_driver.i386.o'),
    translate: true,
    init: CLIENT,
    // Breakpoints go in as the translator makes the stubs (they cost no instruction).
    onEvent: (e, system, t) => {
      if (e.kind === 'driver-loaded') {
        for (const x of t.exports()) system.onBreakpoint(x.stub, () => exportHits.set(x.name, (exportHits.get(x.name) ?? 0) + 1));
      } else if (e.kind === 'shell-created') {
        system.onBreakpoint(e.shell, () => {
          shellHits.set(e.function, (shellHits.get(e.function) ?? 0) + 1);
          const stack = t.contextStack();
          if (stack.length > deepest.length) deepest = stack;
        });
      }
    },
  });
  return { run, exportHits, shellHits, deepest };
}

test('crossings driver: translated i386 prints exactly what the native mipsel build prints', () => {
  const native = boot({ driver: testDriver('crossings_driver.mipsel.o'), translate: false, init: CLIENT });
  const translated = boot({ driver: testDriver('crossings_driver.i386.o'), translate: true, init: CLIENT });
  const want = lines(native.result.console, ...PREFIXES);
  assert.ok(want.length > 40, native.result.console);
  assert.deepEqual(lines(translated.result.console, ...PREFIXES), want);
  assert.match(translated.result.console, /^module \/driver\.o: i386 driver at 8080[0-9a-f]{4}, \d+ bytes, translated by UKCF$/m);
  assert.equal(translated.result.status, 0);
  assert.equal(translated.result.panicked, false);
  // Native driver code never ran; translated code and glue did, and nothing ran outside a region.
  const regions = translated.system.machine.cpu.regions.report();
  assert.equal(regions.driver, 0);
  assert.equal(regions.other, 0);
  assert.ok(regions['ukcf-driver'] > 0 && regions['ukcf-kernel-glue'] > 0);
  assert.equal(translated.translator!.faulted, false);
  assert.deepEqual(translated.translator!.contextStack(), []);
});

test('every export is called through its stub (0..6 arguments), every callback through its shell, nesting three deep', () => {
  const { run, exportHits, shellHits, deepest } = countedTranslatedRun();
  const t = run.translator!;
  const exports = t.exports();
  assert.equal(exports.length, 17);
  for (const e of exports) assert.ok((exportHits.get(e.name) ?? 0) > 0, `export ${e.name} (${e.argCount} arguments) never called through the monitor`);
  assert.deepEqual([...new Set(exports.map((e) => e.argCount))].sort(), [0, 1, 2, 3, 4, 5, 6]);
  // The registration call reaches the interceptor, the others their own native function.
  for (const e of exports) assert.equal(e.calls === e.address, e.name !== 'register_gfx_driver', e.name);
  // Shells: gfx_init, three probes, open, ioctl, release (one shell per function and argument
  // count: the three tables share the ioctl).
  const shells = t.shellList();
  assert.equal(shells.length, 7);
  assert.deepEqual(shells.map((s) => s.args).sort(), [0, 0, 0, 0, 1, 1, 3]);
  const d = t.loaded!;
  for (const s of shells) assert.ok(s.function >= d.textStart && s.function < d.textEnd);
  // Entered: gfx_init 1, each probe 1, open 2, ioctl 2 × 4, release 2.
  const entered = shells.map((s) => shellHits.get(s.function) ?? 0).sort((a, b) => a - b);
  assert.deepEqual(entered, [1, 1, 1, 1, 2, 2, 8]);
  // The glue's own counters agree with the breakpoints.
  const crossings = t.crossings();
  assert.equal(crossings.shellEntries, [...shellHits.values()].reduce((a, b) => a + b, 0));
  assert.equal(crossings.kernelCalls, [...exportHits.values()].reduce((a, b) => a + b, 0));
  // At the innermost probe's shell: gfx_init's shell, then (register, probe) twice, then register.
  assert.deepEqual(deepest.map((r) => r.kind), ['shell', 'kernel-call', 'shell', 'kernel-call', 'shell', 'kernel-call']);
  assert.deepEqual(deepest.filter((r) => r.kind === 'kernel-call').map((r) => r.name), ['register_gfx_driver', 'register_gfx_driver', 'register_gfx_driver']);
  // Named from the object's symbols (the kernel passes them with the driver).
  assert.deepEqual(deepest.filter((r) => r.kind === 'shell').map((r) => r.name), ['gfx_init', 'probe1', 'probe2']);
  for (const r of deepest) {
    if (r.kind === 'shell') assert.equal(r.resume, t.glueEntryPoints().find((g) => g.name === 'sentinel/return-to-kernel')!.address);
    else assert.ok(r.resume >= d.textStart && r.resume < d.textEnd, 'a kernel call resumes in the driver');
  }
  // Each nested frame lies below the one that called it (one kernel stack).
  for (let i = 1; i < deepest.length; i++) assert.ok(deepest[i].esp < deepest[i - 1].esp);
  assert.deepEqual(t.contextStack(), []);
});

test('a code cache too small for the driver: flushes undo the chains, the output stays the native one', () => {
  const native = boot({ driver: testDriver('crossings_driver.mipsel.o'), translate: false, init: CLIENT });
  const small = boot({ driver: testDriver('crossings_driver.i386.o'), translate: true, init: CLIENT, translator: { cacheBytes: 1024 } });
  assert.deepEqual(lines(small.result.console, ...PREFIXES), lines(native.result.console, ...PREFIXES));
  const t = small.translator!;
  assert.ok(t.flushes >= 5, `${t.flushes} flushes`);
  assert.ok(t.codeCacheBlocks().every((b) => b.host + 4 * b.words <= t.loaded!.area + 0x6000 + 1024));
  assert.equal(small.events.filter((e) => e.kind === 'flush').length, t.flushes);
});

test('exact counts: the MIPS interpreter alone and the block compiler count the same translated run', () => {
  const runs = [true, false].map((blockCompiler) => boot({ driver: testDriver('crossings_driver.i386.o'), translate: true, init: CLIENT, blockCompiler }));
  const [compiled, interpreted] = runs.map((b) => ({
    regions: b.system.machine.cpu.regions.report(), instructions: b.result.instructions, console: b.result.console, crossings: b.translator!.crossings(),
  }));
  assert.deepEqual(interpreted, compiled);
});

test('entry counters (measurement mode): executed guest instructions, and the driver output unchanged', () => {
  const counted = boot({ driver: testDriver('crossings_driver.i386.o'), translate: true, init: CLIENT, translator: { countBlockEntries: true } });
  const plain = boot({ driver: testDriver('crossings_driver.i386.o'), translate: true, init: CLIENT });
  assert.equal(counted.result.console, plain.result.console);
  const p = counted.translator!.blockProfile();
  const r = counted.system.machine.cpu.regions.report();
  // The counters' own instructions are exactly what the translated code gained.
  assert.equal(r['ukcf-driver'] - p.counterInstructions, plain.system.machine.cpu.regions.report()['ukcf-driver']);
  assert.ok(p.guestInstructions > p.blockEntries && p.blockEntries > 0);
});

test("the debugger's glue entry points are the crossings: breakpoints there count them", () => {
  const hits = new Map<string, number>();
  const run = boot({
    driver: testDriver('crossings_driver.i386.o'),
    translate: true,
    init: CLIENT,
    onEvent: (e, system, t) => {
      if (e.kind !== 'driver-loaded') return;
      for (const g of t.glueEntryPoints()) {
        const kind = g.name.split(/[/ ]/)[0];
        system.onBreakpoint(g.address, () => hits.set(kind, (hits.get(kind) ?? 0) + 1));
      }
    },
  });
  const c = run.translator!.crossings();
  assert.ok(c.shellEntries > 0 && c.kernelCalls > 0);
  assert.equal(hits.get('shell-entry'), c.shellEntries);
  assert.equal(hits.get('sentinel'), c.shellEntries, 'every driver call returned through its sentinel');
  assert.equal(hits.get('context-load'), c.shellEntries);
  assert.equal(hits.get('context-save'), c.kernelCalls);
  assert.equal(hits.get('monitor-exit-to-kernel'), c.kernelCalls);
  assert.equal(hits.get('return-into-driver'), c.kernelCalls);
  assert.equal(hits.get('export-stub'), c.kernelCalls);
  assert.equal(hits.get('refused'), undefined);
  assert.ok((hits.get('jump-monitor') ?? 0) >= c.kernelCalls, 'every return from the kernel goes through the monitor');
});
