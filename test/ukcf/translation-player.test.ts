// The i386 player (workloads/player) converting two frames to stdout (`-o -`, no /dev/gfx) runs
// entirely translated — no instruction left to the interpreter — with the reference interpreter's
// exact output, and the cost goal holds on its code: at most 3.0 host MIPS instructions
// (translated code, exits, dispatch and flags glue; translator work is modelled apart) per guest
// instruction the interpreter retired for the same run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readElfFile } from '../../emulator/machine/elf';
import { X86Process } from '../../emulator/usermode/x86-process';
import { runTranslated } from './translation-run';

const PLAYER = 'workloads/player/player.i386';
const VIDEO = 'workloads/videos/testsrc-64x48.y4m';
const ARGV = ['player', '-f', '2', '-o', '-', VIDEO];
const skip = existsSync(PLAYER) && existsSync(VIDEO) ? false : `${PLAYER} or ${VIDEO} missing`;

test('player.i386 runs fully translated with the interpreter\'s output, ≤ 3.0 host instructions per guest instruction', { skip }, () => {
  const chunks: Uint8Array[] = [];
  const reference = new X86Process({ elf: readElfFile(PLAYER), argv: ARGV, stdout: (b) => chunks.push(b.slice()), stderr: () => undefined });
  const ended = reference.run(1e10);
  assert.deepEqual(ended, { kind: 'exited', exitCode: 0 });
  const guest = reference.cpu.instructionCount;

  const run = runTranslated(PLAYER, ARGV);
  assert.equal(run.untranslated, undefined, run.message);
  assert.equal(run.exitCode, 0, run.message);
  assert.ok(Buffer.compare(Buffer.from(run.stdout), Buffer.concat(chunks)) === 0, 'same output bytes');
  const ratio = run.hostInstructions / guest;
  const parts = Object.entries(run.regions).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${(n / guest).toFixed(3)}`).join(', ');
  console.log(`player: ${guest} guest instructions, ${run.hostInstructions} host instructions: ${ratio.toFixed(3)} per guest (${parts})`);
  assert.ok(ratio <= 3.0, `ratio ${ratio.toFixed(3)} exceeds the goal of 3.0`);
});
