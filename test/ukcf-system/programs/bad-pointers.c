/*
 * i386 Linux system calls with bad pointers, and a few good ones around them: each line is
 * "name = result" (the raw int 0x80 result, -errno on failure). Freestanding (no libc): the same
 * binary runs on the real CPU, under qemu-i386 and in the full system (--scheme ukcf), and must
 * print the same lines everywhere.
 */
typedef unsigned int u32;

static int sys(int nr, u32 a, u32 b, u32 c, u32 d)
{
	int r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d) : "memory");
	return r;
}

static void out(const char *s)
{
	u32 n = 0;
	while (s[n])
		n++;
	sys(4, 1, (u32)s, n, 0);
}

static void line(const char *name, int value)
{
	char buf[16], *p = buf + sizeof(buf);
	u32 v = value < 0 ? -(u32)value : (u32)value;
	*--p = '\0';
	*--p = '\n';
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	if (value < 0)
		*--p = '-';
	out(name);
	out(" = ");
	out(p);
}

/* Outside anything Linux or the host kernel maps for this program. */
#define BAD_LOW    0x10u
#define BAD_HIGH   0xc0000000u
#define BAD_BELOW  0x07ff0000u
/*
 * In the full system: the UKCF translator's area (the top 4 MiB of the 28 MiB window at
 * 0x08000000): code cache, lookup table, context block, host stack. Nothing there on i386 Linux.
 */
#define AREA_CODE  0x09800000u
#define AREA_HIGH  0x09bf0000u

static u32 st[32];
static u32 desc[4];
static u32 ts[2];
static char uts[390];

void _start(void)
{
	line("fstat64 low", sys(197, 1, BAD_LOW, 0, 0));
	line("fstat64 high", sys(197, 1, BAD_HIGH, 0, 0));
	line("fstat64 below", sys(197, 1, BAD_BELOW, 0, 0));
	line("fstat64 good", sys(197, 1, (u32)st, 0, 0));
	line("set_thread_area bad", sys(243, BAD_LOW, 0, 0, 0));
	line("old mmap bad", sys(90, BAD_LOW, 0, 0, 0));
	line("rt_sigaction bad act", sys(174, 10, BAD_LOW, 0, 8));
	line("rt_sigprocmask bad set", sys(175, 0, BAD_HIGH, 0, 8));
	line("sigaltstack bad", sys(186, BAD_LOW, 0, 0, 0));
	line("uname bad", sys(122, BAD_HIGH, 0, 0, 0));
	line("write bad", sys(4, 1, BAD_LOW, 5, 0));
	line("clock_gettime bad", sys(265, 0, BAD_LOW, 0, 0));
	line("nanosleep bad", sys(162, BAD_LOW, 0, 0, 0));
	line("fstat64 area", sys(197, 1, AREA_CODE, 0, 0));
	line("clock_gettime area", sys(265, 0, AREA_CODE + 0x1000, 0, 0));
	line("uname area", sys(122, AREA_HIGH, 0, 0, 0));
	line("write area", sys(4, 1, AREA_CODE, 16, 0));
	line("set_thread_area area", sys(243, AREA_HIGH, 0, 0, 0));
	line("rt_sigaction area", sys(174, 10, AREA_CODE, 0, 8));
	line("clock_gettime good", sys(265, 1, (u32)ts, 0, 0));
	line("uname good", sys(122, (u32)uts, 0, 0, 0));
	out(uts);
	out("\n");
	/* A TLS descriptor: %gs then reads through its base (the replay must model it too). */
	desc[0] = (u32)-1;
	desc[1] = (u32)&st[5];
	desc[2] = 0xfffff;
	desc[3] = 0x51; /* seg_32bit, limit_in_pages, useable */
	st[5] = 1234567;
	line("set_thread_area good", sys(243, (u32)desc, 0, 0, 0));
	{
		u32 sel = desc[0] * 8 + 3, v;
		__asm__ volatile("movw %w1, %%gs\n\tmovl %%gs:0, %0" : "=r"(v) : "r"(sel));
		line("gs:0", (int)v);
	}
	sys(1, 0, 0, 0, 0);
}
