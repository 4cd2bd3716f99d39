// The glue's ABI constants (emulator/ukcf/user-space/abi-constants.ts) against the Debian cross
// headers: every macro of the groups is compiled by i686-linux-gnu-gcc and mipsel-linux-gnu-gcc
// and its value read back from the assembly, then compared with the table (both directions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CONSTANT_GROUPS, I386_CONSTANTS, MIPS_O32_CONSTANTS, NOT_ERRNO, type AbiConstants } from '../../emulator/ukcf/user-space/abi-constants';

const HEADERS = ['asm/errno.h', 'asm/signal.h', 'asm/fcntl.h', 'asm/mman.h', 'asm/resource.h', 'asm/ioctls.h'];
/** The macro names the table holds (struct-sized ioctls like TCGETS2 and helper names are not in it). */
const NAME = /^(E[A-Z0-9]+|SIG[A-Z0-9]+|SA_[A-Z]+|O_[A-Z]+|FASYNC|F_[A-Z0-9]+|MAP_[A-Z_0-9]+|RLIMIT_[A-Z]+|TC[A-Z]+|TIOC[A-Z]+|FIO[A-Z]+)$/;
/** Names the headers define in these groups that are limits or helpers, not ABI values. */
const NOT_VALUES = new Set(['SIGRTMAX', 'SIGSTKSZ', 'MINSIGSTKSZ', 'F_LINUX_SPECIFIC_BASE', 'SIG_BLOCK', 'SIG_UNBLOCK', 'SIG_SETMASK', 'O_ACCMODE']);

function headerValues(compiler: string): Map<string, number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ukcf-abi-'));
  const prelude = HEADERS.map((h) => `#include <${h}>`).join('\n') + '\nstruct winsize { unsigned short a, b, c, d; };\n';
  fs.writeFileSync(path.join(dir, 'h.c'), prelude);
  const macros = execFileSync(compiler, ['-E', '-dM', 'h.c'], { cwd: dir, encoding: 'utf8' })
    .split('\n').map((l) => l.split(' ')[1]).filter((n): n is string => n !== undefined)
    .filter((n) => NAME.test(n) && CONSTANT_GROUPS.some(([, re]) => re.test(n)) && !NOT_VALUES.has(n) && !NOT_ERRNO.includes(n));
  const names = [...new Set(macros)].sort();
  fs.writeFileSync(path.join(dir, 'v.c'), prelude + names.map((n) => `const long long v_${n} = (long long)(${n});`).join('\n') + '\n');
  const asm = execFileSync(compiler, ['-O0', '-S', '-w', '-o', '-', 'v.c'], { cwd: dir, encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  const values = new Map<string, number>();
  let current: string | null = null;
  for (const line of asm.split('\n')) {
    const label = /^v_([A-Za-z0-9_]+):/.exec(line);
    if (label) { current = label[1]; continue; }
    const data = /^\s+\.(?:word|long|4byte)\s+(-?\d+)/.exec(line);
    if (data && current !== null) { values.set(current, Number(data[1]) | 0); current = null; }
  }
  return values;
}

function compare(table: AbiConstants, compiler: string): void {
  const values = headerValues(compiler);
  const flat = new Map<string, number>();
  for (const [group] of CONSTANT_GROUPS) for (const [n, v] of Object.entries(table[group])) flat.set(n, v | 0);
  for (const [n, v] of values) assert.equal(flat.get(n), v, `${compiler}: ${n}`);
  for (const [n, v] of flat) assert.equal(values.get(n), v, `${compiler}: ${n} is in the table but not in the headers`);
  assert.ok(values.size > 250, `${values.size} constants compared`);
}

const missing = ['i686-linux-gnu-gcc', 'mipsel-linux-gnu-gcc'].filter((c) => spawnSync(c, ['--version']).status !== 0);
const skip = missing.length > 0 ? `cross compiler missing: ${missing.join(', ')}` : false;

test('i386 constants match the i686 cross headers', { skip }, () => compare(I386_CONSTANTS, 'i686-linux-gnu-gcc'));
test('MIPS o32 constants match the mipsel cross headers', { skip }, () => compare(MIPS_O32_CONSTANTS, 'mipsel-linux-gnu-gcc'));
