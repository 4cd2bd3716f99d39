/* Freestanding i386 program for the user-space translator: system calls through int $0x80, with
   valid and bad arguments, results printed in hex. Only the instructions the translator handles
   from its first increment (mov, add/sub/and/or/xor/cmp/test, shifts by constants, push/pop,
   call/ret, jcc, int $0x80) are needed; no division, no libc. The test compares the translated
   run with the reference interpreter's. */
#define O_RDONLY 0
#define O_WRONLY 1
#define O_CREAT 0x40
#define O_NONBLOCK 0x800
#define O_LARGEFILE 0x8000
#define O_CLOEXEC 0x80000

long sys6(long nr, long a, long b, long c, long d, long e, long f);
__asm__(".text\n.globl sys6\nsys6:\n"
        "  push %ebp\n  push %edi\n  push %esi\n  push %ebx\n"
        "  mov 20(%esp),%eax\n  mov 24(%esp),%ebx\n  mov 28(%esp),%ecx\n  mov 32(%esp),%edx\n"
        "  mov 36(%esp),%esi\n  mov 40(%esp),%edi\n  mov 44(%esp),%ebp\n"
        "  int $0x80\n"
        "  pop %ebx\n  pop %esi\n  pop %edi\n  pop %ebp\n  ret\n");

#define S0(n) sys6(n, 0, 0, 0, 0, 0, 0)
#define S1(n, a) sys6(n, (long)(a), 0, 0, 0, 0, 0)
#define S2(n, a, b) sys6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define S3(n, a, b, c) sys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define S4(n, a, b, c, d) sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define S5(n, a, b, c, d, e) sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

static char out[8192];
static int used;
static const char digits[] = "0123456789abcdef";

/* Strings go by length (no byte compares: 8-bit ALU operations came later to the translator). */
static void putn(const char *s, int n) {
  int i;
  for (i = 0; i < n; i = i + 1) out[used + i] = s[i];
  used = used + n;
}
#define put(s) putn(s, sizeof(s) - 1)

static void hex(unsigned v) {
  int i;
  put(" ");
  for (i = 0; i < 8; i = i + 1) {
    out[used] = digits[(v >> 28) & 15];
    used = used + 1;
    v = v << 4;
  }
}

static void line_(const char *name, int length, long r) {
  putn(name, length);
  hex((unsigned)r);
  put("\n");
}
#define line(name, r) line_(name, sizeof(name) - 1, r)

static void words_(const char *name, int length, const unsigned *w, int n) {
  int i;
  putn(name, length);
  for (i = 0; i < n; i = i + 1) hex(w[i]);
  put("\n");
}
#define words(name, w, n) words_(name, sizeof(name) - 1, w, n)

static void flush(void) {
  S3(4, 1, out, used);
  used = 0;
}

static unsigned buf[128]; /* uname writes 390 bytes */
static unsigned act[8];
static unsigned old[8];
static unsigned desc[4];

static void clear(unsigned *p, int n) {
  int i;
  for (i = 0; i < n; i = i + 1) p[i] = 0;
}

void entry(long *sp) {
  const char *self = (const char *)sp[1];
  long fd, r;
  line("argc", sp[0]);
  line("getpid", S0(20));
  line("getppid", S0(64));
  line("getuid32", S0(199));
  line("getegid32", S0(202));
  line("gettid", S0(224));
  clear(buf, 128);
  line("uname", S1(122, buf));
  words("uname sysname, machine", buf, 2);
  words("uname machine", buf + 65, 2);
  line("uname bad pointer", S1(122, 8));
  r = S1(45, 0);
  line("brk grow", S1(45, r + 8192) - r);
  desc[0] = 0xffffffff;
  desc[1] = 0x12345000;
  desc[2] = 0xfffff;
  desc[3] = 0x51;
  line("set_thread_area", S1(243, desc));
  line("set_thread_area entry", desc[0]);
  line("set_thread_area bad", S1(243, 4));
  line("open missing", S3(5, "/nonexistent/ukcf", O_RDONLY, 0));
  fd = S3(5, self, O_RDONLY | O_LARGEFILE | O_NONBLOCK, 0);
  line("open self", fd);
  line("fcntl F_GETFL", S3(221, fd, 3, 0));
  line("fcntl F_SETFL", S3(221, fd, 4, O_NONBLOCK));
  line("fcntl F_GETLK64 (bad lock)", S3(221, fd, 12, 0));
  clear(buf, 128);
  line("fstat64", S2(197, fd, buf));
  line("fstat64 mode type", buf[4] & 0170000);
  line("fstat64 size nonzero", buf[11] != 0);
  line("fstat64 ino = __st_ino", buf[22] == buf[3]);
  line("fstat64 bad buffer", S2(197, fd, 1));
  clear(buf, 128);
  line("read", S3(3, fd, buf, 4));
  line("read bytes", buf[0]);
  line("_llseek", S5(140, fd, 0, 1, buf, 0));
  line("_llseek result", buf[0]);
  line("pread64", S5(180, fd, buf, 4, 8, 0));
  line("pread64 bytes", buf[0]);
  r = S3(330, fd, 20, O_CLOEXEC);
  line("dup3", r);
  line("F_GETFD", S3(221, r, 1, 0));
  line("close", S1(6, fd));
  line("close again", S1(6, fd));
  line("ioctl TCGETS", S3(54, 1, 0x5401, buf));
  r = sys6(192, 0, 8192, 3, 0x22, -1, 0);
  line("mmap2 page aligned", r & 4095);
  ((unsigned *)r)[1000] = 0x5a5a1234;
  line("mmap2 memory", ((unsigned *)r)[1000]);
  line("mprotect", S3(125, r, 4096, 1));
  line("munmap", S2(91, r, 8192));
  clear(buf, 128);
  buf[2] = 4096;
  buf[3] = 3;
  buf[4] = 0x22;
  buf[5] = -1;
  r = S1(90, buf + 1);
  line("old mmap page aligned", r & 4095);
  line("old mmap bad block", S1(90, 12));
  clear(act, 8);
  clear(old, 8);
  act[0] = 0x08049999; /* handler */
  act[1] = 0x14000004; /* SA_RESTART | SA_RESTORER | SA_SIGINFO */
  act[2] = 0x0804aaaa; /* restorer */
  act[3] = 0x00010a00; /* SIGUSR1 SIGUSR2 SIGCHLD in the mask */
  line("rt_sigaction", S4(174, 12, act, 0, 8));
  line("rt_sigaction read back", S4(174, 12, 0, old, 8));
  words("old action", old, 5);
  line("rt_sigaction bad size", S4(174, 12, act, old, 16));
  line("rt_sigaction SIGKILL", S4(174, 9, act, 0, 8));
  line("rt_sigaction bad oldact", S4(174, 12, 0, 3, 8));
  act[0] = 0x00014200; /* SIGUSR1 SIGPIPE SIGCHLD SIGSTKFLT? */
  act[1] = 0x80000001; /* signal 64, 33 */
  line("rt_sigprocmask block", S4(175, 0, act, 0, 8));
  line("rt_sigprocmask read", S4(175, 0, 0, old, 8));
  words("mask", old, 2);
  line("rt_sigprocmask bad how", S4(175, 7, act, old, 8));
  clear(act, 8);
  act[0] = 0x0804c000;
  act[2] = 8192;
  line("sigaltstack", S2(186, act, 0));
  line("sigaltstack read", S2(186, 0, old));
  words("stack_t", old, 3);
  line("ugetrlimit NOFILE", S2(191, 7, buf));
  words("rlimit", buf, 2);
  line("ugetrlimit STACK", S2(191, 3, buf));
  words("rlimit", buf, 2);
  line("getrlimit AS", S2(76, 9, buf));
  words("rlimit", buf, 2);
  line("prlimit64 NOFILE", S4(340, 0, 7, 0, buf));
  words("rlimit64", buf, 4);
  line("kill SIGCHLD (ignored)", S2(37, S0(20), 17));
  line("kill 0", S2(37, S0(20), 0));
  line("kill bad signal", S2(37, S0(20), 65));
  line("tgkill SIGWINCH (ignored)", S3(270, S0(20), S0(224), 28));
  line("clock_gettime bad clock", S2(265, 99, buf));
  line("time positive", S1(13, 0) > 0);
  line("pipe", S1(42, buf));
  line("unknown call", S0(1023));
  line("getdents64 bad fd", S3(220, 77, buf, 256));
  line("access self", S2(33, self, 4));
  line("getrandom", S3(355, buf, 16, 0));
  words("random", buf, 4);
  flush();
  /* The end: a default-action signal, numbered as on i386 (SIGUSR1 = 10, SIGTERM = 15), unblocked first. */
  clear(act, 8);
  S4(175, 2, act, 0, 8);
  S2(37, S0(20), sp[0] > 1 ? 15 : 10);
  S1(252, 3);
}

__asm__(".globl _start\n_start:\n  mov %esp,%eax\n  push %eax\n  call entry\n  hlt\n");
