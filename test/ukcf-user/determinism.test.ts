// A translated run is deterministic: the same program twice gives the same output and the same
// exact counts (host instructions per region, guest instructions, translator statistics), whatever
// the simulator's block compiler did on the way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { runTranslatedUserProgram } from '../../emulator/ukcf/user-space/translated-user-program';

function once(program: string, counting: boolean, maxInstructions?: number) {
  const out: Buffer[] = [];
  const r = runTranslatedUserProgram({
    isa: 'x86', program, stdout: (b) => out.push(Buffer.from(b)), stderr: () => {}, diagnostic: () => {}, countGuestInstructions: counting, maxInstructions,
  });
  return { output: Buffer.concat(out).toString('latin1'), exitCode: r.exitCode, host: r.hostInstructions, regions: r.regions, statistics: r.statistics, guest: r.instructions };
}

test('the same translated run twice: same output and counts', () => {
  // The CPU-bound loop stops at a budget of host instructions (exit 124), at the same place each time.
  for (const [program, budget] of [[path.join(__dirname, 'programs', 'syscalls.i386'), undefined], [path.join(__dirname, '..', '..', 'bench', 'programs', 'x86-cpu-loop'), 20_000_000]] as const) {
    const a = once(program, true, budget), b = once(program, true, budget);
    assert.deepEqual(b, a, program);
    assert.ok(a.host > a.guest && a.guest > 1000, `${a.host} host / ${a.guest} guest instructions`);
    // Counting block entries adds exactly 4 host instructions per block entry and changes nothing else.
    if (budget === undefined) {
      const plain = once(program, false);
      assert.equal(plain.output, a.output);
      assert.equal(plain.host, a.host - 4 * (a.statistics.blockEntries ?? 0));
    } else assert.equal(a.exitCode, 124);
  }
});
