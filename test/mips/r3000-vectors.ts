// Reader for the SingleStepTests r3000 vectors (/work/shared/testdata/singlesteptests-r3000, see its
// README.txt for the format). Returns every test of one file; throws when the file is not consumed exactly.
import { readFileSync } from 'node:fs';

export interface R3000State {
  r: Uint32Array; // 32
  hi: number;
  lo: number;
  epc: number;
  tar: number;
  cause: number;
  pc: number;
  branchTarget: number;
  inDelaySlot: boolean;
  branchTaken: boolean;
  pendingLoadReg: number; // -1 = none
  pendingLoadValue: number;
}

export interface R3000Cycle {
  value: number;
  kind: number; // 4 fetch, 1 data read, 2 data write
  address: number;
  size: number;
}

export interface R3000Test {
  name: string;
  opcode: number;
  opcodeAddress: number;
  initial: R3000State;
  final: R3000State;
  cycles: R3000Cycle[];
}

function readState(buf: Buffer, off: number): R3000State {
  const u = (i: number) => buf.readUInt32LE(off + 4 * i);
  const r = new Uint32Array(32);
  for (let i = 0; i < 32; i++) r[i] = u(i);
  return {
    r,
    hi: u(32),
    lo: u(33),
    epc: u(34),
    tar: u(35),
    cause: u(36),
    pc: u(37),
    branchTarget: u(38),
    inDelaySlot: u(39) !== 0,
    branchTaken: u(40) !== 0,
    pendingLoadReg: buf.readInt32LE(off + 4 * 41),
    pendingLoadValue: u(42),
  };
}

const STATE_SIZE = 172;

export function readR3000Vectors(path: string): R3000Test[] {
  const buf = readFileSync(path);
  const count = buf.readInt32LE(0);
  let off = 4;
  const tests: R3000Test[] = [];
  for (let t = 0; t < count; t++) {
    const nameLen = buf[off];
    const name = buf.toString('latin1', off + 1, off + 1 + nameLen);
    off += 51;
    const opcode = buf.readUInt32LE(off);
    const opcodeAddress = buf.readUInt32LE(off + 4);
    off += 8;
    const initial = readState(buf, off);
    off += STATE_SIZE;
    const final = readState(buf, off);
    off += STATE_SIZE;
    const n = buf.readUInt32LE(off);
    off += 4;
    const cycles: R3000Cycle[] = [];
    for (let i = 0; i < n; i++) {
      cycles.push({
        value: Number(buf.readBigInt64LE(off) & 0xffffffffn),
        kind: buf.readUInt32LE(off + 8),
        address: Number(buf.readBigInt64LE(off + 12) & 0xffffffffn),
        size: buf.readUInt32LE(off + 20),
      });
      off += 24;
    }
    tests.push({ name, opcode, opcodeAddress, initial, final, cycles });
  }
  if (off !== buf.length) throw new Error(`${path}: ${buf.length - off} bytes left after ${count} tests`);
  return tests;
}
