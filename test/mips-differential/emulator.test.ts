// Every committed mipsel program, run by runUserProgram({ isa: 'mips' }), must print what
// qemu-mipsel printed and end with the same exit status.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runUserProgram } from '../../emulator/usermode/run-user-program';
import { REPO_ROOT, mipsPrograms, readExpectation } from './program-set';
import { describeStateDifference } from './state-dump';

const { programs } = mipsPrograms();

for (const program of programs) {
  test(`${program.name} matches qemu-mipsel -cpu ${program.qemuCpu}`, () => {
    const expected = readExpectation(program);
    const stdout: Uint8Array[] = [];
    const stderr: Uint8Array[] = [];
    const result = runUserProgram({
      isa: 'mips',
      program: program.binary,
      args: program.args,
      env: program.env,
      cwd: REPO_ROOT,
      stdin: Buffer.from(program.stdin),
      stdout: (b) => stdout.push(Uint8Array.from(b)),
      stderr: (b) => stderr.push(Uint8Array.from(b)),
      diagnostic: () => {}, // e.g. the deliberately unknown system call 4999
      maxInstructions: 50_000_000,
    });
    const out = Buffer.concat(stdout);
    if (program.stateDumps) {
      const difference = describeStateDifference(program, expected.stdout, out);
      assert.equal(difference, null, difference ?? '');
    } else {
      assert.equal(out.toString('latin1'), expected.stdout.toString('latin1'), `${program.name}: stdout`);
    }
    assert.equal(result.exitCode, expected.exitCode, `${program.name}: exit status (${result.message ?? 'no message'})`);
    if (expected.stderr) assert.equal(Buffer.concat(stderr).toString('latin1'), expected.stderr.toString('latin1'), `${program.name}: stderr`);
    if (expected.exitCode >= 128) assert.ok(result.message, `${program.name}: an abnormal end explains itself`);
  });
}
