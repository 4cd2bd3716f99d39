/* File I/O through the emulated Linux layer: create, write, seek, read back, vector I/O,
   positional I/O, stat (statx through glibc and raw fstat64/stat64), errors, stdin.
   Usage: fileio DIRECTORY  (a scratch directory; prints only deterministic facts). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static unsigned checksum(const unsigned char *p, size_t n) {
  unsigned h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: fileio DIR\n"); return 2; }
  char path[512];
  snprintf(path, sizeof path, "%s/data.bin", argv[1]);
  int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
  if (fd < 0) { perror("open"); return 1; }
  unsigned char buf[10000];
  for (int i = 0; i < (int)sizeof buf; i++) buf[i] = (unsigned char)(i * 7 + (i >> 8));
  printf("write %zd\n", write(fd, buf, sizeof buf));
  printf("lseek end %ld\n", (long)lseek(fd, 0, SEEK_END));
  printf("lseek set %ld\n", (long)lseek(fd, 100, SEEK_SET));
  unsigned char back[10000];
  ssize_t n = read(fd, back, sizeof back);
  printf("read %zd checksum %08x expect %08x\n", n, checksum(back, (size_t)n), checksum(buf + 100, sizeof buf - 100));
  printf("read at eof %zd\n", read(fd, back, 10));
  printf("pwrite %zd\n", pwrite(fd, "PQRS", 4, 5000));
  memset(back, 0, 8);
  ssize_t pr = pread(fd, back, 6, 4999);
  printf("pread %zd %02x %02x %02x %02x %02x %02x\n", pr, back[0], back[1], back[2], back[3], back[4], back[5]);
  printf("position after pread %ld\n", (long)lseek(fd, 0, SEEK_CUR));
  struct iovec iov[3] = { { "alpha-", 6 }, { "beta-", 5 }, { "gamma\n", 6 } };
  lseek(fd, 0, SEEK_SET);
  printf("writev %zd\n", writev(fd, iov, 3));
  char a[4], b[7], c[6];
  struct iovec riov[3] = { { a, 4 }, { b, 7 }, { c, 6 } };
  lseek(fd, 0, SEEK_SET);
  ssize_t rv = readv(fd, riov, 3);
  printf("readv %zd '%.4s' '%.7s' '%.5s'\n", rv, a, b, c);
  struct stat st;
  int fr = fstat(fd, &st);
  printf("fstat %d size %lld regular %d mode %o\n", fr, (long long)st.st_size, S_ISREG(st.st_mode), st.st_mode & 0777);
  int fd2 = dup(fd);
  long shared = (long)lseek(fd2, 0, SEEK_CUR);
  printf("dup %d shares offset %ld\n", fd2 > fd, shared);
  close(fd2);
#ifdef SYS_fstat64
  {
    /* the raw kernel struct stat64, bypassing glibc's statx path */
    unsigned char raw[160];
    memset(raw, 0xee, sizeof raw);
    long r = syscall(SYS_fstat64, fd, raw);
    struct stat64 *s64 = (struct stat64 *)raw;
    printf("raw fstat64 %ld size %lld blksize %ld nlink %ld\n", r, (long long)s64->st_size, (long)s64->st_blksize, (long)s64->st_nlink);
    r = syscall(SYS_stat64, path, raw);
    printf("raw stat64 %ld size %lld ino-match %d\n", r, (long long)s64->st_size, s64->st_ino == st.st_ino);
  }
#endif
  close(fd);
  int cr = close(fd);
  printf("close again %d errno %s\n", cr, strerror(errno));
  FILE *f = fopen(path, "a");
  fputs("appended line\n", f);
  fclose(f);
  struct stat st2;
  stat(path, &st2);
  printf("stat after append %lld\n", (long long)st2.st_size);
  f = fopen(path, "r");
  char line[100];
  fgets(line, sizeof line, f);
  printf("first line %s", line);
  fclose(f);
  int om = open("/nonexistent/file", O_RDONLY);
  printf("open missing %d errno %s\n", om, strerror(errno));
  int ae = access(path, R_OK), am = access("/nonexistent", F_OK);
  printf("access exists %d missing %d\n", ae, am);
  int od = open(argv[1], O_WRONLY);
  printf("open dir as file: %d %s\n", od, strerror(errno));
  char exe[512];
  ssize_t el = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (el > 0) { exe[el] = 0; printf("exe basename %s\n", strrchr(exe, '/') + 1); }
  int ur = unlink(path);
  int sr = stat(path, &st2);
  printf("unlink %d then stat %d %s\n", ur, sr, strerror(errno));
  size_t total = 0;
  unsigned h = 0;
  for (;;) {
    ssize_t r = read(0, back, sizeof back);
    if (r <= 0) break;
    h ^= checksum(back, (size_t)r);
    total += (size_t)r;
  }
  printf("stdin %zu bytes checksum %08x\n", total, h);
  fprintf(stderr, "fileio: done\n");
  return 0;
}
