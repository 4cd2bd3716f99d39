/* Static glibc program (integer only): exercises glibc's i386 string/memory routines, stdio
 * formatting, qsort, setjmp/longjmp, malloc, 64-bit arithmetic and __thread (TLS via %gs). */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static __thread int tls_counter = 7;
static __thread char tls_name[16] = "thread-local";
static jmp_buf env;

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

static void deep(int n) {
  if (n == 0) longjmp(env, 42);
  deep(n - 1);
}

int main(void) {
  unsigned seed = 1;
  int data[300];
  for (int i = 0; i < 300; i++) {
    seed = seed * 1103515245u + 12345u;
    data[i] = (int)(seed >> 4) - (1 << 26);
  }
  qsort(data, 300, sizeof data[0], cmp_int);
  printf("sorted %d %d %d\n", data[0], data[150], data[299]);

  char buf[512], copy[512];
  for (int i = 0; i < 500; i++) buf[i] = (char)('a' + i % 26);
  buf[500] = 0;
  memcpy(copy, buf, 501);
  memmove(copy + 3, copy, 200);
  memset(copy + 400, 'Z', 50);
  printf("len %zu %zu cmp %d %d chr %ld str %ld\n", strlen(buf), strlen(copy), strcmp(buf, copy) > 0,
         memcmp(buf, copy, 3), (long)(strchr(buf, 'q') - buf), (long)(strstr(copy, "ZZZZ") - copy));

  char *heap = NULL;
  size_t total = 0;
  for (int i = 1; i <= 50; i++) {
    heap = realloc(heap, (size_t)i * 97);
    memset(heap, i, (size_t)i * 97);
    total += (unsigned char)heap[i * 50];
  }
  free(heap);
  printf("heap %zu\n", total);

  int64_t big = 0x123456789abcdefLL;
  uint64_t ubig = 0xfedcba9876543210ULL;
  printf("wide %lld %llu %lld %llx\n", (long long)(big / 12345), (unsigned long long)(ubig % 1000003),
         (long long)(-big / 77), (unsigned long long)(ubig >> 13));

  char num[64];
  snprintf(num, sizeof num, "%08x|%-6d|%+d|%5.3s|%c", 0xbeefu, -42, 17, "abcdef", 'Q');
  printf("fmt [%s] %ld %lu\n", num, strtol("-123456", NULL, 10), strtoul("ffff0000", NULL, 16));

  int r = setjmp(env);
  if (r == 0) deep(20);
  printf("longjmp %d\n", r);

  tls_counter += 5;
  printf("tls %d %s\n", tls_counter, tls_name);
  return 3;
}
