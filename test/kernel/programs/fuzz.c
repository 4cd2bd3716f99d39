/*
 * Robustness: 1500 system calls with arguments drawn (fixed-seed xorshift) from
 * pointers that are good, bad, kernel, MMIO, straddling the user window's edges, and from
 * extreme sizes and numbers — including /dev/gfx ioctls that reach the driver.  Whatever a call
 * answers, the kernel must survive: the program ends with "fuzz done" and exit(0).  It prints a
 * checksum of all results (deterministic).
 */
#include <stdint.h>
#include "gfx.h"

#define CALLS 1500

static int32_t sys6(uint32_t n, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t f)
{
	register uint32_t v0 __asm__("$2") = n;
	register uint32_t a0 __asm__("$4") = a;
	register uint32_t a1 __asm__("$5") = b;
	register uint32_t a2 __asm__("$6") = c;
	register uint32_t a3 __asm__("$7") = d;
	__asm__ volatile("addiu $sp, $sp, -32\n\tsw %6, 16($sp)\n\tsw %7, 20($sp)\n\tsyscall\n\taddiu $sp, $sp, 32"
			 : "+r"(v0), "+r"(a3) : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(e), "r"(f)
			 : "$3", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15", "$24", "$25", "hi", "lo", "memory");
	return a3 ? -(int32_t)v0 : (int32_t)v0;
}

static uint32_t seed = 0x2545f491u;
static uint32_t next(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

static uint8_t scratch[65536] __attribute__((aligned(16)));
static uint32_t window_end;

static uint32_t pointer(void)
{
	switch (next() % 12) {
	case 0: return (uint32_t)scratch + (next() % 256) * 4;
	case 1: return (uint32_t)scratch + sizeof(scratch) - 8;
	case 2: return 0;
	case 3: return 0xffffffffu;
	case 4: return 0x7ff00000u;              /* kuseg, outside the window */
	case 5: return 0x80001000u;              /* kernel text */
	case 6: return 0xbe000000u;              /* kseg1: the graphics registers */
	case 7: return 0x003ffffcu;              /* straddles the window's start */
	case 8: return window_end - 4;           /* straddles its end for sizes > 4 */
	case 9: return 0x003ff000u;              /* the page below the window */
	case 10: return 0x80000800u;             /* boot info */
	default: return next();
	}
}

static uint32_t size(void)
{
	static const uint32_t sizes[] = { 0, 1, 4, 8, 48, 4096, 65536, 0x7fffffffu, 0x80000000u, 0xffffffffu };
	return next() % 3 == 0 ? next() % 512 : sizes[next() % 10];
}

static uint32_t fd(void)
{
	static const uint32_t fds[] = { 3, 4, 5, 6, 0xffffffffu, 1000 };
	return fds[next() % 6];
}

static uint32_t command(void)
{
	static const uint32_t cmds[] = { GFX_IOC_GET_INFO, GFX_IOC_SET_MODE, GFX_IOC_BLIT, GFX_IOC_FILL, GFX_IOC_WAIT_VSYNC,
					 GFX_IOC_FLIP, 0x5401, 0 };
	return next() % 8 == 7 ? next() : cmds[next() % 8];
}

static void out(const char *s)
{
	uint32_t n = 0;
	while (s[n])
		n++;
	sys6(4004, 1, (uint32_t)s, n, 0, 0, 0);
}

static void out_hex(uint32_t v)
{
	char buf[9];
	int i;
	for (i = 7; i >= 0; i--, v >>= 4)
		buf[i] = "0123456789abcdef"[v & 15];
	buf[8] = 0;
	out(buf);
}

void __start_c(uint32_t *sp)
{
	uint32_t i, k, sum = 0;

	window_end = ((uint32_t)sp + 0xfffff) & ~0xfffffu; /* the window ends at the MiB boundary above the stack */
	sys6(4005, (uint32_t)"/data.txt", 0, 0, 0, 0, 0);          /* fd 3 */
	sys6(4005, (uint32_t)"/fuzz.txt", 0x302, 0644, 0, 0, 0);   /* fd 4 */
	sys6(4005, (uint32_t)"/dev/gfx", 2, 0, 0, 0, 0);           /* fd 5 */
	for (i = 0; i < CALLS; i++) {
		int32_t r = 0;
		for (k = 0; k < sizeof(scratch) / 4; k += 97)
			((uint32_t *)scratch)[k] = next() % 7 == 0 ? pointer() : next() % 1024;
		switch (next() % 16) {
		case 0: r = sys6(4003, fd(), pointer(), size(), 0, 0, 0); break;
		case 1: r = sys6(4004, fd(), pointer(), size() & 0xffff, 0, 0, 0); break;
		case 2: r = sys6(4146, fd(), pointer(), next() % 4, 0, 0, 0); break;
		case 3: r = sys6(next() % 2 ? 4005 : 4288, next() % 2 ? 0xffffff9cu : pointer(), pointer(), next(), 0, 0, 0);
			if (r > 6) sys6(4006, r, 0, 0, 0, 0, 0);
			break;
		case 4: r = sys6(4019, fd(), next() % 2 ? next() : size(), next() % 4, 0, 0, 0); break;
		case 5: r = sys6(4215, fd(), pointer(), 0, 0, 0, 0); break;
		case 6: case 7: r = sys6(4054, next() % 4 ? 5 : fd(), command(), pointer(), 0, 0, 0); break;
		case 8: r = sys6(4045, next() % 2 ? pointer() : (uint32_t)scratch + sizeof(scratch) + next() % 0x100000, 0, 0, 0, 0, 0); break;
		case 9: r = sys6(4210, pointer(), size(), next() % 8, next() % 2 ? 0x802 : next(), next() % 2 ? 0xffffffffu : fd(), next() % 4); break;
		case 10: r = sys6(4091, pointer(), size(), 0, 0, 0, 0); break;
		case 11: r = sys6(4263, next() % 10, pointer(), 0, 0, 0, 0); break;
		case 12: {
			uint32_t *req = (uint32_t *)scratch;
			req[0] = 0;
			req[1] = next() % 3 == 0 ? next() : next() % 2000000;
			/* Only the controlled request or unreadable ones: a random word could ask for days. */
			r = sys6(4166, next() % 4 ? (uint32_t)req : next() % 2 ? 0x7ff00000u : 0x80001000u, next() % 2 ? 0 : pointer(), 0, 0, 0, 0);
			break;
		}
		case 13: r = sys6(next() % 2 ? 4078 : 4013, pointer(), pointer(), 0, 0, 0, 0); break;
		case 14: r = sys6(4122, pointer(), 0, 0, 0, 0, 0); break;
		default: r = sys6(4000 + next() % 400, next(), next(), next(), next(), 0, 0);
			if (r > 6) sys6(4006, r, 0, 0, 0, 0, 0);
			break;
		}
		sum = (sum ^ (uint32_t)r) * 16777619u;
	}
	out("fuzz done ");
	out_hex(sum);
	out("\n");
	sys6(4001, 0, 0, 0, 0, 0, 0);
}

__asm__(".text\n\t.globl __start\n__start:\n\tmove $4, $sp\n\taddiu $sp, $sp, -32\n\tjal __start_c\n\tnop\n");
