// Bundles the CLI (and, as they arrive, the debug adapter and the extension) with esbuild.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = [
  { in: 'cli/ukcf.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
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
