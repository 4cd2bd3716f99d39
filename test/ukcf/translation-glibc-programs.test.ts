// Static glibc i386 programs (test/programs-i386, outputs recorded from native runs) run translated
// with the native stdout and exit status. The only instruction left to the interpreter is the
// `mov %ax,%gs` right after set_thread_area (in this standalone harness the TLS descriptor table of
// the user translator's syscall glue is empty, so the translation stops cleanly there); every %gs
// access after it runs translated through the context block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { decodeInstruction } from '../../emulator/x86/decoder';
import { readElfFile } from '../../emulator/machine/elf';
import { runHybrid } from './translation-hybrid-run';

const PROGRAMS = ['int64', 'strings', 'sort-search', 'printf-formats'];

for (const name of PROGRAMS) {
  const path = `test/programs-i386/${name}`;
  test(`glibc program ${name} runs translated with the native output`, { skip: existsSync(path) ? false : `${path} missing` }, () => {
    const run = runHybrid(path, [name]);
    assert.deepEqual(run.imprecise, []);
    assert.equal(Buffer.from(run.stdout).toString('latin1'), readFileSync(`${path}.stdout`, 'latin1'));
    assert.equal(run.exitCode, Number(readFileSync(`${path}.status`, 'utf8').trim()), run.message);
    // Which instructions the interpreter ran: decode them from the executable's text.
    const elf = readElfFile(path);
    const text = elf.sections.find((s) => s.name === '.text');
    assert.ok(text !== undefined);
    const fetch = (a: number) => elf.bytes[text.offset + (a - text.addr)];
    const ops = run.fallbacks.map((f) => decodeInstruction(fetch, f.eip).entry?.op ?? '?');
    assert.ok(ops.every((op) => op === 'mov_to_seg'), `fallbacks: ${ops.join(', ')}`);
    assert.ok(ops.length <= 2);
    console.log(`${name}: exit ${run.exitCode}, ${run.hostInstructions} host instructions, interpreter ran: ${ops.join(', ') || 'nothing'}`);
  });
}
