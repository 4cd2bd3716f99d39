// `ukcf user` translated vs `--engine interp`: every i386 program the interpreter runs in the test
// suite (test/programs-i386, test/usermode/programs, the x86 differential programs, and this
// folder's system-call program) runs both ways;
// stdout, stderr, the emulator's notes, the exit status and the fault message must be the same.
// The generated x86 differential programs dump registers and EFLAGS after each case: their output
// is compared case by case with the committed native output (which the interpreter matches, see
// test/x86-differential), skipping what each case declares undefined, as the interpreter's test does.
// Every instruction is translated or raises the interpreter's guest fault: a translated run that
// stops with the 'not translated yet' error fails, as does any difference (fault messages included).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmulatorInternalError, runUserProgram } from '../../emulator/usermode/run-user-program';
import { NotTranslatedError, runTranslatedUserProgram } from '../../emulator/ukcf/user-space/translated-user-program';
import { expectedOutput, generatedPrograms } from '../x86-differential/committed-programs';
import { compareDumps } from '../x86-differential/dump-comparison';
import type { CaseSpec } from '../x86-differential/generator/case-builder';

interface Case {
  key: string;
  program: string;
  args?: (dir: string) => string[];
  stdin?: string;
  /** A generated differential program: compared case by case with its native output. */
  dumps?: { name: string; cases: CaseSpec[] };
}

const ROOT = path.join(__dirname, '..');
const cases: Case[] = [];
for (const name of ['printf-formats', 'printf-float', 'strings', 'sort-search', 'int64', 'heap-files']) {
  cases.push({ key: `programs-i386/${name}`, program: path.join(ROOT, 'programs-i386', name) });
}
const USERMODE = path.join(ROOT, 'usermode', 'programs');
cases.push(
  { key: 'usermode/hello-freestanding', program: path.join(USERMODE, 'hello-freestanding.i386') },
  { key: 'usermode/memory', program: path.join(USERMODE, 'memory.i386') },
  { key: 'usermode/fileio', program: path.join(USERMODE, 'fileio.i386'), args: (d) => [d], stdin: 'line one\nline two\n'.repeat(700) },
  { key: 'usermode/clock', program: path.join(USERMODE, 'clock.i386'), args: () => ['first', 'with space', ''] },
  { key: 'usermode/stdio', program: path.join(USERMODE, 'stdio.i386'), args: (d) => [d], stdin: 'a\nbb\n\nlonger line here\nno newline at end' },
);
for (const mode of ['exit', 'segv', 'ud2', 'div', 'abort']) {
  cases.push({ key: `usermode/fault ${mode}`, program: path.join(USERMODE, 'fault.i386'), args: () => [mode] });
}
// System calls with good and bad arguments through int $0x80, then death by a signal (SIGUSR1, or SIGTERM with an argument).
cases.push(
  { key: 'ukcf-user/syscalls', program: path.join(__dirname, 'programs', 'syscalls.i386') },
  { key: 'ukcf-user/syscalls SIGTERM', program: path.join(__dirname, 'programs', 'syscalls.i386'), args: () => ['term'] },
);
const DIFFERENTIAL = path.join(ROOT, 'x86-differential', 'built');
const generated = new Map(generatedPrograms().map((p) => [p.name, p.cases]));
for (const name of fs.readdirSync(DIFFERENTIAL).filter((n) => !n.includes('.')).sort()) {
  const dumpCases = generated.get(name);
  cases.push({ key: `x86-differential/${name}`, program: path.join(DIFFERENTIAL, name), ...(dumpCases !== undefined ? { dumps: { name, cases: dumpCases } } : {}) });
}

interface Outcome {
  stdout: string;
  stderr: string;
  notes: string[];
  exitCode: number;
  message?: string;
  untranslated?: string;
  /** The translated code or translator failed (an emulator bug, not the guest's). */
  internal?: string;
}

const MAX = 400_000_000;

function run(c: Case, engine: 'interp' | 'translated', dir: string): Outcome {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir);
  const out: Buffer[] = [], err: Buffer[] = [], notes: string[] = [];
  const options = {
    isa: 'x86' as const, program: c.program, args: c.args?.(dir) ?? [], stdin: Buffer.from(c.stdin ?? '', 'latin1'), cwd: dir,
    stdout: (b: Uint8Array) => out.push(Buffer.from(b)), stderr: (b: Uint8Array) => err.push(Buffer.from(b)), diagnostic: (l: string) => notes.push(l),
    maxInstructions: MAX,
  };
  const text = (b: Buffer[]) => Buffer.concat(b).toString('latin1');
  try {
    const r = engine === 'interp' ? runUserProgram(options) : runTranslatedUserProgram(options);
    return { stdout: text(out), stderr: text(err), notes, exitCode: r.exitCode, ...(r.message !== undefined ? { message: r.message } : {}) };
  } catch (e) {
    if (engine === 'translated' && e instanceof NotTranslatedError) {
      return { stdout: text(out), stderr: text(err), notes, exitCode: -1, untranslated: `'${e.mnemonic}' at 0x${e.eip.toString(16)}` };
    }
    if (engine === 'translated' && e instanceof EmulatorInternalError) {
      return { stdout: text(out), stderr: text(err), notes, exitCode: -1, internal: e.message };
    }
    throw e;
  }
}

const top = fs.mkdtempSync(path.join(os.tmpdir(), 'ukcf-translated-'));
const dir = path.join(top, 'run');
after(() => fs.rmSync(top, { recursive: true, force: true }));
const status: string[] = [];

/** Case-by-case comparison of a differential program's dumps. */
function dumpMismatches(c: Case, stdout: string): string[] {
  const d = c.dumps!;
  const r = compareDumps(d.name, d.cases, expectedOutput(d.name), Buffer.from(stdout, 'latin1'), 5);
  return r.mismatches.map((m) => m.description);
}

/** Why the translated run differs from the interpreter's, or null when it is the same. */
function difference(c: Case, got: Outcome): string | null {
  if (got.internal !== undefined) return `internal error: ${got.internal}`;
  if (c.dumps !== undefined) {
    const m = dumpMismatches(c, got.stdout);
    if (m.length > 0) return `cases differ from the CPU (as the interpreter matches it):\n${m.join('\n')}`;
    return got.exitCode === 0 ? null : `exit status ${got.exitCode} (${got.message ?? ''})`;
  }
  const expected = run(c, 'interp', dir);
  for (const [what, a, b] of [['stdout', got.stdout, expected.stdout], ['stderr', got.stderr, expected.stderr], ['notes', got.notes.join('\n'), expected.notes.join('\n')],
    ['exit status', String(got.exitCode), String(expected.exitCode)], ['fault message', got.message ?? '', expected.message ?? '']] as const) {
    if (a !== b) return `${what}: translated ${JSON.stringify(a.slice(0, 300))}, interp ${JSON.stringify(b.slice(0, 300))}`;
  }
  return null;
}

for (const c of cases) {
  test(`translated = interp: ${c.key}`, () => {
    const got = run(c, 'translated', dir);
    if (got.untranslated !== undefined) {
      status.push(`${c.key}: stops at ${got.untranslated}`);
      assert.fail(`${c.key}: stops at ${got.untranslated}, not translated`);
    }
    const why = difference(c, got);
    status.push(`${c.key}: ${why === null ? 'runs through, same result' : `runs through, differs (${why.split('\n')[0].slice(0, 160)})`}`);
    assert.equal(why, null, `${c.key}: ${why}`);
  });
}

test('translated = interp: summary', () => {
  const same = status.filter((s) => s.endsWith('same result')).length;
  const through = status.filter((s) => s.includes('runs through')).length;
  console.log(`translated vs interp: ${same} of ${cases.length} programs give the same result translated; ${through - same} differ; ${cases.length - through} stop untranslated`);
  for (const s of status) console.log(`  ${s}`);
  assert.equal(status.length, cases.length);
});
