/* Abnormal ends, selected by argv[1]: segv (write through NULL), ud2, div (integer divide by
   zero), abort, exit (exit(42) after buffered output). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "exit";
  printf("mode %s\n", mode);
  fflush(stdout);
  if (strcmp(mode, "segv") == 0) { *(volatile int *)0 = 1; }
  if (strcmp(mode, "ud2") == 0) {
#if defined(__i386__)
    __asm__ volatile("ud2");
#else
    __asm__ volatile(".word 0x0000003f"); /* reserved instruction (special, function 0x3f) */
#endif
  }
  if (strcmp(mode, "div") == 0) {
    volatile int zero = 0;
    printf("%d\n", 10 / zero);
  }
  if (strcmp(mode, "abort") == 0) abort();
  printf("exiting normally\n");
  exit(42);
}
