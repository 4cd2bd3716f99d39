// The x86 disassembler against GNU objdump (`i686-linux-gnu-objdump -D -b binary -m i386`,
// AT&T and `-M intel`): many encodings are laid end to end in one blob, objdump disassembles
// the blob once per syntax, and every line must match our text exactly (and our length must
// match objdump's). Inputs: generated encodings of every table entry, hand-picked prefix and
// addressing corner cases, random byte streams, and the whole .text of a static glibc program
// compiled here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { objdumpListing, objdumpUnavailableReason } from './disassembler-objdump-oracle';
import { generateTableEncodings, hexBytes, locationName, Prng } from './disassembler-encodings';
import { addressBefore, AsmSyntax, disassemble, formatInstruction, formatListingLine } from '../../emulator/x86/disassembler';
import { decodeInstruction, DecodedInstruction } from '../../emulator/x86/decoder';
import { PagedMemory, PROT_READ, PROT_EXEC } from '../../emulator/machine/paged-memory';

const objdumpMissing = objdumpUnavailableReason();
const SYNTAXES: AsmSyntax[] = ['att', 'intel'];
/** Where the blobs are loaded: a typical i386 text address, so targets are realistic. */
const VMA = 0x08048000;

/** Encodings objdump spells or measures differently on purpose; each is counted, never compared. */
const NOT_COMPARED: { reason: string; applies: (d: DecodedInstruction) => boolean }[] = [
  { reason: 'invalid encodings (objdump prints (bad), with lengths of its own)', applies: (d) => d.status === 'invalid' },
  {
    reason: 'out-of-scope instructions the table leaves opaque (x87, SSE/MMX, 3DNow!, system groups): our text is "<name> (not emulated)"',
    applies: (d) => formatInstruction(d, [], 'att').endsWith('not emulated)'),
  },
  { reason: 'fwait (9B): objdump folds it into the following x87 instruction', applies: (d) => d.opcode === 0x9b },
  { reason: 'salc (D6): objdump does not know it ((bad)); we print salc', applies: (d) => d.opcode === 0xd6 },
  { reason: 'ud0 (0F FF): decoder takes no ModRM (AMD); objdump reads one (Intel)', applies: (d) => d.opcode === 0x0fff },
  {
    reason: '0F 1A/1B (MPX) and 0F 1C (cldemote): hint NOPs on this i686, named by objdump',
    applies: (d) => d.opcode === 0x0f1a || d.opcode === 0x0f1b || d.opcode === 0x0f1c,
  },
  {
    reason: 'reported decoder bugs #3 (#UD register forms of lss/lfs/lgs/FF /3 /5 called unsupported) and #4 (0F B8 without F3)',
    applies: (d) =>
      (d.opcode === 0x0fb8 && d.rep !== 'rep') ||
      (d.modrm >> 6 === 3 && d.modrm >= 0 && ['bound', 'les', 'lds', 'lss', 'lfs', 'lgs', 'lcall', 'ljmp'].includes(d.entry?.mnemonic ?? '')),
  },
];

function notComparedReason(d: DecodedInstruction): string | null {
  return NOT_COMPARED.find((n) => n.applies(d))?.reason ?? null;
}

interface Case {
  label: string;
  bytes: Uint8Array;
}

interface Comparison {
  compared: number;
  skipped: Map<string, number>;
  failures: string[];
}

/** Lays the cases end to end at VMA, runs objdump once per syntax, compares every line. */
function compareWithObjdump(cases: readonly Case[]): Comparison {
  const kept: { c: Case; address: number; insn: DecodedInstruction }[] = [];
  const skipped = new Map<string, number>();
  const parts: number[] = [];
  for (const c of cases) {
    const probe = decodeInstruction((a) => c.bytes[a] ?? 0, 0);
    const why = notComparedReason(probe);
    if (why !== null) {
      skipped.set(why, (skipped.get(why) ?? 0) + 1);
      continue;
    }
    const address = VMA + parts.length;
    const insn = decodeInstruction((a) => c.bytes[(a - address) >>> 0] ?? 0, address);
    kept.push({ c, address, insn });
    for (let i = 0; i < insn.length; i++) parts.push(c.bytes[i]);
  }
  const blob = Uint8Array.from(parts);
  const failures: string[] = [];
  for (const syntax of SYNTAXES) {
    const listing = objdumpListing(blob, VMA, syntax);
    for (const k of kept) {
      const line = listing.get(k.address);
      const ours = formatInstruction(k.insn, k.c.bytes, syntax);
      let problem = '';
      if (line === undefined) problem = `objdump has no instruction here (out of step after an earlier length disagreement?)`;
      else if (line.bytes.length !== k.insn.length) problem = `length ${k.insn.length}, objdump ${line.bytes.length} (${line.text})`;
      else if (line.text !== ours) problem = `ours ${JSON.stringify(ours)}, objdump ${JSON.stringify(line.text)}`;
      if (problem !== '' && failures.length < 40) failures.push(`${syntax} ${k.c.label} [${hexBytes(k.c.bytes.subarray(0, k.insn.length))}]: ${problem}`);
    }
  }
  return { compared: kept.length, skipped, failures };
}

function report(t: { diagnostic(message: string): void }, r: Comparison): void {
  t.diagnostic(`${r.compared} instructions compared in AT&T and Intel syntax`);
  for (const [reason, n] of r.skipped) t.diagnostic(`  not compared (${n}): ${reason}`);
}

test('text of generated encodings of every table entry matches objdump (AT&T and Intel)', { skip: objdumpMissing ?? false }, (t) => {
  const encodings = generateTableEncodings(0xd15a, 32, ['ok', 'unsupported'], { addressSize: true, redundant: true });
  const r = compareWithObjdump(encodings.map((g) => ({ label: locationName(g.location), bytes: g.bytes })));
  report(t, r);
  assert.deepEqual(r.failures, []);
  // Every in-scope entry of the table took part.
  const comparedNames = new Set(
    encodings.filter((g) => notComparedReason(g.decoded) === null).map((g) => locationName(g.location)),
  );
  const missing = encodings
    .filter((g) => g.location.entry.status === 'ok' && !comparedNames.has(locationName(g.location)))
    .map((g) => locationName(g.location));
  const documented = ['0f 1a nop', '0f 1b nop', '0f 1c nop', '0f ff ud0'];
  assert.deepEqual([...new Set(missing)].filter((n) => !documented.includes(n)), []);
});

// Prefix, hint, addressing and immediate corner cases (the expected text comes from objdump).
const CORNER_CASES = `
f3 90 | f3 0f 1e fb | f3 0f 1e fa | f3 0f bc c1 | f3 0f bd 00 | f3 0f b8 c1 | 66 f3 0f bc 00
3e ff e0 | 3e ff 20 | f2 ff d0 | f2 c3 | f2 e8 00 00 00 00 | f2 74 00 | f2 eb fe
2e 74 00 | 3e 0f 84 00 00 00 00 | 2e e3 00 | 3e e2 00 | 64 74 00 | 3e eb 00 | 2e e8 00 00 00 00
f3 c3 | f3 a4 | f2 a6 | f3 ae | 66 f3 ab | 64 a4 | 64 aa | 26 ac | 2e d7 | f3 6c | f3 6f | f2 a5 | f3 f2 a6
66 90 | 66 66 90 | 66 98 | 66 99 | 98 | 99 | 66 c3 | 66 c2 08 00 | 66 c9 | 66 c8 10 00 01 | 66 9c | 66 60
66 e8 00 00 | 66 e9 00 80 | 66 0f 84 00 80 | 66 eb 00 | 66 74 fe | 66 f4 | 66 0f a2 | 66 d7 | 66 cd 80
8b 04 24 | 8b 04 64 | 8b 04 20 | 8b 04 25 00 10 00 00 | 8b 04 8d fc ff ff ff | 8b 05 fc ff ff ff
a1 fc ff ff ff | 64 a1 00 00 00 00 | 65 8b 0d 14 00 00 00 | 2e a3 00 00 00 80 | 65 a1 14 00 00 00
8d 04 25 00 00 00 00 | 8d 05 10 00 00 00 | 8d 76 00 | 8d b4 26 00 00 00 00 | 8d 74 26 00 | 3e 8d 00
8b 84 24 00 00 00 00 | 8b 80 00 00 00 80 | 8b 44 8d fc | 89 6c 24 fc | 36 8b 45 00 | 3e 8b 04 24
f0 0f b1 0a | f0 f2 01 00 | f3 f0 87 00 | f3 c6 00 01 | f3 89 00 | f2 89 00 | f2 86 00 | f3 87 00 | f0 01 c0
8c c0 | 66 8c c0 | 8c 00 | 66 8c 00 | 8e d8 | 66 8e d8 | 8e 18 | 0f a0 | 66 0f a1 | 06 | 66 1f | 0f a8
9a 00 00 00 00 23 00 | ea 78 56 34 12 23 00 | ff 18 | 66 ff 18 | ff 2c 24 | 66 ff 10 | 66 ff d0 | ff 74 24 04
c8 10 00 00 | cd 80 | cc | ce | d4 0a | d5 0a | d4 10 | e4 60 | e5 60 | ec | ed | 66 ed | ee | ef | e6 80 | 66 e7 80
6a ff | 66 6a ff | 68 00 00 00 80 | 66 68 00 80 | 83 c0 ff | 66 83 c0 ff | 80 c0 80 | 69 c0 00 01 00 00 | 6b c0 ff
0f a4 c1 05 | 0f a5 c1 | 0f ac 00 05 | d1 e0 | d0 e0 | d3 e0 | c1 e0 05 | d1 20 | d1 30 | c0 30 05 | d2 30
0f ba e0 05 | 0f ba 20 05 | 66 0f ba 20 05 | 0f c8 | 66 0f c8 | 0f a3 c0 | 66 0f ab 00
0f 1f 00 | 0f 1f 44 00 00 | 66 0f 1f 44 00 00 | 0f 1f 84 00 00 00 00 00 | 66 2e 0f 1f 84 00 00 00 00 00
0f 18 00 | 0f 18 08 | 0f 18 20 | 0f 0d 08 | 0f 0d 00 | 0f 19 c0 | 66 0f 1e 00
0f b6 c0 | 0f b7 00 | 0f be 00 | 66 0f be c0 | 0f bf c0 | 66 0f b6 00 | 0f 44 c1 | 0f 95 c0 | 0f 9f 00
0f 0b | 0f b9 c0 | 0f a2 | 0f 31 | 62 00 | 66 62 00 | c4 00 | c5 00 | 0f b2 00 | 66 0f b5 00 | 63 c0 | 63 00
0f 02 c0 | 0f 03 00 | 0f c7 f0 | 0f c7 08 | f0 0f c7 08 | cf | 66 cf | cb | ca 04 00 | 66 cb | f1 | fa | fb | f4
0f 05 | 0f 34 | 0f 35 | 27 | 2f | 37 | 3f | 9e | 9f | f5 | f8 | f9 | fc | fd | c9 | 61 | 9d | 60 | 9c | c3
67 e1 00 | 67 e0 00 | 67 e2 00 | 67 e3 00 | 67 8b 86 fc ff | 67 8b 46 00 | 67 8b 86 00 80 | 67 8b 06 00 80
67 64 8b 06 00 80 | 67 36 8b 07 | 67 3e 8b 02 | 67 a1 00 10 | 67 64 a1 00 10 | 67 a2 00 80 | 67 a4 | 67 64 a5
67 aa | 67 f3 ab | 67 ae | 67 a6 | 67 d7 | 67 64 d7 | 67 8d 00 | 67 8d 06 34 12 | 67 c7 00 01 00 00 00 | 67 ff 10
67 0f b6 00 | 67 6c | 67 6f | 67 66 ad | 66 67 ad | 67 67 8b 00 | 67 90 | 67 c4 00 | 67 ff 18 | 67 62 00 | 67 f0 ff 07
3e 64 ff 20 | 64 3e ff 20 | 3e 3e ff d0 | 2e 2e 74 00 | 2e 64 74 00 | 64 2e 74 00 | 2e 3e 74 00 | 3e 2e 0f 85 00 00 00 00
e8 fb ff ff ff | e9 00 00 00 80 | eb 80 | e3 fe | e0 00 | e1 00 | e2 fe | 0f 8f 00 00 00 00 | 7f 80
`
  .split(/[|\n]/)
  .map((s) => s.trim())
  .filter((s) => s.length > 0)
  .map((s) => ({ label: 'corner case', bytes: Uint8Array.from(s.split(' ').map((b) => parseInt(b, 16))) }));

test('text of prefix, hint, addressing and immediate corner cases matches objdump', { skip: objdumpMissing ?? false }, (t) => {
  const r = compareWithObjdump(CORNER_CASES);
  report(t, r);
  assert.deepEqual(r.failures, []);
  assert.ok(r.compared > CORNER_CASES.length * 0.9, `only ${r.compared} of ${CORNER_CASES.length} corner cases compared`);
});

test('text of random byte streams matches objdump', { skip: objdumpMissing ?? false }, (t) => {
  const rng = new Prng(0xab1e);
  const cases: Case[] = [];
  const buf = new Uint8Array(1 << 17);
  for (let i = 0; i < buf.length; i++) buf[i] = rng.byte();
  for (let pos = 0; pos + 16 < buf.length && cases.length < 30_000; ) {
    const d = decodeInstruction((a) => buf[a], pos);
    const length = Math.max(1, d.length);
    cases.push({ label: `random +${pos}`, bytes: buf.slice(pos, pos + length) });
    pos += length;
  }
  const r = compareWithObjdump(cases);
  report(t, r);
  assert.deepEqual(r.failures, []);
  assert.ok(r.compared > 20_000);
});

function which(tool: string): boolean {
  return spawnSync(tool, ['--version'], { encoding: 'utf8' }).status === 0;
}
const gccMissing = which('i686-linux-gnu-gcc') && which('i686-linux-gnu-objcopy') ? null : 'i686-linux-gnu-gcc/objcopy not found (install gcc-i686-linux-gnu and libc6-dev-i386-cross)';

test('a static glibc program: every instruction of .text as objdump prints it; addressBefore() finds its boundaries', { skip: objdumpMissing ?? gccMissing ?? false }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ukcf-disasm-'));
  try {
    const source = join(dir, 'prog.c');
    writeFileSync(
      source,
      '#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n' +
        'int main(int argc, char **argv) { char b[64]; snprintf(b, sizeof b, "%d %s", argc, argv[0]);\n' +
        '  printf("%s %lld\\n", b, atoll(argv[0]) / 7); return (int)strlen(b); }\n',
    );
    const exe = join(dir, 'prog');
    const cc = spawnSync('i686-linux-gnu-gcc', ['-static', '-O2', '-Wl,--build-id=none', source, '-o', exe], { encoding: 'utf8' });
    if (cc.status !== 0) {
      t.skip(`static link failed (libc6-dev-i386-cross missing?): ${cc.stderr.slice(0, 200)}`);
      return;
    }
    const textFile = join(dir, 'text.bin');
    assert.equal(spawnSync('i686-linux-gnu-objcopy', ['-O', 'binary', '-j', '.text', exe, textFile]).status, 0);
    const headers = spawnSync('i686-linux-gnu-objdump', ['-h', exe], { encoding: 'utf8' }).stdout;
    const m = /\s\.text\s+([0-9a-f]+)\s+([0-9a-f]+)/.exec(headers);
    assert.ok(m, 'no .text section header');
    const vma = parseInt(m[2], 16);
    const text = readFileSync(textFile);
    const fetch = (a: number): number => {
      const i = a - vma;
      if (i < 0 || i >= text.length) throw new RangeError(`outside .text: 0x${a.toString(16)}`);
      return text[i];
    };
    let compared = 0;
    let notEmulated = 0;
    const failures: string[] = [];
    const listings = SYNTAXES.map((syntax) => objdumpListing(text, vma, syntax));
    // Walk objdump's instruction boundaries, so one disagreement cannot put us out of step.
    for (const [address, line] of listings[0]) {
      if (address + 16 > vma + text.length) continue;
      const bytes = text.subarray(address - vma, address - vma + 16);
      const insn = decodeInstruction(fetch, address);
      for (let s = 0; s < SYNTAXES.length; s++) {
        const theirs = s === 0 ? line : listings[s].get(address);
        const ours = formatInstruction(insn, bytes, SYNTAXES[s]);
        if (insn.status === 'invalid' || ours.endsWith('not emulated)')) {
          notEmulated++;
          continue;
        }
        compared++;
        if ((theirs === undefined || ours !== theirs.text || insn.length !== theirs.bytes.length) && failures.length < 40) {
          failures.push(`${SYNTAXES[s]} 0x${address.toString(16)} [${hexBytes(bytes.subarray(0, insn.length))}]: ours ${JSON.stringify(ours)}, objdump ${JSON.stringify(theirs?.text)} (${theirs?.bytes.length} bytes)`);
        }
      }
    }
    t.diagnostic(`${compared / 2} instructions compared per syntax; ${notEmulated / 2} out of scope (x87/SSE in glibc) or invalid (padding, data)`);
    assert.deepEqual(failures, []);
    assert.ok(compared > 100_000);

    // Scrolling backwards: addressBefore() must find objdump's boundary `count` instructions up.
    const starts = [...listings[0].keys()];
    const rng = new Prng(0xbac);
    let found = 0;
    const tries = 500;
    for (let k = 0; k < tries; k++) {
      const i = 64 + rng.below(starts.length - 128);
      const count = 1 + rng.below(32);
      if (addressBefore(fetch, starts[i], count) === starts[i - count]) found++;
    }
    t.diagnostic(`addressBefore found objdump's boundary in ${found} of ${tries} random tries`);
    assert.ok(found >= tries * 0.98, `addressBefore right only ${found} of ${tries} times`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('disassemble() lists instructions from guest memory with addresses and bytes', { skip: objdumpMissing ?? false }, () => {
  const memory = new PagedMemory();
  const base = 0x0804a000;
  memory.map(base, 0x1000, PROT_READ | PROT_EXEC);
  // push %ebp; mov %esp,%ebp; mov 0x8(%ebp),%eax; call +0; lock incl (%eax); leave; ret; and,
  // straddling the end of the mapped page, a mov whose immediate is cut off.
  const code = [0x55, 0x89, 0xe5, 0x8b, 0x45, 0x08, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xf0, 0xff, 0x00, 0xc9, 0xc3];
  memory.poke(base, Uint8Array.from(code));
  const fetch = (a: number) => memory.read8(a);
  const listing = objdumpListing(Uint8Array.from(code), base, 'att');
  const lines = disassemble(fetch, base, 7);
  assert.equal(lines.length, 7);
  for (const line of lines) {
    const o = listing.get(line.address);
    assert.ok(o, `objdump has no instruction at 0x${line.address.toString(16)}`);
    assert.equal(line.text, o.text);
    assert.equal(line.bytes, hexBytes(o.bytes));
    assert.equal(line.status, 'ok');
    assert.match(formatListingLine(line), new RegExp(`^ *${line.address.toString(16)}:\\t${line.bytes}\\s*\\t`));
  }
  assert.equal(lines[lines.length - 1].address, base + code.length - 1);
  // Backwards from the call: nothing readable lies below `base`, and the boundaries are known.
  assert.equal(addressBefore(fetch, lines[3].address, 3), lines[0].address);
  assert.equal(addressBefore(fetch, lines[3].address, 1), lines[2].address);
  assert.equal(addressBefore(fetch, base, 2), base - 2, 'nothing decodable before the mapping: fall back');

  const end = base + 0x1000;
  memory.poke(end - 2, Uint8Array.from([0xb8, 0x78])); // mov $imm32,%eax with 3 bytes unmapped
  const cut = disassemble(fetch, end - 2, 3, 'intel');
  assert.deepEqual(
    cut.map((l) => [l.address, l.length, l.status, l.bytes]),
    [
      [end - 2, 1, 'unreadable', 'b8 78'],
      [end - 1, 1, 'unreadable', '78'],
      [end, 1, 'unreadable', ''],
    ],
  );
  assert.match(cut[0].text, /unreadable memory at 0x804b000/);
});

test('formatting never fails on anything the decoder returns (random bytes, all prefixes)', () => {
  const rng = new Prng(0xf00d);
  const tricky = [0x0f, 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];
  const buf = new Uint8Array(1 << 16);
  for (let i = 0; i < buf.length; i++) buf[i] = rng.below(4) === 0 ? rng.pick(tricky) : rng.byte();
  const seen = new Set<string>();
  for (let pos = 0; pos + 16 < buf.length; pos++) {
    const d = decodeInstruction((a) => buf[a], pos);
    for (const syntax of SYNTAXES) {
      const text = formatInstruction(d, buf.subarray(pos, pos + 16), syntax);
      assert.ok(text.length > 0 && !/undefined|NaN/.test(text), `[${hexBytes(buf.subarray(pos, pos + d.length))}] ${syntax}: ${JSON.stringify(text)}`);
      seen.add(d.status);
    }
  }
  assert.deepEqual([...seen].sort(), ['invalid', 'ok', 'unsupported']);
});
