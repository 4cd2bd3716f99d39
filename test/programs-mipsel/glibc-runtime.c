/* Static glibc program: setjmp/longjmp (FPU register saves on an FPU-less core), thread-local
   variables and errno (TLS through rdhwr $29), the environment, and host files read through
   stdio (this very source file, by a path relative to the working directory). */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static __thread int tls_counter = 5;
static __thread char tls_name[16] = "initial";
static jmp_buf jump;

static int depth(int n) {
  tls_counter++;
  if (n == 0) longjmp(jump, 42);
  return depth(n - 1) + 1;
}

int main(void) {
  int r = setjmp(jump);
  if (r == 0) {
    printf("setjmp returned 0, recursing\n");
    depth(10);
    printf("not reached\n");
  }
  printf("longjmp delivered %d, tls_counter=%d\n", r, tls_counter);
  strcpy(tls_name, "changed");
  printf("tls_name=%s\n", tls_name);

  errno = 0;
  FILE *missing = fopen("no/such/file.txt", "r");
  printf("fopen missing: %s, errno=%d (%s)\n", missing ? "opened?!" : "NULL", errno, strerror(errno));

  const char *names[] = {"UKCF_MODE", "UKCF_EMPTY", "UKCF_UNSET"};
  for (int i = 0; i < 3; i++) {
    const char *v = getenv(names[i]);
    printf("%s=%s\n", names[i], v ? v : "(unset)");
  }

  FILE *self = fopen("test/programs-mipsel/glibc-runtime.c", "r");
  if (!self) {
    printf("cannot open own source: %s\n", strerror(errno));
    return 3;
  }
  char line[512];
  unsigned lines = 0, sum = 0;
  while (fgets(line, sizeof line, self)) {
    lines++;
    for (char *p = line; *p; p++) sum = sum * 31 + (unsigned char)*p;
  }
  fseek(self, 0, SEEK_END);
  long size = ftell(self);
  fseek(self, 3, SEEK_SET);
  int c = fgetc(self);
  fclose(self);
  printf("own source: %u lines, %ld bytes, hash %08x, 4th byte '%c'\n", lines, size, sum, c);
  return 0;
}
