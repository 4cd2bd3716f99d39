// Instruction encodings generated from the one instruction table (emulator/x86/table.ts), for
// the decoder-vs-Capstone and disassembler-vs-objdump tests. Each table entry gets a set of
// encodings with varied prefixes, ModRM/SIB forms, displacements and immediates; the bytes
// after the opcode are random and the decoder's length cuts them (a wrong length then shows up
// as a length disagreement with the oracle).
import { allEntries, OpcodeEntry, TableEntryLocation } from '../../emulator/x86/table';
import { decodeInstruction, DecodedInstruction } from '../../emulator/x86/decoder';
import { Prng } from '../fixed-seed-random';

export { Prng };

export interface GeneratedEncoding {
  location: TableEntryLocation;
  bytes: Uint8Array;
  decoded: DecodedInstruction;
}

const MODRM_SPECS = new Set(['Eb', 'Ew', 'Ed', 'Ev', 'Ex', 'Gb', 'Gw', 'Gd', 'Gv', 'Gx', 'M', 'Mq', 'Mp', 'Ma', 'Sw']);

export function usesModrm(location: TableEntryLocation): boolean {
  return location.reg >= 0 || location.entry.operands.some((o) => MODRM_SPECS.has(o));
}

/** True if the table gives this group member only for ModRM.mod == 3 or only for mod != 3. */
function modConstraint(location: TableEntryLocation, all: readonly TableEntryLocation[]): 'register' | 'memory' | 'any' {
  if (location.registerForm) return 'register';
  if (location.reg >= 0 && all.some((l) => l.map === location.map && l.opcode === location.opcode && l.registerForm)) return 'memory';
  if (location.entry.memoryOnly) return 'memory';
  return 'any';
}

const SEGMENT_PREFIXES = [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];

export interface PrefixPolicy {
  /** Allow 0x67 (16-bit addressing). */
  addressSize: boolean;
  /** Allow more than one prefix of a kind and prefixes the instruction ignores. */
  redundant: boolean;
}

function choosePrefixes(entry: OpcodeEntry, twoByte: boolean, rng: Prng, hasMemory: boolean, policy: PrefixPolicy): number[] {
  const prefixes: number[] = [];
  const roll = rng.below(10);
  if (roll < 4) return prefixes;
  // In the 0F map, 66/F2/F3 select different (SSE-era) instructions for out-of-scope opcodes.
  const mandatoryPrefixSpace = entry.status === 'unsupported' && twoByte;
  if (rng.below(3) === 0 && !mandatoryPrefixSpace) prefixes.push(0x66);
  if (hasMemory && rng.below(2) === 0) prefixes.push(rng.pick(SEGMENT_PREFIXES));
  if (entry.lockable && hasMemory && rng.below(2) === 0) prefixes.push(0xf0);
  if (entry.stringRep !== null && rng.below(2) === 0) prefixes.push(rng.pick([0xf2, 0xf3]));
  if (policy.addressSize && rng.below(8) === 0) prefixes.push(0x67);
  // F2/F3 on 0F opcodes select other instructions (popcnt, tzcnt, SSE) or #UD for objdump.
  if (policy.redundant && rng.below(4) === 0) prefixes.push(rng.pick(twoByte ? (mandatoryPrefixSpace ? SEGMENT_PREFIXES : [0x66, ...SEGMENT_PREFIXES]) : [0x66, 0xf2, 0xf3, ...SEGMENT_PREFIXES]));
  // Shuffle: prefix order is free.
  for (let i = prefixes.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [prefixes[i], prefixes[j]] = [prefixes[j], prefixes[i]];
  }
  return prefixes;
}

/** A ModRM byte (and SIB) forced to the entry's group/mod constraints, chosen to cover all forms. */
function chooseModrm(location: TableEntryLocation, constraint: 'register' | 'memory' | 'any', variant: number, rng: Prng): number[] {
  let mod: number;
  if (constraint === 'register') mod = 3;
  else if (constraint === 'memory') mod = variant % 3;
  else mod = variant % 4;
  const reg = location.reg >= 0 ? location.reg : rng.below(8);
  // Cycle r/m through all 8 values so SIB (4) and disp32-only (mod 0, rm 5) forms appear.
  const rm = constraint === 'register' ? variant % 8 : Math.floor(variant / (constraint === 'memory' ? 3 : 4)) % 8;
  const bytes = [(mod << 6) | (reg << 3) | rm];
  if (mod !== 3 && rm === 4) bytes.push(rng.byte());
  return bytes;
}

const DISPLACEMENTS = [0, 1, 0x7f, 0x80, 0xff, 0x1234, 0x7fffffff, 0x80000000, 0xfffffffc];

/** Random tail bytes, biased so displacements and immediates take interesting values. */
function tail(rng: Prng, length: number): number[] {
  const out: number[] = [];
  while (out.length < length) {
    if (rng.below(2) === 0) {
      const v = rng.pick(DISPLACEMENTS);
      out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
    } else out.push(rng.byte());
  }
  return out.slice(0, length);
}

export function opcodeBytes(location: TableEntryLocation, rng: Prng): number[] {
  if (location.map === 'one-byte') return [location.opcode];
  if (location.opcode === 0x38 || location.opcode === 0x3a) return [0x0f, location.opcode, rng.byte()];
  return [0x0f, location.opcode];
}

/**
 * `perEntry` encodings for every distinct table location (opcode, ModRM.reg for groups,
 * register-form flag) whose entry status is in `statuses`.
 */
export function generateTableEncodings(
  seed: number,
  perEntry: number,
  statuses: readonly ('ok' | 'invalid' | 'unsupported')[],
  policy: PrefixPolicy,
): GeneratedEncoding[] {
  const rng = new Prng(seed);
  const all = allEntries();
  const out: GeneratedEncoding[] = [];
  for (const location of all) {
    if (!statuses.includes(location.entry.status)) continue;
    const constraint = modConstraint(location, all);
    const withModrm = usesModrm(location);
    for (let v = 0; v < perEntry; v++) {
      const modrm = withModrm ? chooseModrm(location, constraint, v, rng) : [];
      const hasMemory = (withModrm && modrm[0] >> 6 !== 3) || location.entry.operands.some((o) => o[0] === 'O' || o[0] === 'X' || o[0] === 'Y');
      const prefixes = choosePrefixes(location.entry, location.map === 'two-byte', rng, hasMemory, policy);
      const head = [...prefixes, ...opcodeBytes(location, rng), ...modrm];
      const bytes = [...head, ...tail(rng, 16)];
      const decoded = decodeInstruction((a) => bytes[a] ?? 0, 0);
      out.push({ location, bytes: Uint8Array.from(bytes.slice(0, Math.max(1, decoded.length))), decoded });
    }
  }
  return out;
}

/** Short human-readable name of a table location, for messages. */
export function locationName(l: TableEntryLocation): string {
  const op = l.map === 'one-byte' ? l.opcode.toString(16).padStart(2, '0') : '0f ' + l.opcode.toString(16).padStart(2, '0');
  return `${op}${l.reg >= 0 ? ` /${l.reg}` : ''}${l.registerForm ? ' (mod 3)' : ''} ${l.entry.mnemonic}`;
}

export function hexBytes(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
