// Static glibc i386 programs (test/programs-i386, outputs recorded from native runs) run translated
// with the native stdout and exit status, every instruction translated (the `mov %ax,%gs` after
// set_thread_area included: the harness records the TLS entry in the context block as USER's syscall
// glue does). printf-float (x87) is compared with the interpreter in test/ukcf-user/translated-vs-interp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { runTranslated } from './translation-run';

const PROGRAMS = ['int64', 'strings', 'sort-search', 'printf-formats'];

for (const name of PROGRAMS) {
  const path = `test/programs-i386/${name}`;
  test(`glibc program ${name} runs translated with the native output`, { skip: existsSync(path) ? false : `${path} missing` }, () => {
    const run = runTranslated(path, [name]);
    assert.equal(run.untranslated, undefined, run.message);
    assert.deepEqual(run.imprecise, []);
    assert.equal(Buffer.from(run.stdout).toString('latin1'), readFileSync(`${path}.stdout`, 'latin1'));
    assert.equal(run.exitCode, Number(readFileSync(`${path}.status`, 'utf8').trim()), run.message);
    console.log(`${name}: exit ${run.exitCode}, ${run.hostInstructions} host instructions${run.message ? `: ${run.message}` : ''}`);
  });
}
