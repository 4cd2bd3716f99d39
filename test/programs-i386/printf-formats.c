/* printf and friends with many conversions, flags, widths and precisions, over edge
   values and fixed-seed pseudo-random values (integers only; see printf-float.c). */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint32_t state = 0x12345678u;
static uint32_t next(void) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

static const char *const int_formats[] = {
  "%d", "%i", "%u", "%x", "%X", "%o", "%5d", "%-5d|", "%05d", "%+d", "% d", "%#x", "%#o", "%#X",
  "%.3d", "%8.3d", "%-8.3x|", "%+.0d", "%.0d", "%hd", "%hu", "%hhd", "%hhx", "%c", "%10c|", "%-3c|",
  "%ld", "%lu", "%lx", "%zd", "%zu", "%tx", "%'d",
};

static const char *const ll_formats[] = {"%jd", "%lld", "%llu", "%llx", "%llX", "%llo", "%#llx", "%-22lld|", "%+022lld", "%.20llu", "% lli"};

static const char *const str_formats[] = {"%s", "%10s|", "%-10s|", "%.3s", "%10.2s|", "%-*s|", "%.*s", "%*.*s|"};

int main(void) {
  static const int edges[] = {0, 1, -1, 7, 10, 127, -128, 255, 256, 32767, -32768, 65535, 65536, INT_MAX, INT_MIN, 0x7fffff00, -100000};
  static const long long ll_edges[] = {0, 1, -1, LLONG_MAX, LLONG_MIN, 0x100000000LL, -0x100000000LL, 0xfedcba9876543210LL, 1000000000000LL, 4294967295LL};
  static const char *const strings[] = {"", "a", "hello", "with space", "0123456789abcdef", "tab\there", "\xff\x80 high bytes"};
  char buf[256];
  unsigned long checksum = 0;

  for (unsigned f = 0; f < sizeof int_formats / sizeof *int_formats; f++) {
    printf("[%s]", int_formats[f]);
    for (unsigned i = 0; i < sizeof edges / sizeof *edges; i++) {
      putchar(' ');
      printf(int_formats[f], edges[i]);
    }
    for (int i = 0; i < 6; i++) {
      putchar(' ');
      printf(int_formats[f], (int)next());
    }
    putchar('\n');
  }
  for (unsigned f = 0; f < sizeof ll_formats / sizeof *ll_formats; f++) {
    printf("[%s]", ll_formats[f]);
    for (unsigned i = 0; i < sizeof ll_edges / sizeof *ll_edges; i++) {
      putchar(' ');
      printf(ll_formats[f], ll_edges[i]);
    }
    for (int i = 0; i < 4; i++) {
      long long v = ((long long)next() << 32) | next();
      putchar(' ');
      printf(ll_formats[f], v);
    }
    putchar('\n');
  }
  for (unsigned f = 0; f < sizeof str_formats / sizeof *str_formats; f++) {
    printf("[%s]", str_formats[f]);
    for (unsigned i = 0; i < sizeof strings / sizeof *strings; i++) {
      putchar(' ');
      if (strstr(str_formats[f], "*.*")) printf(str_formats[f], 9, 4, strings[i]);
      else if (strchr(str_formats[f], '*')) printf(str_formats[f], 6, strings[i]);
      else printf(str_formats[f], strings[i]);
    }
    putchar('\n');
  }
  /* snprintf truncation and return values */
  for (int n = 0; n < 12; n++) {
    int r = snprintf(buf, (size_t)n, "%d-%s-%x", -12345, "abc", 0xbeef);
    printf("snprintf(%d) = %d \"%s\"\n", n, r, n ? buf : "(untouched)");
  }
  /* %n and %% */
  int count = 0;
  printf("100%% and %n", &count);
  printf("count=%d\n", count);
  /* sprintf of many random values, checksummed */
  for (int i = 0; i < 800; i++) {
    uint32_t v = next();
    int len = sprintf(buf, "%d|%u|%08x|%o|%+.5d|%-9hd|%lld", (int)v, v, v, v & 0xffff, (int)(v % 1000) - 500, (short)v,
                      (long long)(int)v * 977);
    for (int j = 0; j < len; j++) checksum = checksum * 31 + (unsigned char)buf[j];
  }
  printf("sprintf checksum %08lx\n", checksum);
  /* a pointer to static data is the same natively and emulated (static, non-PIE) */
  printf("%p %p\n", (void *)edges, (void *)0);
  fprintf(stderr, "to stderr %d\n", 42);
  return 3;
}
