// A static glibc program (glibc's own i386 assembly, TLS through %gs, setjmp/longjmp, stdio)
// run natively and on the emulator with the Linux syscall layer: same output, same exit code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canRunNative, I686_GCC, runEmulatedLinux, runNative } from './native-harness';

const hasLibc = existsSync('/usr/i686-linux-gnu/lib/libc.a');
const skip = !canRunNative() ? 'needs i686-linux-gnu-gcc and a kernel that runs i386 binaries' : !hasLibc ? 'libc6-dev-i386-cross missing' : false;

for (const level of ['-O0', '-O2']) {
  test(`glibc-mix.c ${level} (static glibc): emulated output and exit code equal native`, { skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'x86-glibc-'));
    try {
      const exe = join(dir, 'glibc-mix');
      const cc = spawnSync(I686_GCC, ['-static', level, '-Wl,--build-id=none', '-o', exe, join(__dirname, 'programs', 'glibc-mix.c')], { encoding: 'utf8' });
      assert.equal(cc.status, 0, cc.stderr);
      const native = runNative(exe);
      const emulated = runEmulatedLinux(exe);
      assert.equal(emulated.stop, null, `emulated run stopped: ${JSON.stringify(emulated.stop)}`);
      assert.equal(emulated.stdout.toString('latin1'), native.stdout.toString('latin1'));
      assert.equal(emulated.exitCode, native.status);
      assert.match(native.stdout.toString('latin1'), /tls 12 thread-local/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
