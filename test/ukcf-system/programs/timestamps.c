/*
 * rdtsc in an i386 program: two adjacent reads (their difference is the time the translated code
 * takes between them), then a loop that spins until the time has advanced by 20000 since the first
 * read, with a system call in each pass (so that the instructions executed depend on the time
 * source, and time-stamp reads interleave with system calls). Prints both numbers.
 */
static long sys3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

static unsigned long long rdtsc(void)
{
	unsigned lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((unsigned long long)hi << 32) | lo;
}

static void put_number(const char *what, unsigned v)
{
	char line[48], digits[12];
	int n = 0, d = 0;
	while (*what) line[n++] = *what++;
	do digits[d++] = (char)('0' + v % 10); while ((v /= 10) != 0);
	while (d > 0) line[n++] = digits[--d];
	line[n++] = '\n';
	sys3(4, 1, (long)line, n);
}

__attribute__((used)) void start_c(void)
{
	unsigned adjacent, passes = 0;
	unsigned long long start;
	__asm__ volatile("rdtsc\n\tmovl %%eax, %%ecx\n\trdtsc\n\tsubl %%ecx, %%eax" : "=a"(adjacent) : : "ecx", "edx");
	start = rdtsc();
	while (rdtsc() - start < 20000) {
		sys3(20, 0, 0, 0); /* getpid */
		passes++;
	}
	put_number("adjacent rdtsc apart: ", adjacent);
	put_number("passes: ", passes);
	sys3(1, passes > 0 && passes < 20000 ? 0 : 1, 0, 0);
}
__asm__(".globl _start\n_start:\n call start_c\n hlt\n");
