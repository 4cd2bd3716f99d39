// Which instruction forms the built programs really execute: the code of every case
// (between the labels recorded in the .ukcf_cases section) is split into instructions
// by Capstone (an independent decoder) and each is keyed like the generator's forms:
// prefixes f0/f2/f3/66 in that order, opcode hex ("0f" escape included), "/reg" for
// group opcodes of THE table (emulator/x86/table.ts).

import { readElfFile, EM_386 } from '../../emulator/machine/elf';
import { decodeInstruction } from '../../emulator/x86/decoder';
import { ONE_BYTE, OpcodeEntry, TWO_BYTE, TableSlot, allEntries } from '../../emulator/x86/table';

interface CapstoneInsn {
  size: number;
  mnemonic: string;
  op_str: string;
}
interface CapstoneModule {
  ARCH_X86: number;
  MODE_32: number;
  Capstone: new (arch: number, mode: number) => { disasm(bytes: number[] | Uint8Array, address: number): CapstoneInsn[]; close(): void };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const capstoneFactory = require('@alexaltea/capstone-js') as () => Promise<CapstoneModule>;

export interface InstructionSplitter {
  split(bytes: Uint8Array, address: number): { bytes: Uint8Array; text: string }[];
  close(): void;
}

export async function openSplitter(): Promise<InstructionSplitter> {
  const cs = await capstoneFactory();
  const handle = new cs.Capstone(cs.ARCH_X86, cs.MODE_32);
  return {
    split(bytes, address) {
      const out: { bytes: Uint8Array; text: string }[] = [];
      let offset = 0;
      while (offset < bytes.length) {
        let insns: CapstoneInsn[];
        try {
          insns = handle.disasm(Array.from(bytes.subarray(offset)), address + offset);
        } catch {
          insns = [];
        }
        if (insns.length === 0) {
          // Capstone 5 does not know some hint nops (0f 19..1f with a register):
          // take the length from the project's decoder for this one instruction
          const rest = bytes.subarray(offset);
          const d = decodeInstruction((a) => rest[a - (address + offset)] ?? 0, address + offset);
          if (d.length <= 0 || d.length > rest.length) break;
          out.push({ bytes: rest.subarray(0, d.length), text: `(${d.entry?.mnemonic ?? d.status})` });
          offset += d.length;
          continue;
        }
        for (const insn of insns) {
          out.push({ bytes: bytes.subarray(offset, offset + insn.size), text: `${insn.mnemonic} ${insn.op_str}`.trim() });
          offset += insn.size;
        }
      }
      if (offset !== bytes.length) {
        throw new Error(`Capstone could not decode ${bytes.length - offset} bytes at 0x${(address + offset).toString(16)}: ${Array.from(bytes.subarray(offset), (b) => b.toString(16).padStart(2, '0')).join(' ')}`);
      }
      return out;
    },
    close: () => handle.close(),
  };
}

const PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]);

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** The form key of one instruction's bytes. */
export function formOf(bytes: Uint8Array): string {
  let i = 0;
  const seen = new Set<number>();
  while (i < bytes.length && PREFIXES.has(bytes[i])) seen.add(bytes[i++]);
  let slots = ONE_BYTE;
  let name = '';
  if (bytes[i] === 0x0f) {
    slots = TWO_BYTE;
    name = '0f';
    i++;
  }
  const opcode = bytes[i];
  name += hex2(opcode);
  const slot = slots[opcode];
  if (slot !== null && 'kind' in slot && slot.kind === 'group') name += '/' + ((bytes[i + 1] >> 3) & 7);
  const pre = [0xf0, 0xf2, 0xf3, 0x66].filter((p) => seen.has(p)).map((p) => hex2(p) + ':').join('');
  return pre + name;
}

/** The form without prefixes: the table entry it exercises. */
export function entryKeyOf(form: string): string {
  return form.replace(/^(?:[0-9a-f]{2}:)+/, '');
}

/** Keys of every table entry the interpreter implements (status 'ok'). */
export function implementedEntryKeys(): Map<string, string> {
  const keys = new Map<string, string>();
  for (const loc of allEntries()) {
    if (loc.entry.status !== 'ok' || loc.registerForm) continue;
    const key = (loc.map === 'two-byte' ? '0f' : '') + hex2(loc.opcode) + (loc.reg >= 0 ? '/' + loc.reg : '');
    keys.set(key, loc.entry.mnemonic);
  }
  return keys;
}

export interface CaseCode {
  start: number;
  length: number;
  bytes: Uint8Array;
}

/** The code of each case of a built program, from its .ukcf_cases section. */
export function caseCode(path: string): CaseCode[] {
  const elf = readElfFile(path, { machines: [EM_386] });
  const table = elf.sections.find((s) => s.name === '.ukcf_cases');
  if (table === undefined) throw new Error(`${path}: no .ukcf_cases section (not a differential program)`);
  const view = new DataView(elf.bytes.buffer, elf.bytes.byteOffset + table.offset, table.size);
  const out: CaseCode[] = [];
  for (let o = 0; o + 8 <= table.size; o += 8) {
    const start = view.getUint32(o, true);
    const length = view.getUint32(o + 4, true);
    out.push({ start, length, bytes: bytesAt(elf.bytes, elf.loadSegments, start, length) });
  }
  return out;
}

/** Bytes of the whole .text of a program (for the fault programs). */
export function textCode(path: string): CaseCode {
  const elf = readElfFile(path, { machines: [EM_386] });
  const text = elf.sections.find((s) => s.name === '.text');
  if (text === undefined) throw new Error(`${path}: no .text section`);
  return { start: text.addr, length: text.size, bytes: elf.bytes.subarray(text.offset, text.offset + text.size) };
}

function bytesAt(file: Uint8Array, segments: { vaddr: number; offset: number; filesz: number }[], address: number, length: number): Uint8Array {
  for (const s of segments) {
    if (address >= s.vaddr && address + length <= s.vaddr + s.filesz) {
      const o = s.offset + (address - s.vaddr);
      return file.subarray(o, o + length);
    }
  }
  throw new Error(`address 0x${address.toString(16)} is not in a loaded segment`);
}

/** THE table's entry for a form key ("66:0fba/5" → bts), or null. */
export function tableEntryFor(form: string): OpcodeEntry | null {
  const key = entryKeyOf(form);
  const m = /^(0f)?([0-9a-f]{2})(?:\/([0-7]))?$/.exec(key);
  if (m === null) return null;
  const slot = (m[1] ? TWO_BYTE : ONE_BYTE)[parseInt(m[2], 16)];
  if (slot === null) return null;
  if ('kind' in slot) return slot.kind === 'group' && m[3] !== undefined ? slot.entries[Number(m[3])] : null;
  return slot;
}

export interface InstructionShape {
  /** Table entry key (no prefixes). */
  key: string;
  /** Operand size 16 (0x66 prefix) or 32. */
  size: 16 | 32;
  /** Register (mod 3) or memory ModRM form; '-' without ModRM. */
  modrm: 'r' | 'm' | '-';
}

function hasModrm(slot: TableSlot, entry: OpcodeEntry | null): boolean {
  if ('kind' in slot && slot.kind === 'group') return true;
  return entry !== null && entry.operands.some((o) => /^(?:E[bwdvx]?|G[bwdvx]?|M[qpa]?|Sw)$/.test(o));
}

/** Operand size and register/memory form of one instruction's bytes. */
export function shapeOf(bytes: Uint8Array): InstructionShape {
  let i = 0;
  let size: 16 | 32 = 32;
  while (i < bytes.length && PREFIXES.has(bytes[i])) if (bytes[i++] === 0x66) size = 16;
  const form = formOf(bytes);
  const slots = bytes[i] === 0x0f ? TWO_BYTE : ONE_BYTE;
  if (bytes[i] === 0x0f) i++;
  const slot = slots[bytes[i]];
  const entry = tableEntryFor(form);
  const modrm = slot !== null && hasModrm(slot, entry) ? (bytes[i + 1] >> 6 === 3 ? 'r' : 'm') : '-';
  return { key: entryKeyOf(form), size, modrm };
}

/** The shapes an implemented entry should be exercised in: both sizes if sized, both ModRM forms if it takes E. */
export function requiredShapes(entry: OpcodeEntry): { sizes: (16 | 32)[]; modrms: ('r' | 'm' | '-')[] } {
  const sized = entry.operands.some((o) => /^(?:[EGZXYOI][vz]|e[A-Z]{2}|Ibs)$/.test(o));
  const rm = entry.operands.some((o) => /^E[bwdv]$/.test(o)) && !entry.memoryOnly;
  return { sizes: sized ? [16, 32] : [32], modrms: rm ? ['r', 'm'] : [] };
}
