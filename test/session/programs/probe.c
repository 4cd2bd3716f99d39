/* A freestanding i386 program inside the UKCF translated subset: calls, loops, memory, int 0x80. */
static int sys3(int nr, int a, int b, int c)
{
	int r;
	__asm__ volatile("int $0x80" : "=a"(r) : "0"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

static char line[16];
int table[64];

__attribute__((noinline)) int step(int x, int i)
{
	return (x << 3) + (x >> 2) + i * 7 + table[i & 63];
}

__attribute__((noinline)) int mix(int seed, int rounds)
{
	int x = seed;
	for (int i = 0; i < rounds; i++) {
		table[i & 63] = x;
		x = step(x, i) ^ (x << 1);
	}
	return x;
}

__attribute__((noinline)) void report(unsigned v)
{
	for (int i = 0; i < 8; i++) {
		unsigned d = v >> 28;
		v <<= 4;
		line[i] = d < 10 ? '0' + d : 'a' + d - 10;
	}
	line[8] = '\n';
	sys3(4, 1, (int)line, 9);
}

void _start(void)
{
	int total = 0;
	for (int k = 1; k <= 5; k++) {
		int v = mix(k * 0x1234567, 50 * k);
		report((unsigned)v);
		total ^= v;
	}
	sys3(1, total & 0x7f, 0, 0);
	for (;;) { }
}
