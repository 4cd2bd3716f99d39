/* malloc/calloc/realloc/free patterns (contents checked, never addresses printed) and
   stdio file I/O in the current directory: write, read back, seek, append, rename,
   remove, and errors for missing files. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t state = 0x51ed270bu;
static uint32_t next(void) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

int main(void) {
  enum { SLOTS = 300 };
  static unsigned char *slot[SLOTS];
  static size_t size[SLOTS];
  unsigned long sum = 0;
  int bad = 0;
  for (int round = 0; round < 3000; round++) {
    int i = (int)(next() % SLOTS);
    if (slot[i]) {
      for (size_t k = 0; k < size[i]; k++) bad += slot[i][k] != (unsigned char)(i + k);
      if (next() % 3 == 0) {
        size_t grow = next() % 5000;
        unsigned char *p = realloc(slot[i], grow + 1);
        if (!p) return 90;
        for (size_t k = size[i]; k < grow + 1; k++) p[k] = (unsigned char)(i + k);
        slot[i] = p;
        size[i] = grow + 1;
      } else {
        free(slot[i]);
        slot[i] = NULL;
      }
    } else {
      size[i] = next() % (next() % 128 == 0 ? 150000 : 300) + 1;
      slot[i] = next() % 2 ? malloc(size[i]) : calloc(size[i], 1);
      if (!slot[i]) return 91;
      for (size_t k = 0; k < size[i]; k++) slot[i][k] = (unsigned char)(i + k);
    }
    sum = sum * 3 + size[i];
  }
  printf("heap rounds done, bad=%d sizes checksum %08lx\n", bad, sum);
  for (int i = 0; i < SLOTS; i++) free(slot[i]);

  FILE *f = fopen("heap-files.tmp", "w");
  if (!f) return 92;
  for (int i = 0; i < 500; i++) fprintf(f, "line %d value %u\n", i, next() % 100000);
  long written = ftell(f);
  fclose(f);
  printf("wrote %ld bytes\n", written);
  f = fopen("heap-files.tmp", "r");
  char line[100];
  int lines = 0;
  unsigned long total = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned v;
    int k;
    if (sscanf(line, "line %d value %u", &k, &v) == 2 && k == lines) total += v;
    lines++;
  }
  printf("read %d lines, total %lu, eof=%d\n", lines, total, feof(f));
  fseek(f, 100, SEEK_SET);
  size_t got = fread(line, 1, 20, f);
  line[got] = 0;
  printf("at 100: '%s' (%zu), tell=%ld\n", line, got, ftell(f));
  fseek(f, -15, SEEK_END);
  got = fread(line, 1, sizeof line - 1, f);
  line[got] = 0;
  printf("last 15: '%s'\n", line);
  fclose(f);
  f = fopen("heap-files.tmp", "a");
  fputs("appended\n", f);
  fclose(f);
  if (rename("heap-files.tmp", "heap-files.renamed") != 0) return 93;
  f = fopen("heap-files.renamed", "rb");
  fseek(f, 0, SEEK_END);
  printf("after append and rename: %ld bytes\n", ftell(f));
  fclose(f);
  errno = 0;
  f = fopen("heap-files.tmp", "r");
  printf("old name: %s errno=%d (%s)\n", f ? "exists" : "missing", errno, strerror(errno));
  printf("remove: %d\n", remove("heap-files.renamed"));
  errno = 0;
  int again = remove("heap-files.renamed");
  printf("remove again: %d errno=%d\n", again, errno);
  return 0;
}
