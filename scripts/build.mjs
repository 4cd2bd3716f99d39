// Bundles the CLI (and, as they arrive, the debug adapter and the extension) with esbuild.
//
// The command line is two files: dist/ukcf-cli.js (the bundle) and dist/cli.js (cli/start.ts, the
// `ukcf` executable), which runs the bundle from V8's code cache, dist/ukcf-cli.js.cache. The cache
// is made here by a training run (a `ukcf user` run of the bench's CPU-bound program), so that it
// holds every function such a run compiles.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

const entries = [
  { in: 'cli/ukcf.ts', out: 'dist/ukcf-cli.js' },
  { in: 'cli/start.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
  { in: 'debug-adapter/main.ts', out: 'dist/debug-adapter.js' },
  { in: 'extension/extension.ts', out: 'dist/extension.js', external: ['vscode'] },
];

for (const e of entries) {
  if (!existsSync(e.in)) continue;
  await build({
    entryPoints: [e.in],
    outfile: e.out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    external: e.external ?? [],
    banner: e.banner ? { js: e.banner } : undefined,
    logLevel: 'warning',
  });
}

const CACHE = 'dist/ukcf-cli.js.cache';
const TRAINING_PROGRAM = 'bench/programs/x86-cpu-loop';
rmSync(CACHE, { force: true });
if (existsSync(TRAINING_PROGRAM)) {
  const r = spawnSync(process.execPath, ['dist/cli.js', 'user', TRAINING_PROGRAM], { env: { ...process.env, UKCF_WRITE_CODE_CACHE: '1' }, stdio: ['ignore', 'ignore', 'inherit'] });
  // Without a cache the command line still works (it compiles from source): say so, do not fail the build.
  if (r.status !== 0 || !existsSync(CACHE)) console.warn(`build: no V8 code cache for the command line (training run status ${r.status})`);
}
