// What a UKCF translator tells a listener (the debugger facade, a trace, a test) as it works: events
// raised by the TypeScript side of the runtime. Nothing is built when nobody listens (the runtime
// checks for a listener before making an event). Happenings inside generated MIPS code (glue entry,
// dispatch) are not events: they are addresses (glueEntryPoints()) a client may put MIPS breakpoints on.

/** Which translator raised the event ('user' for the user-space translator; KERNEL chooses its own). */
export type UkcfTranslatorName = string;

export type UkcfEvent =
  /** A guest block was translated into the code cache. */
  | {
      readonly kind: 'block-translated';
      readonly translator: UkcfTranslatorName;
      readonly eip: number;
      /** Guest bytes [eip, guestEnd) it was translated from. */
      readonly guestEnd: number;
      readonly guestCount: number;
      /** Host address of the block's first instruction and its size in words (exit stubs apart). */
      readonly host: number;
      readonly hostWords: number;
      readonly exitStubs: number;
    }
  /** A direct exit of `from` now jumps straight to the translation of `to` (or no longer does). */
  | { readonly kind: 'chain-patched' | 'chain-unpatched'; readonly translator: UkcfTranslatorName; readonly from: number; readonly to: number; readonly site: number }
  /** Blocks dropped to make room (the oldest part of the code cache), or all of them (flush). */
  | { readonly kind: 'evict' | 'flush'; readonly translator: UkcfTranslatorName; readonly blocks: number; readonly eips: readonly number[] }
  /** A guest store hit a page holding translated code: these blocks were invalidated. */
  | { readonly kind: 'smc-flush'; readonly translator: UkcfTranslatorName; readonly page: number; readonly eips: readonly number[] }
  /** The runtime stopped (untranslated instruction, guest fault, system call without glue, lockstep boundary). */
  | { readonly kind: 'stop'; readonly translator: UkcfTranslatorName; readonly reason: string; readonly eip: number }
  /** Kernel translator: a control transfer to an address that is neither driver code nor an exported function. */
  | { readonly kind: 'refused-jump'; readonly translator: UkcfTranslatorName; readonly from: number; readonly target: number; readonly message: string };

export type UkcfEventListener = (event: UkcfEvent) => void;
