/* i386 Linux system calls through int $0x80: eax = number, ebx, ecx, edx = arguments. */
#include "syscall.h"

#define NR_exit              1
#define NR_read              3
#define NR_write             4
#define NR_open              5
#define NR_close             6
#define NR_ioctl            54
#define NR_brk              45
#define NR_clock_gettime   265
#define NR_nanosleep       162

#define O_RDONLY 00
#define O_WRONLY 01
#define O_RDWR   02
#define O_CREAT  0100
#define O_TRUNC  01000

/* Entry: the kernel leaves argc at (%esp), argv after it. */
__asm__(
	".text\n"
	".globl _start\n"
	".type _start, @function\n"
	"_start:\n"
	"	xorl %ebp, %ebp\n"
	"	movl (%esp), %eax\n"
	"	leal 4(%esp), %edx\n"
	"	andl $-16, %esp\n"
	"	subl $8, %esp\n"
	"	pushl %edx\n"
	"	pushl %eax\n"
	"	call main\n"
	"	movl %eax, %ebx\n"
	"	movl $1, %eax\n"
	"	int $0x80\n"
	"	hlt\n"
	".size _start, . - _start\n");

static int32_t syscall3(int32_t nr, uint32_t a, uint32_t b, uint32_t c)
{
	int32_t ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "0"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}

int32_t sys_read(int32_t fd, void *buf, uint32_t n)
{
	return syscall3(NR_read, (uint32_t)fd, (uint32_t)buf, n);
}

int32_t sys_write(int32_t fd, const void *buf, uint32_t n)
{
	return syscall3(NR_write, (uint32_t)fd, (uint32_t)buf, n);
}

int32_t sys_open(const char *path, int32_t how)
{
	uint32_t flags = how == K_OPEN_CREATE ? O_WRONLY | O_CREAT | O_TRUNC : how == K_OPEN_RDWR ? O_RDWR : O_RDONLY;

	return syscall3(NR_open, (uint32_t)path, flags, 0644);
}

int32_t sys_close(int32_t fd)
{
	return syscall3(NR_close, (uint32_t)fd, 0, 0);
}

int32_t sys_ioctl(int32_t fd, uint32_t request, uint32_t arg)
{
	return syscall3(NR_ioctl, (uint32_t)fd, request, arg);
}

uint32_t sys_brk(uint32_t addr)
{
	return (uint32_t)syscall3(NR_brk, addr, 0, 0);
}

int32_t sys_clock_gettime(int32_t clock, struct k_timespec *ts)
{
	return syscall3(NR_clock_gettime, (uint32_t)clock, (uint32_t)ts, 0);
}

int32_t sys_nanosleep(const struct k_timespec *req, struct k_timespec *rem)
{
	return syscall3(NR_nanosleep, (uint32_t)req, (uint32_t)rem, 0);
}

void sys_exit(int32_t status)
{
	for (;;)
		syscall3(NR_exit, (uint32_t)status, 0, 0);
}
