/*
 * User program for the test drivers (mipsel, run as init): opens /dev/gfx, makes a test
 * driver's requests, closes, and prints each result.  argv[1] says which driver:
 *   crossings [N]   N rounds (default 1) of open, ioctl 1, 2, 3, 99, close
 *   wild HEX        ioctl 2, ioctl 1 with HEX (the jump target), ioctl 2, then open again
 *   smc             ioctl 1, ioctl 2 0x33333333, ioctl 1
 */
#include <stdint.h>

static int32_t sys(uint32_t n, uint32_t a, uint32_t b, uint32_t c)
{
	register uint32_t v0 __asm__("$2") = n;
	register uint32_t a0 __asm__("$4") = a;
	register uint32_t a1 __asm__("$5") = b;
	register uint32_t a2 __asm__("$6") = c;
	register uint32_t a3 __asm__("$7") = 0;
	__asm__ volatile("syscall" : "+r"(v0), "+r"(a3) : "r"(a0), "r"(a1), "r"(a2) : "$3", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15", "$24", "$25", "hi", "lo", "memory");
	return a3 ? -(int32_t)v0 : (int32_t)v0;
}

static uint32_t slen(const char *s) { uint32_t n = 0; while (s[n]) n++; return n; }
static void out(const char *s) { sys(4004, 1, (uint32_t)s, slen(s)); }
static void out_hex(uint32_t v)
{
	char buf[9];
	int i;
	for (i = 7; i >= 0; i--, v >>= 4)
		buf[i] = "0123456789abcdef"[v & 15];
	buf[8] = 0;
	out(buf);
}
static void result(const char *what, int32_t r)
{
	out("client: "); out(what); out(" "); out_hex((uint32_t)r); out("\n");
}

static uint32_t parse_hex(const char *s)
{
	uint32_t v = 0;
	for (; *s; s++)
		v = v * 16 + (uint32_t)(*s <= '9' ? *s - '0' : (*s | 32) - 'a' + 10);
	return v;
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static void crossings(int32_t rounds)
{
	uint32_t words[6] = { 0x11111111u, 0x22222222u, 0x33333333u, 0x44444444u, 0x55555555u, 0x66666666u };
	int32_t fd, r, k;

	for (k = 0; k < rounds; k++) {
		fd = sys(4005, (uint32_t)"/dev/gfx", 2, 0);
		result("open", fd);
		if (fd < 0)
			return;
		r = sys(4054, (uint32_t)fd, 1, (uint32_t)words);
		result("ioctl 1", r);
		result("checksum6", (int32_t)words[0]);
		result("sum", (int32_t)words[1]);
		result("ioctl 2 bad pointer", sys(4054, (uint32_t)fd, 2, 0x10));
		result("ioctl 3", sys(4054, (uint32_t)fd, 3, 0x00abcdefu));
		result("ioctl 99", sys(4054, (uint32_t)fd, 99, 0));
		result("close", sys(4006, (uint32_t)fd, 0, 0));
	}
}

void __start_c(uint32_t *sp)
{
	int32_t argc = (int32_t)sp[0], fd;
	const char *mode = argc > 1 ? (const char *)sp[2] : "crossings";
	const char *arg = argc > 2 ? (const char *)sp[3] : 0;

	if (same(mode, "crossings")) {
		crossings(arg ? (int32_t)parse_hex(arg) : 1);
	} else {
		fd = sys(4005, (uint32_t)"/dev/gfx", 2, 0);
		result("open", fd);
		if (same(mode, "wild")) {
			result("ioctl 2", sys(4054, (uint32_t)fd, 2, 0));
			result("ioctl 1 wild", sys(4054, (uint32_t)fd, 1, arg ? parse_hex(arg) : 0));
			result("ioctl 2 after", sys(4054, (uint32_t)fd, 2, 0));
			result("close", sys(4006, (uint32_t)fd, 0, 0));
			result("open again", sys(4005, (uint32_t)"/dev/gfx", 2, 0));
		} else if (same(mode, "smc")) {
			result("ioctl 1", sys(4054, (uint32_t)fd, 1, 0));
			result("ioctl 2", sys(4054, (uint32_t)fd, 2, 0x33333333u));
			result("ioctl 1 after", sys(4054, (uint32_t)fd, 1, 0));
		}
	}
	out("client: done\n");
	sys(4001, 0, 0, 0);
}
__asm__(".text\n\t.globl __start\n__start:\n\tmove $4, $sp\n\taddiu $sp, $sp, -32\n\tjal __start_c\n\tnop\n");
