/* Fills the kernel's struct stat64 and struct statx with known values and prints their bytes. */
#include <stdio.h>
#include <string.h>
#include <asm/stat.h>
#include <linux/stat.h>
static void dump(const void *p, size_t n) {
  for (size_t i = 0; i < n; i++) printf("%02x", ((const unsigned char *)p)[i]);
  printf("\n");
}
int main(void) {
  struct stat64 s;
  memset(&s, 0, sizeof s);
  s.st_dev = 0x801; s.st_ino = 0x123456789aULL; s.st_mode = 0100644; s.st_nlink = 3; s.st_uid = 1000;
  s.st_gid = 1001; s.st_rdev = 0x10203; s.st_size = 0x1122334455LL; s.st_blksize = 4096;
  s.st_blocks = 0x99887766ULL; s.st_atime = 1700000001; s.st_atime_nsec = 11; s.st_mtime = 1700000002;
  s.st_mtime_nsec = 22; s.st_ctime = 1700000003; s.st_ctime_nsec = 33;
#ifdef __i386__
  s.__st_ino = 0x3456789a;
#endif
  dump(&s, sizeof s);
  struct statx x;
  memset(&x, 0, sizeof x);
  x.stx_mask = 0x7ff; x.stx_blksize = 4096; x.stx_nlink = 3; x.stx_uid = 1000; x.stx_gid = 1001;
  x.stx_mode = 0100644; x.stx_ino = 0x123456789aULL; x.stx_size = 0x1122334455ULL; x.stx_blocks = 0x99887766ULL;
  x.stx_atime.tv_sec = 1700000001; x.stx_atime.tv_nsec = 11; x.stx_mtime.tv_sec = 1700000002; x.stx_mtime.tv_nsec = 22;
  x.stx_ctime.tv_sec = 1700000003; x.stx_ctime.tv_nsec = 33; x.stx_rdev_major = 0x102; x.stx_rdev_minor = 3;
  x.stx_dev_major = 8; x.stx_dev_minor = 1;
  dump(&x, sizeof x);
  return 0;
}
