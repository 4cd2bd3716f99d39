/* Freestanding mipsel program (no libc): 64-bit arithmetic through libgcc helpers, string
   handling, an insertion sort, recursion, and a division by zero at the end (gcc guards
   divisions with `teq divisor, $zero, 7`), so the exit status shows the trap. */

typedef unsigned int u32;
typedef unsigned long long u64;
typedef long long i64;

static long sys3(long n, long a, long b, long c) {
  register long v0 __asm__("$2") = n;
  register long a0 __asm__("$4") = a;
  register long a1 __asm__("$5") = b;
  register long a2 __asm__("$6") = c;
  register long a3 __asm__("$7");
  __asm__ volatile("syscall" : "+r"(v0), "=r"(a3) : "r"(a0), "r"(a1), "r"(a2) : "memory", "$1", "$3", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15", "$24", "$25", "hi", "lo");
  return a3 ? -v0 : v0;
}

static void out(const char *s, u32 n) { sys3(4004, 1, (long)s, (long)n); }

static u32 length(const char *s) {
  u32 n = 0;
  while (s[n]) n++;
  return n;
}

static void puts_(const char *s) { out(s, length(s)); }

static void put_u64(u64 v, u32 base) {
  char buf[32];
  int i = 31;
  buf[i] = 0;
  do {
    buf[--i] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  puts_(buf + i);
}

static void put_i64(i64 v) {
  if (v < 0) {
    puts_("-");
    put_u64((u64)0 - (u64)v, 10);
  } else {
    put_u64((u64)v, 10);
  }
}

static u32 rng_state = 12345;
static u32 next(void) {
  rng_state = rng_state * 1103515245u + 12345u;
  return rng_state;
}

static void sort(int *v, int n) {
  for (int i = 1; i < n; i++) {
    int x = v[i], j = i - 1;
    while (j >= 0 && v[j] > x) { v[j + 1] = v[j]; j--; }
    v[j + 1] = x;
  }
}

static u32 fib(u32 n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static volatile int zero = 0;

void __start(void) {
  u64 acc = 0x0123456789abcdefULL;
  for (int i = 0; i < 40; i++) {
    u64 a = ((u64)next() << 32) | next();
    u64 b = ((u64)next() << 17) | (next() | 1);
    i64 sa = (i64)a, sb = (i64)b;
    acc ^= a * b + (a / b) - (a % b) + (u64)(sa / (sb | 1)) + (u64)(sa % (sb | 1));
    acc = (acc << (i % 64)) | (acc >> ((64 - i % 64) % 64));
    if (i % 8 == 0) { put_u64(acc, 16); puts_(" "); put_i64((i64)acc >> 3); puts_("\n"); }
  }
  int v[23];
  for (int i = 0; i < 23; i++) v[i] = (int)next() >> 7;
  sort(v, 23);
  for (int i = 0; i < 23; i++) { put_i64(v[i]); puts_(i == 22 ? "\n" : ","); }
  puts_("fib(20)="); put_u64(fib(20), 10); puts_("\n");
  char text[] = "Hello, MIPS world";
  for (u32 i = 0; i < length(text); i++) if (text[i] >= 'a' && text[i] <= 'z') text[i] -= 32;
  puts_(text); puts_("\n");
  puts_("dividing by zero\n");
  put_u64((u32)100 / (u32)zero, 10);
  sys3(4001, 0, 0, 0);
}
