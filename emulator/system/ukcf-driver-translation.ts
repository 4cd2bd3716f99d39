// The i386 graphics driver in the ukcf scheme: KERNEL's kernel-space translator
// (emulator/ukcf/kernel-space) attached to the machine, plus what the scheme needs around it:
//  * a refused jump or a stop of the translated driver ends the run with its message (the kernel
//    would survive and the player would get -EFAULT: frames the run must never pass off as right);
//  * the dynamic count of guest instructions the translated driver executed, from the translator's
//    block entry counters (countBlockEntries: 4 host instructions per block entry in 'ukcf-driver',
//    reported apart and left out of the ratios). A block left early (refusal, SMC flush) would
//    make it an upper bound; the report says whether that happened.
import { KernelSpaceTranslator, type KernelTranslatorEvent } from '../ukcf/kernel-space/kernel-translator';
import type { HostSystem } from './host-system';

export interface DriverTranslationReport {
  blocksTranslated: number;
  guestInstructionsTranslated: number;
  /** Sum over distinct translated block start addresses of their guest instructions. */
  guestInstructionsTranslatedDistinctBlocks: number;
  /** null without block entry counters. */
  guestInstructionsExecuted: number | null;
  /** false when a block may have been left early (refusal, SMC flush): executed is then an upper bound. */
  executedExact: boolean;
  blockEntries: number | null;
  /** Host instructions of the entry counters (inside the 'ukcf-driver' region's count). */
  countingOverhead: number;
  chainsPatched: number;
  flushes: number;
  smcFlushes: number;
  refusals: number;
  shellEntries: number;
  kernelCalls: number;
  translatorCost: number;
  /** Bytes of translated driver code resident at the end. */
  codeBytes: number;
}

export class UkcfDriverTranslation {
  readonly translator: KernelSpaceTranslator;
  private readonly distinct = new Map<number, number>();
  private early = false;

  constructor(
    private readonly system: HostSystem,
    private readonly counting: boolean,
    onEvent?: (e: KernelTranslatorEvent) => void,
  ) {
    this.translator = new KernelSpaceTranslator(system.machine, {
      countBlockEntries: counting,
      onEvent: (e) => {
        onEvent?.(e);
        this.event(e);
      },
    });
  }

  private event(e: KernelTranslatorEvent): void {
    switch (e.kind) {
      case 'block-translated':
        this.distinct.set(e.eip >>> 0, e.guestCount);
        break;
      case 'smc-flush':
        this.early = true;
        break;
      case 'refused-jump':
        this.early = true;
        this.system.abort(`translated driver: ${e.message}`);
        break;
      case 'stop':
        this.early = true;
        {
          const eip = (e.eip >>> 0).toString(16).padStart(8, '0');
          this.system.abort(`translated driver stopped: ${e.reason}${e.reason.includes(eip) ? '' : ` at eip 0x${eip}`}`);
        }
        break;
      default:
        break;
    }
  }

  report(): DriverTranslationReport {
    const t = this.translator;
    const crossings = t.crossings();
    let distinct = 0;
    for (const n of this.distinct.values()) distinct += n;
    const profile = this.counting ? t.blockProfile() : null;
    return {
      blocksTranslated: t.blocksTranslated,
      guestInstructionsTranslated: t.guestInstructionsTranslated,
      guestInstructionsTranslatedDistinctBlocks: distinct,
      guestInstructionsExecuted: profile?.guestInstructions ?? null,
      executedExact: !this.early,
      blockEntries: profile?.blockEntries ?? null,
      countingOverhead: profile?.counterInstructions ?? 0,
      chainsPatched: t.chainsPatched,
      flushes: t.flushes,
      smcFlushes: t.smcFlushes,
      refusals: t.refusals,
      shellEntries: crossings.shellEntries,
      kernelCalls: crossings.kernelCalls,
      translatorCost: t.translatorCost,
      codeBytes: t.codeCacheBlocks().reduce((n, b) => n + 4 * b.words, 0),
    };
  }
}
