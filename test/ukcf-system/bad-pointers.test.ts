// A guest system call with a bad pointer, in the whole system (`--scheme ukcf`): the i386 program
// test/ukcf-system/programs/bad-pointers.c (built here with the Debian i686 cross compiler) makes
// i386 system calls with pointers to nothing, and a few good ones. Where the syscall glue touches
// the guest structure itself (fstat64's stat64 conversion, set_thread_area, old mmap's argument
// block, the sigaction/sigset/stack_t copy-ins), its fault is one of the glue's fixup entries,
// which the kernel honours (UKCF_USER_START's fixup table): -EFAULT to the guest, as i386 Linux
// answers, instead of SIGSEGV. Pointers into the translator's own area (code cache, host stack;
// nothing is mapped there on i386 Linux) are -EFAULT too: the glue checks the pointers it follows,
// the kernel refuses the area but the glue's frame (UKCF_USER_START's protect_end). Oracles: the real CPU running the same binary, qemu-i386, and
// `ukcf user` (the glue on the TypeScript o32 host). Then the reference replay: the program's
// system calls include calls the glue answers without the kernel (set_thread_area, the -EFAULTs),
// and the x86 reference interpreter's count must equal the translated code's block counters.
// Also a static glibc program (the `npm start` demo) in the whole system: its start-up's calls the
// host kernel does not have (ENOSYS), set_thread_area, uname, brk, clock_gettime — replayed exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScheme } from '../../emulator/system/run-scheme';
import { runTranslatedUserProgram } from '../../emulator/ukcf/user-space/translated-user-program';
import { i386Unavailable, ROOT, toolAvailable, WORKLOADS } from '../workloads/workload-files';
import { buildFreestandingI386, workloadsWith } from './i386-process-workloads';

const DEMO = join(WORKLOADS, 'demo', 'demo.i386');

const SOURCE = join(ROOT, 'test', 'ukcf-system', 'programs', 'bad-pointers.c');
const gcc = toolAvailable('i686-linux-gnu-gcc');
const qemu = toolAvailable('qemu-i386');

/** The program's result lines ("name = value") and the uname sysname line. */
const resultLines = (text: string) => text.split('\n').filter((l) => / = -?\d+$/.test(l) || l === 'Linux');

function build(dir: string, source = SOURCE, name = 'bad-pointers'): string {
  return buildFreestandingI386(dir, source, name);
}

test('ukcf scheme: a system call with a bad pointer gives -EFAULT as on i386 Linux (the kernel applies the glue\'s fixups); the replay counts it', { skip: gcc ? false : 'i686-linux-gnu-gcc not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ukcf-efault-'));
  try {
    const program = build(dir);
    const r = runScheme({ scheme: 'ukcf', workloads: workloadsWith(dir, program), frames: 1 });
    assert.equal(r.status, 0, r.console);
    assert.doesNotMatch(r.console, /killed/);
    const full = resultLines(r.console);
    assert.ok(full.filter((l) => l.endsWith(' = -14')).length >= 12, full.join('\n'));

    // The real CPU (i386 Linux ABI of this machine's kernel) is the oracle.
    const why = i386Unavailable();
    if (why === null) {
      const native = spawnSync(program, [], { encoding: 'utf8' });
      assert.equal(native.status, 0);
      assert.deepEqual(full, resultLines(native.stdout));
    }
    if (qemu) {
      // qemu-i386 answers nanosleep's bad pointer with EINVAL (it checks tv_nsec first); elsewhere it agrees.
      const q = resultLines(spawnSync('qemu-i386', [program], { encoding: 'utf8' }).stdout);
      assert.equal(q.length, full.length);
      for (let i = 0; i < q.length; i++) if (!q[i].startsWith('nanosleep bad')) assert.equal(full[i], q[i]);
    }
    // ukcf user: the same glue on the TypeScript o32 host.
    let out = '';
    const user = runTranslatedUserProgram({ isa: 'x86', program, stdout: (b) => { out += Buffer.from(b).toString('latin1'); }, stderr: () => {}, diagnostic: () => {} });
    assert.equal(user.exitCode, 0);
    assert.deepEqual(full, resultLines(out));

    // The replay: every guest call (more than the kernel saw), the same count as the block counters.
    assert.ok(r.ukcf !== null && r.ukcf.reference !== null && r.ukcf.user !== null && r.guestSyscalls !== null && r.syscalls !== null);
    assert.equal(r.ukcf.reference.exitStatus, 0);
    assert.equal(r.ukcf.reference.syscalls, r.guestSyscalls.length);
    assert.ok(r.guestSyscalls.length > r.syscalls.length, 'set_thread_area and the glue\'s -EFAULTs reach no kernel');
    assert.equal(r.ukcf.user.statistics.guestInstructionsExecuted, r.ukcf.reference.instructions);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ukcf scheme: a static glibc program (the demo) runs in the whole system; the replay of all its system calls counts what the block counters count', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ukcf-demo-'));
  try {
    const r = runScheme({ scheme: 'ukcf', workloads: workloadsWith(dir, DEMO), frames: 1 });
    assert.equal(r.status, 0, r.console);
    // Its computed lines are the real CPU's (the clock line differs: simulated time).
    const computed = (text: string) => text.split('\n').filter((l) => /^(primes below|fibonacci)/.test(l));
    assert.equal(computed(r.console).length, 2, r.console);
    if (i386Unavailable() === null) assert.deepEqual(computed(r.console), computed(spawnSync(DEMO, [], { encoding: 'latin1' }).stdout));
    assert.ok(r.ukcf !== null && r.ukcf.reference !== null && r.ukcf.user !== null && r.guestSyscalls !== null);
    const names = new Set(r.guestSyscalls.map((c) => c.name));
    for (const n of ['brk', 'set_thread_area', 'uname', 'clock_gettime', 'write', 'exit_group']) assert.ok(names.has(n), n);
    assert.ok(r.guestSyscalls.some((c) => c.result === -38), 'calls the host kernel answers ENOSYS');
    assert.equal(r.ukcf.reference.syscalls, r.guestSyscalls.length);
    assert.equal(r.ukcf.reference.exitStatus, 0);
    assert.ok(r.ukcf.reference.instructions > 1_000_000);
    assert.equal(r.ukcf.user.statistics.guestInstructionsExecuted, r.ukcf.reference.instructions);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ukcf scheme: a guest store into the translator\'s code cache, lookup table or unused host stack faults (SIGSEGV) as on i386 Linux; the reference faults at the same eip', { skip: gcc ? false : 'i686-linux-gnu-gcc not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ukcf-wild-store-'));
  try {
    // The area is the top 4 MiB of the 28 MiB window at 0x08000000: the code cache starts at its
    // base, the lookup table sits 100 KiB below its top (host stack 64 KiB, context page, table 32 KiB);
    // the host stack's lower pages are unused (the glue's frame is in its top page).
    for (const [name, address] of [['code-cache', 0x09800000], ['lookup-table', 0x09be7000 + 0x100], ['host-stack', 0x09bf0800]] as const) {
      const source = join(dir, `${name}.c`);
      writeFileSync(source, `void _start(void) { *(volatile unsigned *)0x${address.toString(16)}u = 0x12345678u; for (;;) ; }\n`);
      const program = build(dir, source, name);
      if (i386Unavailable() === null) assert.equal(spawnSync(program, []).signal, 'SIGSEGV', `${name}: the real CPU`);
      // A small budget: an unprotected store overwrites translated code and the run spins (it must not get that far).
      const r = runScheme({ scheme: 'ukcf', workloads: workloadsWith(join(dir, name + '-w'), program), frames: 1, maxInstructions: 100_000_000 });
      assert.equal(r.status, 128 + 11, r.console);
      assert.match(r.console, new RegExp(`^kernel: pid 1 killed by exception Mod at pc [0-9a-f]{8}, address ${address.toString(16).padStart(8, '0')}, guest eip 0804[0-9a-f]{4} accessing ${address.toString(16).padStart(8, '0')} \\(write\\)$`, 'm'));
      // The reference interpreter (nothing mapped there) faults at the same guest instruction, after as many.
      assert.ok(r.ukcf !== null && r.ukcf.reference !== null);
      assert.match(r.ukcf.reference.fault ?? '', new RegExp(address.toString(16)));
      assert.equal(r.ukcf.reference.exitStatus, null);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
