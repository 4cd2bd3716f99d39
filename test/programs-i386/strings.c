/* string.h, ctype.h and strtol-family functions over fixed-seed random strings and
   buffers, with overlapping moves and every alignment; results printed or checksummed. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t state = 0xdeadbeefu;
static uint32_t next(void) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

static unsigned long sum = 0;
static void mix(const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) sum = sum * 131 + b[i];
}
static void mixint(long v) { mix(&v, sizeof v); }

static void random_string(char *s, int len, const char *alphabet) {
  size_t k = strlen(alphabet);
  for (int i = 0; i < len; i++) s[i] = alphabet[next() % k];
  s[len] = 0;
}

static int sign(int v) { return v < 0 ? -1 : v > 0; }

int main(void) {
  static char a[600], b[600], c[1300];
  /* lengths and comparisons at every alignment */
  for (int round = 0; round < 400; round++) {
    int off = round % 16, len = (int)(next() % 200);
    random_string(a + off, len, "abcXYZ");
    memcpy(b, a + off, (size_t)len + 1);
    if (next() % 3 == 0 && len > 0) b[next() % len] ^= 1;
    mixint((long)strlen(a + off));
    mixint(sign(strcmp(a + off, b)));
    mixint(sign(strncmp(a + off, b, (size_t)(len / 2))));
    mixint(sign(memcmp(a + off, b, (size_t)len)));
    char *p = strchr(a + off, 'Z');
    mixint(p ? p - (a + off) : -1);
    p = strrchr(a + off, 'a');
    mixint(p ? p - (a + off) : -1);
    p = memchr(a + off, 'X', (size_t)len);
    mixint(p ? p - (a + off) : -1);
    mixint((long)strspn(a + off, "abc"));
    mixint((long)strcspn(a + off, "YZ"));
    p = strpbrk(a + off, "cZ");
    mixint(p ? p - (a + off) : -1);
    p = strstr(a + off, "aX");
    mixint(p ? p - (a + off) : -1);
  }
  printf("compare/search checksum %08lx\n", sum);
  /* copies: memcpy, memmove with overlap both ways, memset, strcpy/strcat/strncpy */
  sum = 0;
  for (int round = 0; round < 400; round++) {
    for (int i = 0; i < 600; i++) a[i] = (char)next();
    int n = (int)(next() % 300), from = (int)(next() % 290), to = (int)(next() % 290);
    memmove(a + to, a + from, (size_t)n);
    mix(a, 600);
    memcpy(b + (round % 8), a + (round % 5), (size_t)n);
    mix(b, 600);
    memset(a + from, (int)(next() & 0xff), (size_t)(n / 2));
    mix(a, 600);
    random_string(a, (int)(next() % 100), "qwertyuiop");
    strcpy(c, a);
    strcat(c, "--");
    strcat(c, a);
    strncpy(b, a, 120);
    mix(c, strlen(c) + 1);
    mix(b, 120);
  }
  printf("copy checksum %08lx\n", sum);
  /* strtok_r, strdup, toupper/tolower, ctype classes */
  strcpy(c, "  alpha,beta;;gamma , delta,,epsilon;zeta  ");
  char *save = NULL;
  for (char *t = strtok_r(c, ",; ", &save); t; t = strtok_r(NULL, ",; ", &save)) {
    char *d = strdup(t);
    for (char *q = d; *q; q++) *q = (char)toupper((unsigned char)*q);
    printf("token '%s' -> '%s'\n", t, d);
    free(d);
  }
  for (int ch = 0; ch < 128; ch++) {
    int cls = !!isalpha(ch) | !!isdigit(ch) << 1 | !!isspace(ch) << 2 | !!ispunct(ch) << 3 | !!isupper(ch) << 4 |
              !!isxdigit(ch) << 5 | !!iscntrl(ch) << 6 | !!isprint(ch) << 7;
    printf("%02x", cls);
    if (ch % 32 == 31) putchar('\n');
  }
  /* strtol family with bases and edge inputs */
  static const char *const numbers[] = {"0", "-0", "42", "  -17xyz", "0x1F", "077", "0b101", "2147483647", "2147483648",
                                        "-2147483649", "4294967295", "4294967296", "9223372036854775807",
                                        "-9223372036854775808", "18446744073709551615", "zz", "+12", "", "0x", "1e5"};
  static const int bases[] = {0, 10, 16, 8, 2, 36};
  for (unsigned i = 0; i < sizeof numbers / sizeof *numbers; i++) {
    printf("%-22s", numbers[i]);
    for (unsigned k = 0; k < sizeof bases / sizeof *bases; k++) {
      char *end;
      errno = 0;
      long v = strtol(numbers[i], &end, bases[k]);
      int e1 = errno;
      errno = 0;
      unsigned long long u = strtoull(numbers[i], NULL, bases[k]);
      int e2 = errno;
      errno = 0;
      long long ll = strtoll(numbers[i], NULL, bases[k]);
      printf(" b%d:%ld/%d/%d,%llu/%d,%lld/%d", bases[k], v, (int)(end - numbers[i]), e1, u, e2, ll, errno);
    }
    printf(" atoi=%d\n", atoi(numbers[i]));
  }
  return 0;
}
