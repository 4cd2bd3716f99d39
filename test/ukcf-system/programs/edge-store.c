/*
 * A 4-byte store crossing from the last page of the initial stack into the page above it (nothing
 * mapped there on i386 Linux; in the whole system the translator's code cache, which faults). It
 * prints the top it found; a SIGSEGV handler prints si_addr (the real CPU's fault address), where
 * signals are delivered.
 */
static long sys3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

static long sys4(long n, long a, long b, long c, long d)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c), "S"(d) : "memory");
	return r;
}

static void put_hex(const char *what, unsigned v)
{
	char line[32];
	int n = 0, i;
	while (*what) line[n++] = *what++;
	for (i = 7; i >= 0; i--) line[n++] = "0123456789abcdef"[(v >> (4 * i)) & 15];
	line[n++] = '\n';
	sys3(4, 1, (long)line, n);
}

static void on_segv(int sig, unsigned *info, void *context)
{
	(void)sig; (void)context;
	put_hex("fault address ", info[3]); /* si_addr */
	sys3(1, 7, 0, 0);
}

struct kernel_sigaction { void (*handler)(int, unsigned *, void *); unsigned long flags; void (*restorer)(void); unsigned mask[2]; };

__attribute__((used)) void start_c(unsigned *sp)
{
	unsigned argc = sp[0], top = 0, i;
	char **argv = (char **)(sp + 1), **envp = argv + argc + 1, **e;
	struct kernel_sigaction act = { on_segv, 4 /* SA_SIGINFO */, 0, { 0, 0 } };
	/* The highest string of argv and envp: the stack's last page ends past its end. */
	for (i = 0; i < argc; i++) if ((unsigned)argv[i] > top) top = (unsigned)argv[i];
	for (e = envp; *e; e++) if ((unsigned)*e > top) top = (unsigned)*e;
	while (*(const char *)top) top++;
	top = (top + 4096) & ~4095u;
	put_hex("stack top ", top);
	sys4(174, 11, (long)&act, 0, 8); /* rt_sigaction(SIGSEGV): the real CPU's si_addr */
	*(volatile unsigned *)(top - 2) = 0x11223344u;
	sys3(1, 0, 0, 0);
}
__asm__(".globl _start\n_start:\n movl %esp, %eax\n pushl %eax\n call start_c\n hlt\n");
