/* Prints the ABI constants the Linux layer hard-codes, as the cross toolchain's headers define them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <termios.h>
int main(void) {
  printf("openFlags.creat %d\nopenFlags.excl %d\nopenFlags.trunc %d\nopenFlags.append %d\nopenFlags.nonblock %d\n",
         O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_NONBLOCK);
  printf("openFlags.directory %d\nopenFlags.nofollow %d\nopenFlags.largefile %d\nopenFlags.cloexec %d\n",
         O_DIRECTORY, O_NOFOLLOW, __O_LARGEFILE, O_CLOEXEC);
  printf("mapFlags.shared %d\nmapFlags.private %d\nmapFlags.fixed %d\nmapFlags.anonymous %d\nmapFlags.fixedNoReplace %d\n",
         MAP_SHARED, MAP_PRIVATE, MAP_FIXED, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE);
  printf("ioctl.TCGETS %lu\nioctl.TIOCGWINSZ %lu\n", (unsigned long)TCGETS, (unsigned long)TIOCGWINSZ);
  printf("rlimitNofile %d\n", RLIMIT_NOFILE);
  printf("sigprocmaskHow.block %d\nsigprocmaskHow.unblock %d\nsigprocmaskHow.setmask %d\n", SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK);
  printf("stackT.sp %d\nstackT.flags %d\nstackT.size %d\n", (int)__builtin_offsetof(stack_t, ss_sp),
         (int)__builtin_offsetof(stack_t, ss_flags), (int)__builtin_offsetof(stack_t, ss_size));
  printf("signal.SIGCHLD %d\nsignal.SIGCONT %d\nsignal.SIGURG %d\nsignal.SIGWINCH %d\nsignal.SIGSTOP %d\n", SIGCHLD, SIGCONT, SIGURG, SIGWINCH, SIGSTOP);
  return 0;
}
