/* Everyday glibc: formatted output, directory listing, qsort, string conversion, stdio
   seeking, line input from stdin, time formatting (UTC), atexit, errno texts.
   Usage: stdio DIRECTORY (a scratch directory). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static void goodbye(void) { printf("atexit handler ran\n"); }

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  atexit(goodbye);
  char path[600];
  for (int i = 0; i < 5; i++) {
    snprintf(path, sizeof path, "%s/file-%c%d.txt", argv[1], 'e' - i, i);
    FILE *f = fopen(path, "w");
    fprintf(f, "%d squared is %d\n", i, i * i);
    fclose(f);
  }
  snprintf(path, sizeof path, "%s/subdir", argv[1]);
  printf("mkdir %d\n", mkdir(path, 0755));
  DIR *d = opendir(argv[1]);
  char *names[32];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && n < 32) {
    if (e->d_name[0] == '.') continue;
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], compare);
  for (int i = 0; i < n; i++) printf("entry %s\n", names[i]);
  snprintf(path, sizeof path, "%s/file-c2.txt", argv[1]);
  FILE *f = fopen(path, "r+");
  fseek(f, 0, SEEK_END);
  printf("ftell %ld\n", ftell(f));
  fseek(f, 2, SEEK_SET);
  fputs("SQUARED", f);
  rewind(f);
  char line[100];
  printf("line: %s", fgets(line, sizeof line, f));
  fclose(f);
  printf("strtol %ld %ld %lu\n", strtol("-12345", 0, 10), strtol("0x7fff", 0, 16), strtoul("777", 0, 8));
  printf("format |%8.3s|%-6d|%+05d|%x|%o|%c|%%|\n", "abcdef", 42, 7, 0xbeef, 8, 'z');
  printf("long long %lld %llx\n", -1234567890123LL, 0xfedcba9876543210ULL);
  srand(7);
  int r1 = rand(), r2 = rand();
  printf("rand %d %d\n", r1, r2);
  time_t t = 1000000000;
  struct tm tm;
  gmtime_r(&t, &tm);
  char when[64];
  strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %A", &tm);
  printf("gmtime %s\n", when);
  errno = 0;
  printf("strerror %s / %s\n", strerror(ENOENT), strerror(EACCES));
  char *lineptr = NULL;
  size_t cap = 0;
  ssize_t len;
  int lines = 0;
  size_t longest = 0;
  while ((len = getline(&lineptr, &cap, stdin)) >= 0) {
    lines++;
    if ((size_t)len > longest) longest = (size_t)len;
  }
  free(lineptr);
  printf("stdin lines %d longest %zu\n", lines, longest);
  setvbuf(stdout, NULL, _IONBF, 0);
  printf("unbuffered now\n");
  return 0;
}
