/*
 * The system calls the player uses: all the minimal host kernel must provide.
 * Each returns the result, or a negative errno (the i386 and MIPS conventions
 * are both folded into that).  Numbers and flag values are per ABI, in
 * syscall-i386.c and syscall-mipsel.c.
 */
#ifndef PLAYER_LIBC_SYSCALL_H
#define PLAYER_LIBC_SYSCALL_H

#include <stdint.h>

struct k_timespec {        /* 32-bit time_t: the classic clock_gettime/nanosleep ABI on both */
	int32_t tv_sec;
	int32_t tv_nsec;
};

#define K_CLOCK_MONOTONIC 1
#define K_EINTR 4

/* Open modes, translated to the ABI's O_* bits by sys_open. */
#define K_OPEN_READ   0    /* O_RDONLY */
#define K_OPEN_RDWR   1    /* O_RDWR */
#define K_OPEN_CREATE 2    /* O_WRONLY | O_CREAT | O_TRUNC, mode 0644 */

int32_t sys_read(int32_t fd, void *buf, uint32_t n);
int32_t sys_write(int32_t fd, const void *buf, uint32_t n);
int32_t sys_open(const char *path, int32_t how);
int32_t sys_close(int32_t fd);
int32_t sys_ioctl(int32_t fd, uint32_t request, uint32_t arg);
uint32_t sys_brk(uint32_t addr);       /* the new break (the old one when addr is 0 or refused) */
int32_t sys_clock_gettime(int32_t clock, struct k_timespec *ts);
int32_t sys_nanosleep(const struct k_timespec *req, struct k_timespec *rem);
__attribute__((noreturn)) void sys_exit(int32_t status);   /* exit (single-threaded, so the same as exit_group) */

/* Provided by the program: called by the start code. */
int main(int argc, char **argv);

#endif
