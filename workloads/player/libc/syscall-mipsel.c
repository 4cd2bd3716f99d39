/*
 * MIPS o32 Linux system calls: v0 = number, a0..a2 = arguments; on return a3 is
 * non-zero on error and v0 then holds the positive errno.
 */
#include "syscall.h"

#define NR_exit           4001
#define NR_read           4003
#define NR_write          4004
#define NR_open           4005
#define NR_close          4006
#define NR_ioctl          4054
#define NR_brk            4045
#define NR_clock_gettime  4263
#define NR_nanosleep      4166

#define O_RDONLY 0x0000
#define O_WRONLY 0x0001
#define O_RDWR   0x0002
#define O_CREAT  0x0100
#define O_TRUNC  0x0200

/* Entry: argc at 0(sp), argv after it; o32 wants 16 bytes of argument save area. */
__asm__(
	".text\n"
	".globl __start\n"
	".type __start, @function\n"
	".set push\n"
	".set noreorder\n"
	"__start:\n"
	"	lw $4, 0($29)\n"
	"	addiu $5, $29, 4\n"
	"	li $8, -16\n"
	"	and $29, $29, $8\n"
	"	addiu $29, $29, -16\n"
	"	jal main\n"
	"	nop\n"
	"	move $4, $2\n"
	"	li $2, 4001\n"
	"	syscall\n"
	"	break\n"
	".set pop\n"
	".size __start, . - __start\n");

static int32_t syscall3(int32_t nr, uint32_t a, uint32_t b, uint32_t c)
{
	register uint32_t v0 __asm__("$2") = (uint32_t)nr;
	register uint32_t a0 __asm__("$4") = a;
	register uint32_t a1 __asm__("$5") = b;
	register uint32_t a2 __asm__("$6") = c;
	register uint32_t a3 __asm__("$7");

	__asm__ volatile("syscall"
			 : "+r"(v0), "=r"(a3), "+r"(a0), "+r"(a1), "+r"(a2)
			 : 
			 : "$1", "$3", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15", "$24", "$25", "hi", "lo",
			   "memory");
	return a3 ? -(int32_t)v0 : (int32_t)v0;
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
