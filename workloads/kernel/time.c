/*
 * Simulated time.  The clock is the machine timer's 64-bit cycle counter (cycles =
 * executed instructions + idle cycles skipped by `wait`), at boot_info->clock_hz.
 * Sleeping programs CP0 Compare and executes `wait` with only the timer interrupt
 * unmasked (IE stays 0): the simulator skips the idle cycles, deterministically.
 */
#include "kernel.h"

#define ST_IM7 0x8000u

void cpu_wait(void);

/*
 * The 64-bit cycle counter.  The timer's NOW registers give the high bits, but a load in the
 * middle of a block the simulator compiled sees the count as of the block's start; CP0 Count
 * (a CP0 instruction always ends such a block) is exact.  NOW_HI:NOW_LO plus the small step
 * from NOW_LO to Count is the exact 64-bit value with either simulator engine.
 */
uint64_t clock_cycles(void)
{
	volatile uint32_t *timer = phys_to_kseg1(boot_info->timer_phys);
	uint32_t hi, lo, count;

	do {
		hi = timer[1];
		lo = timer[0];
	} while (timer[1] != hi);
	__asm__ volatile("mfc0 %0, $9" : "=r"(count));
	return (((uint64_t)hi << 32) | lo) + (uint32_t)(count - lo);
}

/* 64-by-32-bit unsigned division (shift and subtract; no libgcc in the kernel). */
uint64_t udiv64(uint64_t n, uint32_t d, uint32_t *rem)
{
	uint64_t q = 0, r = 0;
	int i;

	for (i = 63; i >= 0; i--) {
		r = (r << 1) | ((n >> i) & 1);
		if (r >= d) {
			r -= d;
			q |= 1ull << i;
		}
	}
	if (rem)
		*rem = (uint32_t)r;
	return q;
}

uint64_t clock_ns(void)
{
	uint32_t hz = boot_info->clock_hz, r;
	uint64_t s = udiv64(clock_cycles(), hz, &r);
	return s * 1000000000ull + udiv64((uint64_t)r * 1000000000ull, hz, 0);
}

void sleep_until_cycles(uint64_t target)
{
	for (;;) {
		uint64_t now = clock_cycles();
		uint32_t delta, count;
		if (now >= target)
			break;
		delta = target - now > 0x40000000ull ? 0x40000000u : (uint32_t)(target - now);
		__asm__ volatile("mfc0 %0, $9" : "=r"(count));
		__asm__ volatile("mtc0 %0, $11" : : "r"(count + delta));
		__asm__ volatile("mtc0 %0, $12" : : "r"(ST_IM7));
		cpu_wait();
		__asm__ volatile("mtc0 $0, $12");
	}
	/* Writing Compare acknowledges the timer interrupt. */
	{
		uint32_t count;
		__asm__ volatile("mfc0 %0, $9" : "=r"(count));
		__asm__ volatile("mtc0 %0, $11" : : "r"(count - 1));
	}
}

void sleep_ns(uint64_t ns)
{
	uint32_t hz = boot_info->clock_hz, r;
	uint64_t s = udiv64(ns, 1000000000u, &r);
	uint64_t cycles = s * hz + udiv64((uint64_t)r * hz + 999999999ull, 1000000000u, 0);
	sleep_until_cycles(clock_cycles() + cycles);
}

void msleep(uint32_t ms)
{
	sleep_ns((uint64_t)ms * 1000000ull);
}

uint32_t ktime_get_ms(void)
{
	return (uint32_t)udiv64(clock_ns(), 1000000u, 0);
}
