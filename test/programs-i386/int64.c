/* 64-bit (and 32-bit) integer arithmetic: mul, div, mod (libgcc helpers), shifts by
   every count, comparisons and conversions, over edge values and fixed-seed values. */
#include <stdint.h>
#include <stdio.h>

static uint32_t state = 0x2545f491u;
static uint32_t next(void) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

/* keep the compiler from folding the edge cases at compile time */
static volatile uint64_t sink;

int main(void) {
  static const uint64_t edges[] = {0, 1, 2, 3, 7, 10, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
                                   0xffffffff, 0x100000000ull, 0x100000001ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
                                   0xffffffffffffffffull, 0xfffffffffffffffeull, 0x123456789abcdef0ull, 1000000007ull};
  enum { E = sizeof edges / sizeof *edges };
  uint64_t vals[E + 40];
  for (int i = 0; i < E; i++) vals[i] = edges[i];
  for (int i = E; i < E + 40; i++) vals[i] = ((uint64_t)next() << 32 | next()) >> (next() % 64);
  int n = E + 40;
  uint64_t h = 0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) {
      uint64_t a = vals[i], b = vals[j];
      int64_t sa = (int64_t)a, sb = (int64_t)b;
      uint64_t r[8];
      r[0] = a * b;
      r[1] = b ? a / b : 0;
      r[2] = b ? a % b : 0;
      r[3] = (sb && !(sa == INT64_MIN && sb == -1)) ? (uint64_t)(sa / sb) : 0;
      r[4] = (sb && !(sa == INT64_MIN && sb == -1)) ? (uint64_t)(sa % sb) : 0;
      r[5] = a + b;
      r[6] = a - b;
      r[7] = (uint64_t)(sa < sb) | (uint64_t)(a < b) << 1 | (uint64_t)(a == b) << 2;
      for (int k = 0; k < 8; k++) h = (h ^ r[k]) * 0x100000001b3ull;
      if (i < E && j < E && (i * 7 + j) % 23 == 0) {
        printf("%016llx %016llx: mul %016llx udiv %016llx umod %016llx sdiv %lld smod %lld\n", (unsigned long long)a,
               (unsigned long long)b, (unsigned long long)r[0], (unsigned long long)r[1], (unsigned long long)r[2],
               (long long)r[3], (long long)r[4]);
      }
    }
  }
  printf("pairwise hash %016llx\n", (unsigned long long)h);
  h = 0;
  for (int i = 0; i < n; i++) {
    for (int s = 0; s < 64; s++) {
      volatile int count = s;
      uint64_t a = vals[i];
      int64_t sa = (int64_t)a;
      uint64_t l = a << count, rr = a >> count;
      int64_t ar = sa >> count;
      uint64_t rot = count ? (a << count) | (a >> (64 - count)) : a;
      h = (h ^ l) * 0x100000001b3ull;
      h = (h ^ rr) * 0x100000001b3ull;
      h = (h ^ (uint64_t)ar) * 0x100000001b3ull;
      h = (h ^ rot) * 0x100000001b3ull;
    }
  }
  printf("shift hash %016llx\n", (unsigned long long)h);
  /* 32-bit signed/unsigned edge arithmetic and conversions */
  static const int32_t e32[] = {0, 1, -1, 2, -2, 0x7fffffff, (int32_t)0x80000000, 0x10000, -0x10000, 46341, 65535};
  for (unsigned i = 0; i < sizeof e32 / sizeof *e32; i++) {
    for (unsigned j = 0; j < sizeof e32 / sizeof *e32; j++) {
      int32_t a = e32[i], b = e32[j];
      int64_t wide = (int64_t)a * b;
      uint64_t uwide = (uint64_t)(uint32_t)a * (uint32_t)b;
      int32_t q = (b == 0 || (a == (int32_t)0x80000000 && b == -1)) ? 0 : a / b;
      int32_t m = (b == 0 || (a == (int32_t)0x80000000 && b == -1)) ? 0 : a % b;
      printf("%d*%d=%lld u=%llu q=%d m=%d sx=%lld zx=%llu\n", a, b, (long long)wide, (unsigned long long)uwide, q, m,
             (long long)(int64_t)a, (unsigned long long)(uint32_t)a);
    }
  }
  sink = h;
  return 0;
}
