// The committed driver objects, linked with a test kernel (test-kernel/driver-commands.c)
// and run on a real CPU (i386 natively, mipsel under qemu-mipsel), against the
// TypeScript model of the documented /dev/gfx behaviour: a fixed-seed stream of
// generated requests (modes, blits in both formats with clipping, fills, flips,
// vsync waits and timeouts, bad pointers, unknown requests), every result line and
// every VRAM snapshot compared.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GfxDriverModel, IOC, USER_SIZE } from './gfx-driver-model';
import { DRIVER_I386, DRIVER_MIPSEL, ROOT, i386Unavailable, toolAvailable } from './workload-files';

const LIBC = ['syscall', 'string', 'output', 'alloc'].map((n) => `workloads/player/libc/${n}.c`);
const COMMON = ['-static', '-nostdlib', '-nostartfiles', '-ffreestanding', '-fno-builtin', '-fno-pic', '-fno-pie', '-no-pie',
  '-fno-stack-protector', '-fno-asynchronous-unwind-tables', '-O2', '-Wall', '-Wextra', '-Werror', '-Wl,--build-id=none'];

const targets = {
  i386: { cc: 'i686-linux-gnu-gcc', flags: ['-m32', '-march=i686', '-mgeneral-regs-only'], syscalls: 'syscall-i386', driver: DRIVER_I386 },
  mipsel: { cc: 'mipsel-linux-gnu-gcc', flags: ['-EL', '-march=mips32r2', '-mabi=32', '-msoft-float', '-mno-abicalls', '-G0'], syscalls: 'syscall-mipsel', driver: DRIVER_MIPSEL },
};

function buildHarness(isa: keyof typeof targets, dir: string): string {
  const t = targets[isa];
  const out = join(dir, `harness.${isa}`);
  const sources = ['test/workloads/test-kernel/driver-commands.c', 'test/workloads/test-kernel/test-kernel.c', ...LIBC.map((s) => s.replace('syscall.c', `${t.syscalls}.c`))];
  const r = spawnSync(t.cc, [...t.flags, ...COMMON, '-o', out, ...sources, t.driver], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `building the ${isa} harness failed:\n${r.stderr}`);
  return out;
}

/** Small deterministic PRNG (xorshift128+ flavour kept in 32-bit halves). */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0 || 1;
  let b = 0x9e3779b9;
  return (n: number) => {
    let t = a ^ (a << 11);
    a = b;
    b = (b ^ (b >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    t = b % n;
    return t;
  };
}

function generateCommands(seed: number, count: number, dumpDir: string): string[] {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[r(xs.length)];
  const modes = [
    [40, 30, 1, 0], [40, 30, 2, 0], [33, 17, 1, 0], [64, 48, 2, 0], [100, 75, 2, 0], [128, 100, 1, 0], [320, 240, 2, 0],
    [400, 300, 2, 0], [640, 480, 2, 0], [1025, 10, 2, 0], [0, 10, 1, 0], [10, 10, 3, 0], [40, 30, 2, 1],
  ];
  const cmds = ['info', 'open', 'ioctl 1 0', 'init', 'init', 'info', 'open', 'info'];
  let dumps = 0;
  let stalled = false;
  for (let i = 0; i < count; i++) {
    const k = r(100);
    if (k < 8) {
      cmds.push(`mode ${pick(modes).join(' ')}`);
    } else if (k < 45) {
      const format = r(20) === 0 ? pick([0, 3]) : pick([1, 2]);
      const bpp = format === 1 ? 2 : 4;
      const wide = r(10) === 0;
      const w = wide ? 200 + r(1000) : r(72);
      const h = wide ? r(4) : r(52);
      let pitch = w * bpp + r(4) * bpp + (r(3) === 0 ? r(bpp) : 0);
      if (r(25) === 0 && w > 0) pitch = w * bpp - 1;
      if (r(40) === 0) pitch = 65537;
      const where = r(30);
      const start = where === 0 ? USER_SIZE - r(6000) : where === 1 ? -(1 + r(100000)) : where === 2 ? 0x80000000 : 64 + r(400000);
      const x = r(130) - 80;
      const y = r(110) - 60;
      cmds.push(`blit ${start} ${w} ${h} ${pitch} ${format} ${x} ${y} ${r(30) === 0 ? 1 : 0} ${1 + r(1 << 30)}`);
    } else if (k < 63) {
      const w = r(40) === 0 ? 5000 : r(90);
      cmds.push(`fill ${r(150) - 60} ${r(120) - 50} ${w} ${r(60)} ${r(1 << 30) * 4 + r(4)} ${r(30) === 0 ? 7 : 0}`);
    } else if (k < 75) {
      cmds.push(`flip ${r(15) === 0 ? 2 : r(2)}`);
    } else if (k < 80) {
      cmds.push('vsync');
    } else if (k < 85) {
      cmds.push(`sleep ${r(40)}`);
    } else if (k < 88) {
      stalled = !stalled;
      cmds.push(`stall ${stalled ? 1 : 0}`);
    } else if (k < 91) {
      const bad = pick([USER_SIZE - 4, USER_SIZE + 100, -64 >>> 0]);
      cmds.push(pick([`ioctl ${0x40004799} 0`, `ioctl 0 0`, `ioctl ${IOC.GET_INFO} ${bad}`, `ioctl ${IOC.SET_MODE} ${bad}`,
        `ioctl ${IOC.BLIT} ${bad}`, `ioctl ${IOC.FILL} ${bad}`, `ioctl ${IOC.FLIP} ${bad}`, `ioctl ${IOC.WAIT_VSYNC} ${bad}`]));
    } else if (k < 94) {
      cmds.push('release', ...(r(2) ? ['info'] : []), 'open');
    } else {
      cmds.push('info');
    }
    if (i % 25 === 24) cmds.push(`dump ${join(dumpDir, `vram-${dumps++}.bin`)}`);
  }
  cmds.push(`dump ${join(dumpDir, `vram-${dumps++}.bin`)}`);
  return cmds;
}

function runAgainstModel(isa: keyof typeof targets, seed: number, count: number): { commands: number; dumps: number; outcomes: Set<string> } {
  const dir = mkdtempSync(join(tmpdir(), `gfx-driver-${isa}-`));
  try {
    const harness = buildHarness(isa, dir);
    const commands = generateCommands(seed, count, dir);
    const argv = isa === 'i386' ? [harness] : ['qemu-mipsel', '-cpu', '24Kc', harness];
    const run = spawnSync(argv[0], argv.slice(1), { input: commands.join('\n') + '\n', encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
    assert.equal(run.status, 0, `${isa} harness exited with ${run.status} ${run.signal ?? ''}: ${run.stderr}`);
    const actual = run.stdout.split('\n');
    const model = new GfxDriverModel();
    let at = 0;
    let dumps = 0;
    const outcomes = new Set<string>();
    for (const cmd of commands) {
      const want = model.run(cmd);
      for (const line of want) outcomes.add(line.split(' ').slice(0, 2).join(' '));
      const got = actual.slice(at, at + want.length);
      assert.deepEqual(got, want, `${isa}: after "${cmd}" (output line ${at + 1})`);
      at += want.length;
      if (cmd.startsWith('dump ')) {
        const path = cmd.slice(5);
        const vram = readFileSync(path);
        if (!vram.equals(model.vram)) {
          const diff = vram.findIndex((b, i) => b !== model.vram[i]);
          assert.fail(`${isa}: VRAM differs from the model at byte ${diff} (of ${vram.length}) at "${cmd}"`);
        }
        dumps++;
      }
    }
    assert.deepEqual(actual.slice(at), [''], `${isa}: no extra output`);
    return { commands: commands.length, dumps, outcomes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const i386Skip = !toolAvailable('i686-linux-gnu-gcc') ? 'i686-linux-gnu-gcc is not installed' : i386Unavailable();
const mipselSkip = !toolAvailable('mipsel-linux-gnu-gcc') ? 'mipsel-linux-gnu-gcc is not installed' : !toolAvailable('qemu-mipsel') ? 'qemu-mipsel is not installed' : null;

test('gfx_driver.i386.o on the real CPU behaves as the model (generated requests)', { skip: i386Skip ?? false }, () => {
  const seen = new Set<string>();
  for (const seed of [1, 2, 3]) {
    const { commands, dumps, outcomes } = runAgainstModel('i386', seed, 700);
    assert.ok(commands > 700 && dumps >= 28);
    for (const o of outcomes) seen.add(o);
  }
  // The generated stream must reach every interesting outcome (guards the generator).
  const wanted = ['init 0', 'init -16', 'open -19', 'info -19', 'info 0', 'mode 0', 'mode -22', 'blit 0', 'blit -14', 'blit -22',
    'fill 0', 'fill -22', 'flip 0', 'flip -5', 'flip -22', 'vsync 0', 'vsync -5', 'ioctl -25', 'ioctl -14', 'ioctl -19',
    'printk gfx:', 'release 0'];
  for (const w of wanted) assert.ok(seen.has(w), `no generated request ended in "${w}"`);
});

test('gfx_driver.mipsel.o under qemu-mipsel behaves as the model (generated requests)', { skip: mipselSkip ?? false }, () => {
  for (const seed of [1, 4]) runAgainstModel('mipsel', seed, 700);
});
