/* Static glibc program: reads lines from stdin, sorts them, prints them with counts, and
   writes a summary to stderr. Exercises read(2) on fd 0, buffered stdio and realloc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void) {
  char line[256];
  char **lines = NULL;
  size_t count = 0, capacity = 0, bytes = 0;
  while (fgets(line, sizeof line, stdin)) {
    if (count == capacity) {
      capacity = capacity ? capacity * 2 : 4;
      lines = realloc(lines, capacity * sizeof *lines);
    }
    bytes += strlen(line);
    line[strcspn(line, "\n")] = 0;
    lines[count++] = strdup(line);
  }
  qsort(lines, count, sizeof *lines, compare);
  for (size_t i = 0; i < count; i++) printf("%3zu: %s\n", i + 1, lines[i]);
  fprintf(stderr, "%zu lines, %zu bytes\n", count, bytes);
  return count == 0 ? 1 : 0;
}
