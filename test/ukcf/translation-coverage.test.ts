// Every instruction form the decoder accepts is either translated or a guest fault with the reference
// interpreter's report: all one-byte and 0F opcodes, with register and memory ModRM forms (SIB and
// disp32 included), every ModRM.reg, under no prefix, 0x66, 0x67, lock and rep prefixes. A form the
// front end leaves as an 'untranslated' stop must be one for which instructionFault reports a fault.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeInstruction } from '../../emulator/x86/decoder';
import { buildBlock, instructionFault } from '../../emulator/ukcf/x86-front-end';

const AT = 0x1000;
const PREFIXES = [[], [0x66], [0x67], [0xf0], [0xf3], [0xf2], [0x66, 0xf3]];
const MODRMS = [[0xc1], [0x00], [0x05, 0x10, 0x20, 0x30, 0x40], [0x44, 0x8d, 0x08], [0x80, 0x00, 0x10, 0x00, 0x00]];

test('every decoded instruction form is translated or raises the interpreter\'s guest fault', () => {
  let translated = 0;
  let faults = 0;
  const stops: string[] = [];
  for (const prefix of PREFIXES) {
    for (const escape of [[], [0x0f]]) {
      for (let opcode = 0; opcode < 256; opcode++) {
        if (escape.length === 0 && (opcode === 0x0f || [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3].includes(opcode))) continue;
        for (const modrm of MODRMS) {
          for (let reg = 0; reg < 8; reg++) {
            const form = [...modrm];
            form[0] = (form[0] & ~0x38) | (reg << 3);
            const bytes = [...prefix, ...escape, opcode, ...form, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
            const read8 = (a: number) => bytes[a - AT] ?? 0x90;
            const d = decodeInstruction(read8, AT);
            const block = buildBlock({ read8 }, AT);
            const t = block.terminator;
            if (block.ops.length > 0 || t.kind !== 'untranslated' || t.eip !== AT) {
              translated++;
              continue;
            }
            // Stopped at its first instruction: it must be a guest fault the interpreter raises (the
            // run-time ones, into and segment loads, are translated ops).
            const fault = instructionFault(d, bytes.slice(0, 15), 0);
            if (fault === null) stops.push(`${bytes.slice(0, Math.max(d.length, 1)).map((x) => x.toString(16).padStart(2, '0')).join(' ')}: '${t.mnemonic}' ${t.reason}`);
            else faults++;
          }
        }
      }
    }
  }
  console.log(`instruction forms: ${translated} translated, ${faults} guest faults, ${stops.length} untranslated`);
  assert.deepEqual(stops.slice(0, 20), [], `${stops.length} forms stop untranslated`);
  assert.ok(translated > 10000 && faults > 1000);
});
