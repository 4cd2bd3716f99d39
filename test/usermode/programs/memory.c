/* Heap and mappings: malloc of many sizes (brk), large blocks (mmap), realloc, sbrk,
   anonymous mmap/munmap/mprotect. Prints checksums of the data written and read back. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uint32_t state = 12345;
static uint32_t next(void) { state ^= state << 13; state ^= state >> 17; state ^= state << 5; return state; }

int main(void) {
  enum { N = 400 };
  unsigned char *blocks[N];
  size_t sizes[N];
  uint32_t sum = 0;
  for (int i = 0; i < N; i++) {
    sizes[i] = (next() % 5000) + 1;
    if (i % 50 == 0) sizes[i] = 200000 + next() % 100000; /* above the mmap threshold */
    blocks[i] = malloc(sizes[i]);
    if (!blocks[i]) { printf("malloc failed at %d\n", i); return 1; }
    for (size_t j = 0; j < sizes[i]; j++) blocks[i][j] = (unsigned char)(i + j);
  }
  for (int i = 0; i < N; i += 3) { free(blocks[i]); blocks[i] = 0; }
  for (int i = 1; i < N; i += 3) {
    blocks[i] = realloc(blocks[i], sizes[i] * 2);
    for (size_t j = sizes[i]; j < sizes[i] * 2; j++) blocks[i][j] = (unsigned char)(j * 3);
    sizes[i] *= 2;
  }
  for (int i = 0; i < N; i++) {
    if (!blocks[i]) continue;
    for (size_t j = 0; j < sizes[i]; j++) sum = sum * 31 + blocks[i][j];
    free(blocks[i]);
  }
  printf("heap checksum %08x\n", sum);
  void *b0 = sbrk(0);
  void *b1 = sbrk(65536);
  void *b2 = sbrk(0);
  printf("sbrk grew %ld same-start %d\n", (long)((char *)b2 - (char *)b1), b0 == b1);
  memset(b1, 0x5a, 65536);
  sbrk(-65536);
  printf("sbrk shrank back %d\n", sbrk(0) == b0);
  unsigned char *m = mmap(0, 3 * 4096 + 100, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("mmap ok %d aligned %d zero %d\n", m != MAP_FAILED, ((uintptr_t)m & 4095) == 0, m[0] == 0 && m[3 * 4096 + 99] == 0);
  for (int i = 0; i < 4 * 4096; i++) m[i] = (unsigned char)(i ^ (i >> 8));
  uint32_t ms = 0;
  for (int i = 0; i < 4 * 4096; i++) ms = ms * 33 + m[i];
  printf("mmap checksum %08x\n", ms);
  printf("mprotect %d\n", mprotect(m, 4096, PROT_READ));
  printf("still readable %d\n", m[1]);
  printf("munmap %d\n", munmap(m, 4 * 4096));
  unsigned char *fixed = mmap((void *)0x30000000, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  printf("fixed at %p\n", (void *)fixed);
  fixed[8191] = 1;
  printf("munmap bad alignment %d\n", munmap(fixed + 1, 10));
  munmap(fixed, 8192);
  char *s = strdup("the quick brown fox");
  printf("%s %zu\n", s, strlen(s));
  free(s);
  return 0;
}
