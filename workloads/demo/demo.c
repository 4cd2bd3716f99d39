/* The `npm start` demo: a static glibc i386 program for the x86 reference interpreter.
   Integer-only (the interpreter has no x87/SSE): a fixed-point Mandelbrot set, a prime
   sieve, 64-bit Fibonacci numbers, and the simulated clock the emulator provides. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

enum { WIDTH = 72, HEIGHT = 24, MAX_ITER = 48, FRAC = 24 };

static int escape_time(int64_t cr, int64_t ci) {
  int64_t zr = 0, zi = 0;
  for (int i = 0; i < MAX_ITER; i++) {
    int64_t zr2 = (zr * zr) >> FRAC, zi2 = (zi * zi) >> FRAC;
    if (zr2 + zi2 > ((int64_t)4 << FRAC)) return i;
    zi = ((zr * zi) >> (FRAC - 1)) + ci;
    zr = zr2 - zi2 + cr;
  }
  return MAX_ITER;
}

static void mandelbrot(void) {
  static const char shades[] = " .:-=+*#%@";
  const int64_t one = (int64_t)1 << FRAC;
  for (int y = 0; y < HEIGHT; y++) {
    char line[WIDTH + 1];
    for (int x = 0; x < WIDTH; x++) {
      int64_t cr = -one * 9 / 4 + (int64_t)x * (3 * one) / WIDTH;
      int64_t ci = -one * 6 / 5 + (int64_t)y * (12 * one / 5) / HEIGHT;
      int n = escape_time(cr, ci);
      line[x] = n == MAX_ITER ? '@' : shades[n % 9];
    }
    line[WIDTH] = 0;
    puts(line);
  }
}

int main(void) {
  struct utsname u;
  uname(&u);
  printf("UKCF demo: an i386 program on the x86 reference interpreter (%s %s %s)\n\n", u.sysname, u.release, u.machine);
  mandelbrot();

  static char composite[10000];
  int count = 0;
  printf("\nprimes below 10000:");
  for (int i = 2; i < 10000; i++) {
    if (composite[i]) continue;
    if (++count <= 12) printf(" %d", i);
    for (int j = i * i; j < 10000; j += i) composite[j] = 1;
  }
  printf(" ... (%d in all)\n", count);

  uint64_t a = 0, b = 1;
  for (int i = 0; i < 90; i++) { uint64_t t = a + b; a = b; b = t; }
  printf("fibonacci(90) = %llu\n", (unsigned long long)a);

  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  printf("simulated time since boot: %ld.%09ld s\n", (long)t.tv_sec, t.tv_nsec);
  return 0;
}
