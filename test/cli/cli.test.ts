// The bundled command line, as a user runs it: `node dist/cli.js ...` (built first), checked
// for exit codes, stdout/stderr contents and the absence of stack traces.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import packageJson from '../../package.json';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const PROGRAMS = join(ROOT, 'test', 'usermode', 'programs');

before(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
});

function ukcf(args: string[], input = '') {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'latin1', cwd: ROOT, timeout: 120_000 });
  assert.doesNotMatch(r.stderr, /\n\s+at .*:\d+:\d+/, 'no stack trace');
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--version and --help', () => {
  assert.deepEqual(ukcf(['--version']), { code: 0, stdout: `ukcf ${packageJson.version}\n`, stderr: '' });
  const help = ukcf(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: ukcf <command>/);
  assert.match(help.stdout, /user \[--engine translated\|interp\]/);
});

test('usage errors exit 2 with a message and the usage text', () => {
  for (const [args, message] of [
    [[], /ukcf: no command given/],
    [['frobnicate'], /ukcf: unknown command 'frobnicate'/],
    [['--frobnicate'], /ukcf: unknown option '--frobnicate'/],
    [['user'], /ukcf: 'user' needs a PROGRAM/],
    [['user', '--bogus', 'x'], /ukcf: unknown option '--bogus' for 'user'/],
    [['user', '--engine', 'jit', 'x'], /ukcf: unknown engine 'jit' \(available: translated, interp\)/],
    [['user', '--engine'], /ukcf: option '--engine' needs a value/],
    [['user', '--max-instructions', 'many', 'x'], /--max-instructions needs a positive integer, got 'many'/],
    [['mips', '--engine', 'interp', 'x'], /unknown option '--engine' for 'mips'/],
    [['demo', 'extra'], /'demo' takes no arguments/],
  ] as [string[], RegExp][]) {
    const r = ukcf(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, message);
    assert.match(r.stderr, /usage: ukcf/);
    assert.equal(r.stdout, '');
  }
});

test('bad programs exit 1 with one clear line', () => {
  const cases: [string[], string][] = [
    [['user', '/nonexistent/prog'], 'ukcf: /nonexistent/prog: cannot read: no such file\n'],
    [['user', 'README.md'], 'ukcf: README.md: not an ELF file (bad magic number)\n'],
    [['user', 'test/usermode/programs/clock.mipsel'], 'ukcf: test/usermode/programs/clock.mipsel: wrong machine EM_MIPS for isa x86 (expected an i386 executable)\n'],
    [['user', 'test'], 'ukcf: test: cannot read: is a directory\n'],
    [['mips', 'README.md'], 'ukcf: README.md: not an ELF file (bad magic number)\n'],
    [['mips', 'test/usermode/programs/clock.i386'], 'ukcf: test/usermode/programs/clock.i386: wrong machine EM_386 for isa mips (expected a mipsel executable)\n'],
  ];
  for (const [args, stderr] of cases) assert.deepEqual(ukcf(args), { code: 1, stdout: '', stderr });
});

test('user: guest output, arguments (even ones that look like options), exit status', () => {
  const r = ukcf(['user', '--engine', 'interp', join(PROGRAMS, 'clock.i386'), '--help', 'two words']);
  assert.equal(r.code, 7);
  assert.match(r.stdout, /^argc 3\nargv\[1\] = '--help'\nargv\[2\] = 'two words'\n/);
  assert.equal(r.stderr, '');
});

test('user: host stdin reaches the guest', () => {
  const r = ukcf(['user', '--engine', 'interp', join(PROGRAMS, 'fileio.i386'), '/tmp'], 'x'.repeat(12345));
  assert.equal(r.code, 0);
  assert.match(r.stdout, /\nstdin 12345 bytes checksum [0-9a-f]{8}\n$/);
  assert.equal(r.stderr, 'fileio: done\n');
});

test('user: a crash is 128+signal with the reason on stderr; --stats; the instruction budget', () => {
  const segv = ukcf(['user', '--engine', 'interp', join(PROGRAMS, 'fault.i386'), 'segv']);
  assert.equal(segv.code, 139);
  assert.equal(segv.stdout, 'mode segv\n');
  assert.match(segv.stderr, /^ukcf: segmentation fault at eip=0x[0-9a-f]{8} accessing 0x00000000 \(write\)\n$/);
  const div = ukcf(['user', '--engine', 'interp', '--stats', join(PROGRAMS, 'fault.i386'), 'div']);
  assert.equal(div.code, 136);
  assert.match(div.stderr, /^ukcf: divide error at eip=0x[0-9a-f]{8}\nukcf: \d+ instructions retired, exit status 136\n$/);
  const budget = ukcf(['user', '--engine', 'interp', '--max-instructions=5000', join(PROGRAMS, 'memory.i386')]);
  assert.equal(budget.code, 124);
  assert.match(budget.stderr, /^ukcf: instruction budget of 5000 exhausted at eip=0x[0-9a-f]{8}\n$/);
});

test('mips: runs a mipsel program on the MIPS simulator', () => {
  const r = ukcf(['mips', join(PROGRAMS, 'hello-freestanding.mipsel')]);
  assert.equal(r.stdout, 'hello from a freestanding program\n');
  assert.equal(r.code, 5);
});

test('demo: the bundled program, its output matching a native run, and the instruction count', () => {
  const r = ukcf(['demo']);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^UKCF demo: an i386 program on the x86 reference interpreter \(Linux 6\.1\.0-ukcf i686\)\n/);
  const footer = /\n\[ukcf\] ([\d,]+) x86 instructions retired by the reference interpreter; exit status 0\n$/.exec(r.stdout);
  assert.ok(footer, 'footer with the instruction count');
  assert.ok(Number(footer[1].replace(/,/g, '')) > 100_000);
  const native = spawnSync(join(ROOT, 'workloads', 'demo', 'demo.i386'), { encoding: 'latin1' });
  if (native.status === 0) {
    // Everything but the uname line and the clock line is the same computation.
    const body = (s: string) => s.split('\n').slice(1).filter((l) => !l.startsWith('simulated time') && !l.startsWith('[ukcf]')).join('\n').trim();
    assert.equal(body(r.stdout), body(native.stdout));
    assert.ok(body(native.stdout).split('\n').length > 25);
  }
});

test('--strace prints each system call on stderr, output unchanged (both ISAs)', () => {
  for (const [cmd, suffix] of [['user', 'i386'], ['mips', 'mipsel']]) {
    const engine = cmd === 'user' ? ['--engine', 'interp'] : [];
    const plain = ukcf([cmd, ...engine, join(PROGRAMS, `clock.${suffix}`), 'x']);
    const traced = ukcf([cmd, ...engine, '--strace', join(PROGRAMS, `clock.${suffix}`), 'x']);
    assert.equal(traced.code, 7);
    assert.equal(traced.stdout, plain.stdout);
    const lines = traced.stderr.trimEnd().split('\n');
    assert.ok(lines.every((l) => l.startsWith('[syscall] ')), traced.stderr);
    assert.ok(lines.some((l) => /^\[syscall\] readlink\("\/proc\/self\/exe", 0x[0-9a-f]+, 4096\) = \d+$/.test(l)));
    assert.ok(lines.some((l) => /^\[syscall\] clock_gettime64\(99, 0x[0-9a-f]+\) = -1 EINVAL$/.test(l)));
    assert.equal(lines[lines.length - 1], '[syscall] exit_group(7) = 0');
  }
});

test('stdin is read only when the guest reads it: an open, silent stdin does not hold up a run', async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [CLI, 'user', '--engine', 'interp', join(PROGRAMS, 'clock.i386')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => { child.kill(); resolve(null); }, 60_000);
    child.on('exit', (c) => { clearTimeout(timer); resolve(c); });
  });
  child.stdin.destroy();
  assert.equal(code, 7, 'exited by itself with stdin still open');
  assert.match(stdout, /^argc 1\n/);
});

test('stdin is pulled as the guest reads: a line-by-line reader sees input written after it started', async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [CLI, 'user', '--engine', 'interp', join(PROGRAMS, 'fileio.i386'), '/tmp'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
  child.stdin.write('x'.repeat(1000));
  setTimeout(() => child.stdin.end('y'.repeat(234)), 500);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0);
  assert.match(stdout, /\nstdin 1234 bytes checksum [0-9a-f]{8}\n$/);
});
