// Whole C programs compiled by gcc at every optimisation level, run natively and on the
// emulator: output must be identical (integer idioms, 64-bit helpers from libgcc, string
// instructions both directions, atomics, switch tables, TLS through %gs, misc asm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canRunNative, I686_GCC, runEmulated, runNative } from './native-harness';

const skip = canRunNative() ? false : 'needs i686-linux-gnu-gcc and a kernel that runs i386 binaries';
const PROGRAMS = join(__dirname, 'programs');
const FLAGS = ['-m32', '-march=i686', '-static', '-nostdlib', '-nostartfiles', '-ffreestanding', '-fno-pic', '-fno-pie', '-no-pie',
  '-fno-stack-protector', '-fno-asynchronous-unwind-tables', '-mgeneral-regs-only', '-Wl,--build-id=none'];

for (const program of ['integer-mix']) {
  for (const level of ['-O0', '-O1', '-O2', '-O3', '-Os']) {
    test(`${program}.c ${level}: emulated output equals native output`, { skip }, () => {
      const dir = mkdtempSync(join(tmpdir(), 'x86-prog-'));
      try {
        const exe = join(dir, program);
        const cc = spawnSync(I686_GCC, [...FLAGS, level, '-o', exe, join(PROGRAMS, `${program}.c`), '-lgcc'], { encoding: 'utf8' });
        assert.equal(cc.status, 0, cc.stderr);
        const native = runNative(exe);
        assert.equal(native.status, 0, `native run failed (signal ${native.signal})`);
        const emulated = runEmulated(exe);
        assert.deepEqual(emulated.stop, { kind: 'syscall' }, `emulated run stopped: ${JSON.stringify(emulated.stop)}`);
        assert.equal(emulated.stdout.toString('latin1'), native.stdout.toString('latin1'));
        assert.ok(native.stdout.toString('latin1').includes('tls '), 'every section ran');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}
