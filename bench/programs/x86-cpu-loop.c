/* CPU-bound freestanding i386 program for bench/x86-interpreter.bench.ts: integer hashing,
   a sieve, a bubble sort and byte copying; prints a checksum and exits. */
static int sys_write(int fd, const void *buf, int n) {
  int r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(4), "b"(fd), "c"(buf), "d"(n) : "memory");
  return r;
}
static void sys_exit(int code) {
  __asm__ volatile("int $0x80" : : "a"(1), "b"(code));
  for (;;) {}
}

static unsigned char sieve_flags[65536];
static int sort_data[512];
static unsigned char copy_src[4096], copy_dst[4096];

static unsigned hash_rounds(unsigned h, int n) {
  for (int i = 0; i < n; i++) {
    h ^= (unsigned)i * 0x9e3779b9u;
    h = (h << 7) | (h >> 25);
    h += h >> 3;
  }
  return h;
}

static int sieve(int n) {
  int count = 0;
  for (int i = 0; i < n; i++) sieve_flags[i] = 0;
  for (int i = 2; i < n; i++) {
    if (sieve_flags[i]) continue;
    count++;
    for (int j = i + i; j < n; j += i) sieve_flags[j] = 1;
  }
  return count;
}

static unsigned sort_round(unsigned seed) {
  for (int i = 0; i < 512; i++) {
    seed = seed * 1103515245u + 12345u;
    sort_data[i] = (int)(seed >> 8);
  }
  for (int i = 0; i < 512; i++)
    for (int j = 0; j + 1 < 512 - i; j++)
      if (sort_data[j] > sort_data[j + 1]) {
        int t = sort_data[j];
        sort_data[j] = sort_data[j + 1];
        sort_data[j + 1] = t;
      }
  return (unsigned)sort_data[0] ^ (unsigned)sort_data[511] ^ seed;
}

static unsigned copy_rounds(int n) {
  unsigned sum = 0;
  for (int i = 0; i < 4096; i++) copy_src[i] = (unsigned char)(i * 13);
  for (int r = 0; r < n; r++) {
    for (int i = 0; i < 4096; i++) copy_dst[i] = (unsigned char)(copy_src[i] + r);
    sum += copy_dst[r & 4095];
  }
  return sum;
}

void _start(void) {
  unsigned result[4];
  result[0] = hash_rounds(1, 3000000);
  result[1] = (unsigned)sieve(65536) * 7u + (unsigned)sieve(50000);
  result[2] = sort_round(42);
  result[3] = copy_rounds(200);
  static const char hex[] = "0123456789abcdef";
  char line[4 * 9];
  for (int k = 0; k < 4; k++) {
    for (int d = 0; d < 8; d++) line[k * 9 + d] = hex[(result[k] >> (28 - 4 * d)) & 15];
    line[k * 9 + 8] = k == 3 ? '\n' : ' ';
  }
  sys_write(1, line, sizeof line);
  sys_exit(0);
}
