// Builds test/session/programs/probe.c (a freestanding i386 program inside the translated subset:
// calls, loops, memory, int 0x80) into a temporary directory with the Debian cross compiler.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const PROBE_SOURCE = resolve(__dirname, 'programs', 'probe.c');

const FLAGS = ['-m32', '-march=i686', '-static', '-nostdlib', '-nostartfiles', '-ffreestanding', '-fno-pic', '-fno-pie', '-no-pie',
  '-fno-stack-protector', '-fno-asynchronous-unwind-tables', '-fno-builtin', '-mgeneral-regs-only', '-O1', '-fomit-frame-pointer',
  '-Wl,--build-id=none'];

let built: { path: string } | { skip: string } | null = null;

/** Path of the built program, or the reason it cannot be built here. */
export function probeProgram(): { path: string } | { skip: string } {
  if (built !== null) return built;
  const dir = mkdtempSync(join(tmpdir(), 'ukcf-session-'));
  const out = join(dir, 'probe');
  const r = spawnSync('i686-linux-gnu-gcc', [...FLAGS, '-o', out, PROBE_SOURCE], { encoding: 'utf8' });
  if (r.error !== undefined) built = { skip: `i686-linux-gnu-gcc is not installed (${r.error.message})` };
  else if (r.status !== 0) throw new Error(`building ${PROBE_SOURCE} failed:\n${r.stderr}`);
  else built = { path: out };
  return built;
}
