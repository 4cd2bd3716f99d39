// `npm run bench`: runs every bench/*.bench.ts (each exports `run()`), one after another,
// so their numbers do not compete for the two cores. A filter argument picks some of them.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const filters = process.argv.slice(2);
const files = readdirSync('bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

async function main(): Promise<void> {
  for (const f of files) {
    console.log(`\n== ${f}`);
    const mod = (await import(pathToFileURL(resolve(join('bench', f))).href)) as { run?: () => Promise<void> };
    if (typeof mod.run !== 'function') {
      console.log(`  (no run() exported)`);
      continue;
    }
    await mod.run();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
