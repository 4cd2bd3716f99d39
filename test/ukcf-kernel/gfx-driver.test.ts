// The real graphics driver (workloads/driver/gfx_driver.i386.o) translated inside the MIPS host
// kernel, played to by the native mipsel player: the displayed frames must be those of the native
// scheme (the mipsel driver), hash for hash, in every pixel path the driver has (XRGB8888 and
// RGB565 sources and displays, clipping); and a run is deterministic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runScheme } from '../../emulator/system/run-scheme';
import { boot, lines, ROOT, type Boot } from './kernel-boot';

const WORKLOADS = join(ROOT, 'workloads');
const VIDEOS = join(WORKLOADS, 'videos');
const DRIVER = readFileSync(join(WORKLOADS, 'driver', 'gfx_driver.i386.o'));
const PLAYER = readFileSync(join(WORKLOADS, 'player', 'player.mipsel'));

function translatedRun(video: string, frames: number, playerArgs: string[] = []): Boot {
  const name = basename(video);
  return boot({
    driver: DRIVER,
    translate: true,
    files: [{ name: 'player', bytes: PLAYER }, { name, bytes: readFileSync(video) }],
    init: ['player', '-b', '-w', '-f', String(frames), ...playerArgs, '/' + name],
    maxInstructions: 2_000_000_000,
  });
}

function fnv(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h;
}
const BLACK = fnv(new Uint8Array(320 * 240 * 3));

/**
 * The frames shown, without the black screens that may come first: the player clears each of the
 * device's two buffers (FILL + FLIP without waiting); each clear is shown unless the next FLIP
 * replaces it before the vsync — a matter of timing, and translated code takes other times than native code.
 */
function shown(hashes: number[]): number[] {
  let first = 0;
  while (first < hashes.length && hashes[first] === BLACK) first++;
  assert.ok(first <= 2, `${first} black screens before the first frame (the player clears 2 buffers)`);
  return hashes.slice(first);
}

const CASES: [string, string, number, string[]][] = [
  ['XRGB8888 source and display', 'testsrc-64x48.y4m', 6, []],
  ['RGB565 source widened by the driver', 'rgbtestsrc-64x48.y4m', 3, ['-p', 'rgb565']],
  ['RGB565 display, XRGB source truncated (mode change)', 'smptebars-160x120.y4m', 2, ['-M', 'rgb565']],
  ['frames larger than the screen, clipped on all sides', 'testsrc-64x48.y4m', 2, ['-s', '400x300']],
];

for (const [what, file, frames, args] of CASES) {
  test(`gfx driver translated: the native scheme's frames (${what})`, () => {
    const video = join(VIDEOS, file);
    const native = runScheme({ scheme: 'native', workloads: WORKLOADS, video, frames, playerArgs: args });
    const run = translatedRun(video, frames, args);
    const r = run.result;
    assert.equal(r.status, 0, r.console);
    assert.equal(native.status, 0, native.console);
    const frameHashes = shown(r.displayed.map((d) => d.hash));
    assert.equal(frameHashes.length, frames);
    assert.deepEqual(frameHashes, shown(native.displayed.map((d) => d.hash)));
    for (const d of r.displayed) assert.deepEqual([d.width, d.height], [320, 240]);
    // The player's own lines (its frame hashes) and the driver's messages are the native run's.
    const mine = lines(r.console, 'frame ', 'gfx:', 'output:', 'kernel: gfx');
    assert.deepEqual(mine, lines(native.console, 'frame ', 'gfx:', 'output:', 'kernel: gfx'));
    const regions = run.system.machine.cpu.regions.report();
    assert.equal(regions.driver, 0, 'no native driver code ran');
    assert.equal(regions.other, 0);
    assert.ok(regions['ukcf-driver'] > 0);
    assert.equal(run.translator!.faulted, false);
    assert.deepEqual(run.events.filter((e) => e.kind === 'refused-jump' || e.kind === 'stop'), []);
  });
}

test('a translated-driver run is deterministic: counts, translator work, crossings, frames', () => {
  const video = join(VIDEOS, 'testsrc-64x48.y4m');
  const summary = (b: Boot) => ({
    regions: b.system.machine.cpu.regions.report(),
    instructions: b.result.instructions,
    cycles: b.result.cycles,
    hashes: b.result.displayed.map((d) => d.hash),
    console: b.result.console,
    cost: b.translator!.translatorCost,
    blocks: b.translator!.blocksTranslated,
    guest: b.translator!.guestInstructionsTranslated,
    chains: b.translator!.chainsPatched,
    crossings: b.translator!.crossings(),
    cache: b.translator!.codeCacheBlocks(),
  });
  const a = summary(translatedRun(video, 3));
  const b = summary(translatedRun(video, 3));
  assert.deepEqual(a, b);
  assert.ok(a.crossings.shellEntries > 0 && a.crossings.kernelCalls > a.crossings.shellEntries);
});
