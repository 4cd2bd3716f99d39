/* Static glibc program: printf formats, string functions, qsort, 64-bit arithmetic, malloc,
   argv. Deterministic output (no addresses, no environment, no time). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

static unsigned long long state = 0x2545F4914F6CDD1DULL;
static unsigned long long next(void) {
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1DULL;
}

static int compare_ints(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

static int compare_strings(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  for (int i = 1; i < argc; i++) printf("argv[%d]=\"%s\" (%zu)\n", i, argv[i], strlen(argv[i]));

  printf("[%d] [%5d] [%-5d] [%05d] [%+d] [%x] [%#X] [%o] [%u] [%c] [%%]\n", -42, 42, 42, 42, 42, 0xbeef, 0xbeef, 8, -1u, 'Q');
  printf("[%s] [%10s] [%-10s] [%.3s]\n", "mips", "mips", "mips", "mipsel");
  printf("[%lld] [%llu] [%llx] [%20lld]\n", -1234567890123456789LL, 18446744073709551615ULL, 0xfedcba9876543210ULL, 42LL);

  for (int i = 0; i < 6; i++) {
    unsigned long long a = next(), b = next() >> (i * 9);
    long long sa = (long long)a, sb = (long long)b | 1;
    printf("%016llx * %016llx = %016llx; / = %llu; %% = %llu; s/ = %lld; s%% = %lld; >> %d = %llx\n", a, b, a * b,
           b ? a / b : 0, b ? a % b : 0, sa / sb, sa % sb, i * 7, a >> (i * 7));
  }

  int values[50];
  for (int i = 0; i < 50; i++) values[i] = (int)(next() % 2001) - 1000;
  qsort(values, 50, sizeof values[0], compare_ints);
  for (int i = 0; i < 50; i++) printf("%d%c", values[i], i == 49 ? '\n' : ' ');

  const char *words[] = {"translation", "kernel", "driver", "mips", "x86", "shell", "jump", "monitor", "context", "cache"};
  qsort(words, 10, sizeof words[0], compare_strings);
  for (int i = 0; i < 10; i++) printf("%s%s", words[i], i == 9 ? "\n" : ",");

  char buffer[128];
  strcpy(buffer, "user-space");
  strcat(buffer, " translator");
  printf("%s|%zu|%s|%s|%d|%d\n", buffer, strlen(buffer), strchr(buffer, 't'), strstr(buffer, "trans"),
         strcmp("abc", "abd") < 0, memcmp("xyz", "xya", 3) > 0);
  memmove(buffer + 5, buffer, 10);
  buffer[15] = 0;
  for (char *p = buffer; *p; p++) *p = (char)toupper((unsigned char)*p);
  printf("%s\n", buffer);
  int n = snprintf(buffer, 12, "%s-%d", "truncated-output", 12345);
  printf("%d [%s]\n", n, buffer);
  printf("%ld %lu %d\n", strtol("-0x7fff", NULL, 16), strtoul("4294967295", NULL, 10), atoi("  731xyz"));

  size_t total = 0;
  for (int round = 0; round < 20; round++) {
    size_t size = 1 + (size_t)(next() % 70000);
    unsigned char *block = malloc(size);
    if (!block) { puts("malloc failed"); return 2; }
    memset(block, round, size);
    total += block[size - 1] + block[0];
    free(block);
  }
  printf("malloc total %zu\n", total);
  return 7;
}
