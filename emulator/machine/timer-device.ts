// The machine timer: a periodic interrupt in simulated cycles (deterministic: cycles are counted
// instructions plus the idle cycles `wait` skips; see MipsCpu).
//   +0x0 NOW_LO   read: current cycle count, low 32 bits
//   +0x4 NOW_HI   read: high bits
//   +0x8 PERIOD   read/write: cycles between interrupts; writing restarts the period from now, 0 stops
//   +0xC STATUS   read: bit 0 = expired (interrupt asserted); write bit 0 = 1 to acknowledge
import type { MmioDevice } from './mmio-bus';

export const TIMER_NOW_LO = 0x0;
export const TIMER_NOW_HI = 0x4;
export const TIMER_PERIOD = 0x8;
export const TIMER_STATUS = 0xc;
export const TIMER_SIZE = 0x100;

export interface TimerClock {
  /** Current simulated cycle. */
  now(): number;
  /** Asks to be called back (onDeadline) at a cycle; Infinity cancels. */
  schedule(atCycle: number): void;
}

export class TimerDevice implements MmioDevice {
  readonly name = 'timer';
  private period = 0;
  private deadline = Infinity;
  private expired = false;
  /** Interrupts delivered so far. */
  fired = 0;

  constructor(
    private readonly clock: TimerClock,
    private readonly setInterrupt: (asserted: boolean) => void,
  ) {}

  get nextDeadline(): number {
    return this.deadline;
  }

  /** The clock reached (or passed) the deadline. */
  onDeadline(): void {
    const now = this.clock.now();
    if (now < this.deadline) return;
    this.expired = true;
    this.fired++;
    this.setInterrupt(true);
    // The next deadline keeps the period's phase (no drift when an interrupt is served late).
    while (this.deadline <= now) this.deadline += this.period;
    this.clock.schedule(this.deadline);
  }

  read(offset: number): number {
    const now = this.clock.now();
    switch (offset & ~3) {
      case TIMER_NOW_LO: return now % 0x100000000;
      case TIMER_NOW_HI: return Math.floor(now / 0x100000000) >>> 0;
      case TIMER_PERIOD: return this.period;
      case TIMER_STATUS: return this.expired ? 1 : 0;
      default: return 0;
    }
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    switch (offset & ~3) {
      case TIMER_PERIOD:
        this.period = value >>> 0;
        this.deadline = this.period === 0 ? Infinity : this.clock.now() + this.period;
        this.clock.schedule(this.deadline);
        break;
      case TIMER_STATUS:
        if (value & 1) {
          this.expired = false;
          this.setInterrupt(false);
        }
        break;
      default: break;
    }
  }
}
