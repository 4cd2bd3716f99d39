/* Clocks, sleeping, identity, uname, randomness, arguments and environment. Prints only
   what is the same on a native run and an emulated one (relations, not values). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(int argc, char **argv, char **envp) {
  printf("argc %d\n", argc);
  for (int i = 1; i < argc; i++) printf("argv[%d] = '%s'\n", i, argv[i]);
  int envc = 0;
  for (char **e = envp; *e; e++) envc++;
  printf("LANG=%s envc>0 %d\n", getenv("LANG") ? getenv("LANG") : "(unset)", envc > 0);
  struct timespec a, b, r;
  clock_gettime(CLOCK_MONOTONIC, &a);
  volatile unsigned x = 0;
  for (int i = 0; i < 1000; i++) x += i;
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("monotonic nondecreasing %d\n", ns(b) >= ns(a));
  struct timespec req = { 0, 2000000 };
  printf("nanosleep %d\n", nanosleep(&req, 0));
  clock_gettime(CLOCK_MONOTONIC, &r);
  printf("slept at least 2ms %d\n", ns(r) - ns(b) >= 2000000);
  int gr = clock_getres(CLOCK_MONOTONIC, &r);
  printf("clock_getres %d positive %d\n", gr, r.tv_sec > 0 || r.tv_nsec > 0);
  struct timeval tv;
  gettimeofday(&tv, 0);
  time_t t = time(0);
  printf("realtime after 2020 %d gettimeofday~time %d usec-valid %d\n", t > 1577836800, t - tv.tv_sec >= -1 && t - tv.tv_sec < 5, /* time() may use a coarse clock */ tv.tv_usec >= 0 && tv.tv_usec < 1000000);
  struct timespec rt;
  clock_gettime(CLOCK_REALTIME, &rt);
  printf("realtime nsec valid %d\n", rt.tv_nsec >= 0 && rt.tv_nsec < 1000000000);
  printf("bad clock %d\n", clock_gettime((clockid_t)99, &rt));
  struct utsname u;
  int ur = uname(&u);
  printf("uname %d sysname %s\n", ur, u.sysname);
  printf("pid positive %d ppid nonnegative %d tid==pid %d\n", getpid() > 0, getppid() >= 0, gettid() == getpid());
  unsigned char rnd[32];
  printf("getrandom %zd\n", getrandom(rnd, sizeof rnd, 0));
  char cwd[1024];
  int big = getcwd(cwd, sizeof cwd) != 0;
  int small = getcwd(cwd, 2) == 0;
  printf("getcwd ok %d small buffer fails %d\n", big, small);
  return 7;
}
