// The jump monitor as a sandbox: a translated driver that jumps where it may not (a wild
// address, a kernel function that is not exported, its own data) is refused with a message
// naming the jumping instruction and the target; the innermost shell returns -EFAULT, the
// driver is disabled and the kernel runs on to a clean power-off. And self-modifying driver
// code: a store into translated code makes the next call see the new code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseElf, symbolByName } from '../../emulator/machine/elf';
import { join } from 'node:path';
import { boot, KERNEL, lines, ROOT, testDriver } from './kernel-boot';

const WILD = testDriver('wild_driver.i386.o');
const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

/** Offsets in the object's .text of a function and of the one `call r/m32` (FF /2) in it. */
function wildIoctl(): { start: number; call: number } {
  const elf = parseElf(WILD, 'wild_driver.i386.o');
  const fn = symbolByName(elf, 'wild_ioctl');
  assert.ok(fn, 'wild_ioctl symbol');
  const text = elf.sections.find((s) => s.name === '.text')!;
  const code = WILD.subarray(text.offset + fn.value, text.offset + fn.value + fn.size);
  const calls = [...code.keys()].filter((i) => code[i] === 0xff && ((code[i + 1] >> 3) & 7) === 2);
  assert.equal(calls.length, 1);
  return { start: fn.value, call: fn.value + calls[0] };
}

const kernelElf = parseElf(readFileSync(KERNEL), KERNEL, { userBottom: 0x80000000, userTop: 0x80800000 });
const TARGETS: [string, number][] = [
  ['a wild address', 0x12345678],
  ['a kernel function that is not exported', symbolByName(kernelElf, 'machine_shutdown')!.value],
  ["the driver's own data", 0], // the driver calls its data array `scratch` (bytes c3: ret)
];

for (const [what, target] of TARGETS) {
  test(`a jump to ${what} is refused; the kernel survives`, () => {
    const run = boot({ driver: WILD, translate: true, init: ['gfx_client', 'wild', hex8(target)] });
    const t = run.translator!;
    const d = t.loaded!;
    const refused = run.events.filter((e) => e.kind === 'refused-jump');
    assert.equal(refused.length, 1);
    const r = refused[0] as Extract<(typeof refused)[number], { kind: 'refused-jump' }>;
    assert.equal(r.from, d.textStart + wildIoctl().call, 'names the call instruction');
    if (target !== 0) assert.equal(r.target, target);
    else assert.ok(r.target >= d.textEnd && r.target < d.base + d.size, 'a data address of the driver');
    const fn = wildIoctl();
    const where = `0x${hex8(r.from)} \\(wild_ioctl\\+0x${(fn.call - fn.start).toString(16)}\\)`;
    assert.match(run.result.console, new RegExp(`^ukcf: driver /driver\\.o: jump at ${where} to 0x${hex8(r.target)} refused: neither driver code nor an exported kernel function; the driver is disabled \\(-EFAULT\\)$`, 'm'));
    // The user program sees -EFAULT from that ioctl and every later callback; the kernel goes on.
    assert.deepEqual(lines(run.result.console, 'client:'), [
      'client: open 00000003',
      'client: ioctl 2 00000007',
      'client: ioctl 1 wild fffffff2',
      'client: ioctl 2 after fffffff2',
      'client: close 00000000',
      'client: open again fffffff2',
      'client: done',
    ]);
    assert.equal(run.result.status, 0);
    assert.equal(run.result.panicked, false);
    assert.equal(t.faulted, true);
    assert.deepEqual(t.contextStack(), [], 'the refused activation was unwound');
  });
}

test('self-modifying driver code is re-translated', () => {
  const run = boot({ driver: testDriver('smc_driver.i386.o'), translate: true, init: ['gfx_client', 'smc'] });
  const c = run.result.console;
  // x86 semantics: every call runs the code as last stored.
  assert.match(c, /^smc: before 11111111 after 22222222$/m);
  assert.match(c, /^smc: loop sum 00000600$/m); // 0 + 0x100 + 0x200 + 0x300
  // A store into the next instruction of the same block: that instruction runs as stored.
  assert.match(c, /^smc: same block 1 then 2$/m);
  assert.deepEqual(lines(c, 'client:'), [
    'client: open 00000003',
    'client: ioctl 1 00000300',
    'client: ioctl 2 00000000',
    'client: ioctl 1 after 33333333',
    'client: done',
  ]);
  const smc = run.events.filter((e) => e.kind === 'smc-flush');
  // Every store into translated code flushes and stops its block after the storing instruction:
  // set_value's 4 byte stores each (6 calls; after each, the rest of set_value is translated
  // again), and smc_same_block's 32-bit store once per call (its second half, swl, runs in the
  // stopped old block, when nothing is translated).
  assert.equal(smc.length, 6 * 4 + 2);
  assert.equal(run.translator!.smcFlushes, smc.length);
  assert.equal(run.translator!.smcResumes, smc.length);
  assert.equal(run.result.panicked, false);
  assert.equal(run.translator!.faulted, false);
});

test('runaway re-entry (kernel -> driver -> kernel ... without end) is refused when the context stack is full', () => {
  const run = boot({ driver: testDriver('deep_driver.i386.o'), translate: true });
  const c = run.result.console;
  const t = run.translator!;
  // Levels: gfx_init's shell, then probes until a shell finds fewer than two free records.
  const levels = (56 - 2) / 2;
  assert.match(c, new RegExp(`^ukcf: driver /driver\\.o: kernel -> driver re-entry deeper than ${levels} nested driver calls refused; the driver is disabled \\(-EFAULT\\)$`, 'm'));
  assert.match(c, new RegExp(`^deep: registration -14, deepest probe ${levels - 1}$`, 'm'));
  // Every registration (gfx_init's and each probe's) failed with the refusal, level by level.
  assert.equal(lines(c, 'kernel: gfx driver probe failed: -14').length, levels);
  assert.deepEqual(t.crossings(), { shellEntries: levels, kernelCalls: levels + 1 });
  assert.deepEqual(t.contextStack(), []);
  assert.equal(t.faulted, true);
  assert.equal(run.result.status, 0);
  assert.equal(run.result.panicked, false);
});

test('an i386 driver with an unresolved symbol is refused by the loader, before any translation', () => {
  // Rename one import of the real i386 driver ("kmalloc" -> "kmallox") in its string table.
  const bytes = Buffer.from(readFileSync(join(ROOT, 'workloads', 'driver', 'gfx_driver.i386.o')));
  const at = bytes.lastIndexOf(Buffer.from('\0kmalloc\0'));
  assert.ok(at > 0);
  bytes[at + 7] = 'x'.charCodeAt(0);
  const run = boot({ driver: bytes, translate: true });
  assert.match(run.result.console, /^module \/driver\.o: unresolved symbol kmallox$/m);
  assert.doesNotMatch(run.result.console, /gfx driver registered|translated by UKCF/);
  assert.equal(run.translator!.loaded, null);
  assert.deepEqual(run.events, []);
  assert.equal(run.result.panicked, false);
});

test('a callback that points outside the driver code gets no shell: registration fails with -EFAULT', () => {
  const run = boot({ driver: testDriver('bad_ops_driver.i386.o'), translate: true, init: ['gfx_client', 'crossings'] });
  const c = run.result.console;
  assert.match(c, /^kernel: gfx driver callback outside the driver's code$/m);
  assert.match(c, /^bad_ops: registration -14$/m);
  assert.match(c, /^module \/driver\.o: gfx_init failed: -14$/m);
  assert.doesNotMatch(c, /gfx driver registered/);
  // No device: the user program's open fails with -ENODEV (19).
  assert.deepEqual(lines(c, 'client: open'), ['client: open ffffffed']);
  const t = run.translator!;
  assert.deepEqual(t.shellList().map((s) => s.args), [0, 3], 'gfx_init and the ioctl only');
  assert.equal(run.events.filter((e) => e.kind === 'stop').length, 1);
  assert.equal(run.result.status, 0);
  assert.equal(run.result.panicked, false);
});
