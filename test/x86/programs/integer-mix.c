/* Freestanding i386 test program: many integer idioms gcc compiles differently at each -O level.
 * Each section prints "name value\n"; the test compares native and emulated output. */
typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;
typedef long long i64;

static int sys_call3(int nr, int a, int b, int c) {
  int r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
  return r;
}
static void out_str(const char *s) { int n = 0; while (s[n]) n++; sys_call3(4, 1, (int)s, n); }
static void out_hex(const char *name, u32 v) {
  char buf[32]; int i = 0;
  while (name[i]) { buf[i] = name[i]; i++; }
  buf[i++] = ' ';
  for (int d = 0; d < 8; d++) buf[i++] = "0123456789abcdef"[(v >> (28 - 4 * d)) & 15];
  buf[i++] = '\n'; buf[i] = 0;
  out_str(buf);
}

static u32 seed = 12345;
static u32 rnd(void) { seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5; return seed; }

static volatile u32 sink;
static u32 vals[64];

__attribute__((noinline)) static u32 arith_mix(void) {
  u32 h = 0;
  for (int i = 0; i < 64; i++) {
    u32 a = vals[i], b = vals[(i * 7) & 63] | 1;
    i32 sa = (i32)a, sb = (i32)b;
    h = h * 31 + a / b + a % b;
    h ^= (u32)(sa / sb) + (u32)(sa % sb);
    h += (a >> (b & 31)) ^ (u32)(sa >> (b & 31)) ^ (a << (b & 31));
    h += (a > b) + (sa > sb) * 2 + (a == b) * 4 + (sa <= sb) * 8;
    h += (u32)((u64)a * b >> 32) + (u32)((i64)sa * sb >> 32);
    h += a / 10 + a / 7 + (u32)(sa / 3) + (u32)(sa % 5);
    h += (a < b ? a : b) + (sa > sb ? (u32)sa : (u32)sb);
    unsigned short us = (unsigned short)a; short ss = (short)b;
    h += us * 3 + ss / 3 + (u32)(signed char)a + (unsigned char)b;
  }
  return h;
}

__attribute__((noinline)) static u32 wide_mix(void) {
  u64 acc = 0x123456789abcdefULL;
  for (int i = 0; i < 64; i++) {
    u64 a = ((u64)vals[i] << 32) | vals[(i + 1) & 63];
    u64 b = ((u64)vals[(i + 5) & 63] << 7) | 3;
    acc += a / b + a % b;
    acc ^= a << (i & 63);
    acc += (u64)((i64)a >> (i & 63));
    acc += a >> ((i * 3) & 63);
    acc *= 0x9e3779b97f4a7c15ULL;
    i64 sa = (i64)a, sb = (i64)b - 1000;
    acc += (u64)(sa / sb) + (u64)(sa % sb);
  }
  return (u32)acc ^ (u32)(acc >> 32);
}

__attribute__((noinline)) static u32 bit_mix(void) {
  u32 h = 0;
  for (int i = 0; i < 64; i++) {
    u32 a = vals[i] | 1;
    h += (u32)__builtin_ctz(a) + (u32)__builtin_clz(a) + __builtin_bswap32(a) + (u32)__builtin_popcount(a);
    h += (u32)__builtin_parity(a);
    h = (h << 5) | (h >> 27);
    u32 bits[4] = { vals[i], vals[i ^ 1], vals[i ^ 2], vals[i ^ 3] };
    int bit = (int)(vals[(i + 9) & 63] & 127);
    h += (bits[bit >> 5] >> (bit & 31)) & 1;
    bits[bit >> 5] |= 1u << (bit & 31);
    h += bits[0] ^ bits[1] ^ bits[2] ^ bits[3];
  }
  return h;
}

struct rec { int key; char name[13]; short s; };
static struct rec recs[40];

static int cmp_rec(const void *x, const void *y) {
  const struct rec *a = x, *b = y;
  return a->key < b->key ? -1 : a->key > b->key ? 1 : a->s - b->s;
}
static void sort_any(void *base, int n, int size, int (*cmp)(const void *, const void *)) {
  char *p = base;
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && cmp(p + (j - 1) * size, p + j * size) > 0; j--) {
      char tmp[64];
      __builtin_memcpy(tmp, p + j * size, (unsigned)size);
      __builtin_memcpy(p + j * size, p + (j - 1) * size, (unsigned)size);
      __builtin_memcpy(p + (j - 1) * size, tmp, (unsigned)size);
    }
}

__attribute__((noinline)) static u32 struct_mix(void) {
  for (int i = 0; i < 40; i++) {
    recs[i].key = (int)(rnd() % 17) - 8;
    recs[i].s = (short)rnd();
    for (int k = 0; k < 12; k++) recs[i].name[k] = (char)('a' + rnd() % 26);
    recs[i].name[12] = 0;
  }
  sort_any(recs, 40, sizeof recs[0], cmp_rec);
  u32 h = 0;
  for (int i = 0; i < 40; i++) {
    struct rec r = recs[i];
    h = h * 33 + (u32)r.key + (u32)r.s + (u32)r.name[i % 12];
  }
  return h;
}

static int classify(int x) {
  switch (x & 15) {
    case 0: return 11; case 1: return x * 3; case 2: return x - 7; case 3: return x ^ 0x55;
    case 4: return x << 2; case 5: return -x; case 6: return x / 3; case 7: return ~x;
    case 8: return 99; case 9: return x + 1000; case 10: return x & 0xff; case 11: return x | 1;
    default: return 0;
  }
}
static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

__attribute__((noinline)) static u32 control_mix(void) {
  u32 h = 0;
  for (int i = 0; i < 200; i++) h = h * 7 + (u32)classify((int)rnd());
  h += (u32)fib(18);
  int (*fns[3])(int) = { classify, fib, classify };
  for (int i = 0; i < 9; i++) h += (u32)fns[i % 3](i + 3);
  return h;
}

__attribute__((noinline)) static u32 string_mix(void) {
  static char a[300], b[300];
  u32 h = 0;
  for (int i = 0; i < 300; i++) a[i] = (char)(rnd() | 1);
  a[299] = 0;
  u32 d0, d1, d2;
  __asm__ volatile("cld; rep movsb" : "=S"(d0), "=D"(d1), "=c"(d2) : "0"(a), "1"(b), "2"(300) : "memory");
  h += (u32)b[17] + (u32)b[250];
  __asm__ volatile("std; rep movsb; cld" : "=S"(d0), "=D"(d1), "=c"(d2) : "0"(a + 299), "1"(b + 298), "2"(100) : "memory");
  h += (u32)b[250] * 3 + d0 + d1 + d2;
  __asm__ volatile("cld; rep stosl" : "=D"(d1), "=c"(d2) : "a"(0x41424344), "0"(b + 4), "1"(20) : "memory");
  h += (u32)b[9] + d2;
  b[100] = 'x'; a[100] = 'y';
  u32 res;
  __asm__ volatile("cld; repe cmpsb; setne %%al; movzbl %%al, %%eax" : "=a"(res), "=S"(d0), "=D"(d1), "=c"(d2) : "1"(a + 4), "2"(a + 4), "3"(50) : "memory", "cc");
  h += res + d2;
  __asm__ volatile("cld; repne scasb" : "=D"(d1), "=c"(d2) : "a"('y'), "0"(a), "1"(300) : "memory", "cc");
  h += d2 * 5 + (d1 - (u32)a);
  __asm__ volatile("cld; lodsw; lodsl" : "=a"(res), "=S"(d0) : "1"(a + 2) : "memory");
  h += res + (d0 - (u32)a);
  int len = 0; while (a[len]) len++;
  h += (u32)len;
  __builtin_memset(b, 0x5a, 77);
  h += (u32)b[76] + (u32)b[77];
  return h;
}

__attribute__((noinline)) static u32 atomic_mix(void) {
  static volatile int counter = 5;
  u32 h = 0;
  h += (u32)__sync_fetch_and_add(&counter, 7);
  h += (u32)__sync_val_compare_and_swap(&counter, 12, 40);
  h += (u32)__sync_val_compare_and_swap(&counter, 12, 50);
  h += (u32)__sync_lock_test_and_set(&counter, 3);
  static volatile u64 wide = 0x100000002ULL;
  u64 old = __sync_val_compare_and_swap(&wide, 0x100000002ULL, 0x500000006ULL);
  h += (u32)old + (u32)(wide >> 32);
  h += (u32)__sync_fetch_and_or(&counter, 0x30) + (u32)counter;
  return h;
}

__attribute__((noinline)) static u32 misc_asm(void) {
  u32 h = 0, a, b, c, d;
  __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x12345678));
  (void)a; (void)b; (void)c; (void)d; /* leaf values differ from the host CPU: not compared */
  __asm__ volatile("enter $16, $0; movl %%esp, %%eax; leave" : "=a"(a));
  __asm__ volatile("movl %%esp, %0" : "=r"(b));
  h += b - a;
  __asm__ volatile("pushl %%ds; popl %%eax; movw %%ss, %%dx; movzwl %%dx, %%edx" : "=a"(a), "=d"(b));
  h += a * 3 + b;
  __asm__ volatile("movl $0x87654321, %%eax; cwtl; movl %%eax, %0" : "=r"(c) : : "eax");
  h += c;
  __asm__ volatile("xorl %%eax, %%eax; movb $0x7f, %%al; addb $1, %%al; lahf; movzbl %%ah, %0" : "=r"(d) : : "eax", "cc");
  h += d;
  __asm__ volatile(".byte 0x0f, 0x1f, 0x44, 0x00, 0x00; .byte 0x66, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0; nop" ::: "memory");
  __asm__ volatile("movl $5, %%ecx; xorl %%eax, %%eax; 1: addl %%ecx, %%eax; loop 1b; movl %%eax, %0" : "=r"(a) : : "eax", "ecx", "cc");
  h += a;
  __asm__ volatile("movl $0, %%ecx; movl $7, %%eax; jecxz 1f; movl $9, %%eax; 1: movl %%eax, %0" : "=r"(a) : : "eax", "ecx");
  h += a;
  __asm__ volatile("xorl %%eax, %%eax; pushl $0xcd5; popfl; pushfl; popl %%eax; pushl $0x202; popfl" : "=a"(a) : : "cc");
  h += a & 0xcd5; /* status flags and DF */
  __asm__ volatile("pushal; movl $1, %%eax; popal" ::: "memory");
  __asm__ volatile("movl $0x80000000, %%eax; movl $3, %%ecx; movl $0x1234, %%edx; shldl %%cl, %%edx, %%eax; shrdl $5, %%edx, %%eax" : "=a"(a) : : "ecx", "edx", "cc");
  h += a;
  __asm__ volatile("movl $0xf0, %%eax; stc; rcll $3, %%eax; rcrb $2, %%al; rolw $9, %%ax; rorl $13, %%eax" : "=a"(a) : : "cc");
  h += a;
  __asm__ volatile("movl $0x12345678, %%eax; movl $200, %%ecx; xlat" : "=a"(a) : "b"(vals) : "ecx");
  h += a;
  __asm__ volatile("movl $0x1000, %%eax; bsrl %%eax, %%ecx; bsfl %%eax, %%edx; addl %%edx, %%ecx; movl %%ecx, %%eax" : "=a"(a) : : "ecx", "edx", "cc");
  h += a;
  return h;
}

struct user_desc { u32 entry_number, base_addr, limit, flags; };
static u32 tls_block[4] = { 0xdeadbeef, 0x11111111, 0x22222222, 0x33333333 };

__attribute__((noinline)) static u32 tls_mix(void) {
  struct user_desc ud = { 0xffffffffu, (u32)tls_block, 0xfffff, 0x51 };
  int r = sys_call3(243, (int)&ud, 0, 0);
  if (r != 0) return 0xbad;
  u32 sel = ud.entry_number * 8 + 3, a, b;
  __asm__ volatile("movw %w2, %%gs; movl %%gs:4, %0; movl $8, %%eax; movl %%gs:(%%eax), %1" : "=r"(a), "=r"(b) : "r"(sel) : "eax", "memory");
  __asm__ volatile("movl $0x44444444, %%gs:12" ::: "memory");
  u32 c;
  __asm__ volatile("pushl %%gs; popl %%fs; movl %%fs:0, %0; movl $0, %%eax; movw %%ax, %%fs" : "=r"(c) : : "eax");
  return a + b * 3 + tls_block[3] + c + sel * 0;
}

void _start(void) {
  for (int i = 0; i < 64; i++) {
    u32 r = rnd();
    vals[i] = i < 16 ? (u32[]){ 0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff }[i] : r >> (r & 31);
  }
  out_hex("arith", arith_mix());
  out_hex("wide", wide_mix());
  out_hex("bits", bit_mix());
  out_hex("struct", struct_mix());
  out_hex("control", control_mix());
  out_hex("string", string_mix());
  out_hex("atomic", atomic_mix());
  out_hex("asm", misc_asm());
  out_hex("tls", tls_mix());
  sys_call3(1, 0, 0, 0);
  for (;;) {}
}
