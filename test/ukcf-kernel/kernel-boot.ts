// Boots the host kernel with a driver and a user program, with or without UKCF's kernel-space
// translator attached, and collects what the tests look at.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HostSystem, type BootFile, type HostRunResult } from '../../emulator/system/host-system';
import { KernelSpaceTranslator, type KernelTranslatorEvent, type KernelTranslatorOptions } from '../../emulator/ukcf/kernel-space/kernel-translator';

export const ROOT = resolve(__dirname, '..', '..');
export const TEST_DRIVERS = join(ROOT, 'workloads', 'test-drivers');
export const KERNEL = join(ROOT, 'workloads', 'kernel', 'kernel.mipsel');

export interface Boot {
  result: HostRunResult;
  system: HostSystem;
  translator: KernelSpaceTranslator | null;
  events: KernelTranslatorEvent[];
}

export interface BootOptions {
  /** The driver object's bytes (loaded as /driver.o). */
  driver: Uint8Array;
  /** Attach the kernel-space translator (an i386 driver needs it). */
  translate: boolean;
  /** init and its arguments (files in the RAM filesystem), e.g. ['gfx_client', 'crossings']. */
  init?: string[];
  files?: BootFile[];
  maxInstructions?: number;
  blockCompiler?: boolean;
  /** Called once the translator exists, before the boot. */
  prepare?: (system: HostSystem, translator: KernelSpaceTranslator | null) => void;
  /** More translator options (events always go to Boot.events and onEvent). */
  translator?: Omit<KernelTranslatorOptions, 'onEvent'>;
  /** Called with each translator event as it happens (after it is recorded). */
  onEvent?: (e: KernelTranslatorEvent, system: HostSystem, translator: KernelSpaceTranslator) => void;
}

export function testDriver(name: string): Uint8Array {
  return readFileSync(join(TEST_DRIVERS, name));
}

export function boot(o: BootOptions): Boot {
  const files: BootFile[] = [{ name: 'driver.o', bytes: o.driver }, ...(o.files ?? [])];
  const init = o.init ?? [];
  if (init.length > 0 && !files.some((f) => f.name === init[0])) files.push({ name: init[0], bytes: testDriver(init[0]) });
  const cmdline = `driver=/driver.o${init.length > 0 ? ' -- /' + init.join(' ') : ''}`;
  const system = new HostSystem({ kernel: readFileSync(KERNEL), files, cmdline, blockCompiler: o.blockCompiler });
  const events: KernelTranslatorEvent[] = [];
  let translator: KernelSpaceTranslator | null = null;
  if (o.translate) {
    translator = new KernelSpaceTranslator(system.machine, {
      ...o.translator,
      onEvent: (e) => {
        events.push(e);
        o.onEvent?.(e, system, translator as KernelSpaceTranslator);
      },
    });
  }
  o.prepare?.(system, translator);
  const result = system.run(o.maxInstructions ?? 400_000_000);
  return { result, system, translator, events };
}

/** Console lines starting with one of the prefixes. */
export function lines(console: string, ...prefixes: string[]): string[] {
  return console.split('\n').filter((l) => prefixes.some((p) => l.startsWith(p)));
}
