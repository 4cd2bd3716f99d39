// The system-call trace of the whole system (emulator/system/syscall-trace.ts) on the native run:
// it costs no simulated instruction, and what it records is what the player did (the video's bytes
// arrive through its reads, the display facts through GET_INFO, exit last).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScheme, DEFAULT_VIDEO } from '../../emulator/system/run-scheme';
import { VIDEOS, WORKLOADS } from '../workloads/workload-files';

test('the system-call trace costs no instruction and records the video as the player read it', () => {
  const plain = runScheme({ scheme: 'native', workloads: WORKLOADS, frames: 2 });
  const traced = runScheme({ scheme: 'native', workloads: WORKLOADS, frames: 2, traceSyscalls: true });
  assert.equal(traced.instructions, plain.instructions);
  assert.equal(traced.cycles, plain.cycles);
  assert.deepEqual(traced.counts, plain.counts);
  assert.deepEqual(traced.displayed.map((d) => d.hash), plain.displayed.map((d) => d.hash));
  const calls = traced.syscalls;
  assert.ok(calls !== null && calls.length > 5);
  const names = calls.map((c) => c.name);
  assert.equal(names[names.length - 1], 'exit');
  assert.equal(calls[calls.length - 1].result, null, 'exit never returns');
  assert.ok(calls.slice(0, -1).every((c) => c.result !== null && c.effectsKnown), names.join(' '));
  // The video: the descriptor whose first read starts with the YUV4MPEG2 signature, an open's result.
  const first = calls.find((c) => c.name === 'read' && c.writes.length === 1 && Buffer.from(c.writes[0].bytes.subarray(0, 9)).toString('latin1') === 'YUV4MPEG2');
  assert.ok(first, 'a read of the video header');
  const fd = first.registers[4];
  assert.ok(calls.some((c) => c.name === 'open' && c.result === fd), 'the descriptor came from open');
  const reads = calls.filter((c) => c.name === 'read' && c.registers[4] === fd);
  assert.ok(reads.length >= 2);
  const got = Buffer.concat(reads.map((c) => Buffer.from(c.writes.length ? c.writes[0].bytes : new Uint8Array(0))));
  assert.equal(got.length, reads.reduce((n, c) => n + (c.result as number), 0));
  const file = readFileSync(join(VIDEOS, DEFAULT_VIDEO));
  assert.ok(got.length > 0 && got.length <= file.length);
  assert.ok(got.equals(file.subarray(0, got.length)), 'read bytes = the video file');
  // Each read wrote at the buffer the player passed (a1).
  for (const c of reads) if (c.writes.length) assert.equal(c.writes[0].address, c.registers[5] >>> 0);
  // GET_INFO (an ioctl whose request says READ) returned the device's ID and the 320x240 mode.
  const info = calls.find((c) => c.name === 'ioctl' && ((c.registers[5] >>> 30) & 2) !== 0 && c.writes.length === 1 && c.writes[0].bytes.length === 48);
  assert.ok(info, 'a GET_INFO ioctl');
  const v = Buffer.from(info.writes[0].bytes);
  assert.equal(v.readUInt32LE(4), 320);
  assert.equal(v.readUInt32LE(8), 240);
});
