// dist/cli.js: starts the bundled command line (dist/ukcf-cli.js) from V8's code cache for it,
// made by scripts/build.mjs after a training run. Compiling the 700 KB bundle (and then each
// function it calls) is a large part of a short command's start-up; with the cache, V8 reads the
// compiled code instead. A missing or rejected cache (another node version, other V8 flags) only
// costs that time: the bundle is compiled from source as usual. Nothing here changes what runs.
//
// UKCF_WRITE_CODE_CACHE=1 (the build's training run) writes the cache when the process exits, with
// every function the run compiled in it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import Module from 'node:module';

const BUNDLE = path.join(__dirname, 'ukcf-cli.js');
const CACHE = path.join(__dirname, 'ukcf-cli.js.cache');

function start(): void {
  const source = fs.readFileSync(BUNDLE, 'utf8');
  let cachedData: Buffer | undefined;
  if (process.env.UKCF_WRITE_CODE_CACHE === undefined) {
    try {
      cachedData = fs.readFileSync(CACHE);
    } catch {
      cachedData = undefined; // not built: compile from source
    }
  }
  const script = new vm.Script(Module.wrap(source), { filename: BUNDLE, cachedData });
  if (process.env.UKCF_WRITE_CODE_CACHE !== undefined) {
    // Written aside and renamed: a command line starting meanwhile (tests build concurrently) reads
    // the old cache or the new one, never half of one.
    process.on('exit', () => {
      const partial = `${CACHE}.${process.pid}`;
      fs.writeFileSync(partial, script.createCachedData());
      fs.renameSync(partial, CACHE);
    });
  }
  const wrapper = script.runInThisContext() as (exports: object, require: NodeRequire, module: object, filename: string, dirname: string) => void;
  // The bundle runs as the module it would be if node had loaded it: same __dirname, require and main.
  const bundleModule = { exports: {}, filename: BUNDLE, id: '.', loaded: false, children: [], paths: module.paths, require };
  wrapper.call(bundleModule.exports, bundleModule.exports, require, bundleModule, BUNDLE, __dirname);
}

start();
