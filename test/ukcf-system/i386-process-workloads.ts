// For full-system tests that run an i386 program of their own in place of the player: build it
// (freestanding, static, no build id) and make a workloads folder whose player.i386 it is.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, WORKLOADS } from '../workloads/workload-files';

export const PROGRAMS = join(ROOT, 'test', 'ukcf-system', 'programs');

/** Builds the freestanding i386 C file `source` into dir/name; returns the executable's path. */
export function buildFreestandingI386(dir: string, source: string, name: string): string {
  const out = join(dir, name);
  const r = spawnSync('i686-linux-gnu-gcc', [
    '-m32', '-O1', '-ffreestanding', '-fno-pic', '-fno-pie', '-no-pie', '-fno-stack-protector', '-nostdlib', '-static',
    '-Wl,--build-id=none', '-o', out, source,
  ], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return out;
}

/** A workloads folder under dir whose i386 "player" is `program` (kernel, drivers and videos copied). */
export function workloadsWith(dir: string, program: string): string {
  const w = join(dir, 'workloads');
  for (const part of ['kernel', 'driver', 'videos']) cpSync(join(WORKLOADS, part), join(w, part), { recursive: true });
  mkdirSync(join(w, 'player'));
  copyFileSync(program, join(w, 'player', 'player.i386'));
  return w;
}
