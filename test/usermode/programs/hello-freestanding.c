/* The smallest Linux program: write(1, ...) and exit(5) through int $0x80 / syscall, no libc. */
#if defined(__i386__)
static long sys3(long n, long a, long b, long c) {
  long r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
  return r;
}
#define SYS_WRITE 4
#define SYS_EXIT 1
#else
static long sys3(long n, long a, long b, long c) {
  register long v0 __asm__("$2") = n;
  register long a0 __asm__("$4") = a;
  register long a1 __asm__("$5") = b;
  register long a2 __asm__("$6") = c;
  register long a3 __asm__("$7");
  __asm__ volatile("syscall" : "+r"(v0), "=r"(a3) : "r"(a0), "r"(a1), "r"(a2) : "memory", "$1", "$3", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15", "$24", "$25", "hi", "lo");
  return v0;
}
#define SYS_WRITE 4004
#define SYS_EXIT 4001
#endif

static const char message[] = "hello from a freestanding program\n";

void __attribute__((noreturn, section(".text.start"))) FREESTANDING_ENTRY(void) {
  sys3(SYS_WRITE, 1, (long)message, sizeof message - 1);
  for (;;) sys3(SYS_EXIT, 5, 0, 0);
}
