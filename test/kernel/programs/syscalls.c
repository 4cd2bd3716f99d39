/*
 * Exercises every system call of the host kernel from user mode (o32 numbers and
 * conventions) and prints one line per check: "ok NAME" or "FAIL NAME got X want Y".
 * Run as: syscalls /data.txt  (a boot file whose contents are "hello, ramfs\n").
 * Ends with exit(42).
 */
#include <stdint.h>
#include "gfx.h"
#include "kernel_api.h" /* errno numbers (the same on MIPS below 35) */

static int32_t sys(uint32_t n, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	register uint32_t v0 __asm__("$2") = n;
	register uint32_t a0 __asm__("$4") = a;
	register uint32_t a1 __asm__("$5") = b;
	register uint32_t a2 __asm__("$6") = c;
	register uint32_t a3 __asm__("$7") = d;
	__asm__ volatile("syscall" : "+r"(v0), "+r"(a3) : "r"(a0), "r"(a1), "r"(a2) : "$3", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15", "$24", "$25", "hi", "lo", "memory");
	return a3 ? -(int32_t)v0 : (int32_t)v0;
}

/* mmap2 passes arguments 5 and 6 on the stack (sp+16, sp+20). */
static int32_t sys6(uint32_t n, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t f)
{
	register uint32_t v0 __asm__("$2") = n;
	register uint32_t a0 __asm__("$4") = a;
	register uint32_t a1 __asm__("$5") = b;
	register uint32_t a2 __asm__("$6") = c;
	register uint32_t a3 __asm__("$7") = d;
	__asm__ volatile("addiu $sp, $sp, -32\n\tsw %6, 16($sp)\n\tsw %7, 20($sp)\n\tsyscall\n\taddiu $sp, $sp, 32"
			 : "+r"(v0), "+r"(a3) : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(e), "r"(f)
			 : "$3", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15", "$24", "$25", "hi", "lo", "memory");
	return a3 ? -(int32_t)v0 : (int32_t)v0;
}

static uint32_t slen(const char *s) { uint32_t n = 0; while (s[n]) n++; return n; }
static void out(const char *s) { sys(4004, 1, (uint32_t)s, slen(s), 0); }
static void out_num(int32_t v)
{
	char buf[12];
	int i = 11;
	uint32_t u = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
	buf[i] = 0;
	do { buf[--i] = (char)('0' + u % 10); u /= 10; } while (u);
	if (v < 0) buf[--i] = '-';
	out(buf + i);
}
static void check(const char *name, int32_t got, int32_t want)
{
	if (got == want) {
		out("ok "); out(name); out("\n");
	} else {
		out("FAIL "); out(name); out(" got "); out_num(got); out(" want "); out_num(want); out("\n");
	}
}
static int same(const void *a, const void *b, uint32_t n)
{
	const uint8_t *x = a, *y = b;
	while (n--) if (*x++ != *y++) return 0;
	return 1;
}

#define BAD ((uint32_t)0x7ff00000u)   /* in kuseg, outside the process's window */
#define KERNEL ((uint32_t)0x80001000u)

static uint8_t buf[256];

void __start_c(uint32_t *sp)
{
	int argc = (int)sp[0];
	const char *path = argc > 1 ? (const char *)sp[2] : "/data.txt";
	int32_t fd, r, t;
	uint32_t ts[2], ts2[2], tv[2], st[26];

	check("argc", argc, 2);
	/* write, writev */
	check("write", sys(4004, 1, (uint32_t)"line\n", 5, 0), 5);
	{
		uint32_t iov[4] = { (uint32_t)"ab", 2, (uint32_t)"c\n", 2 };
		check("writev", sys(4146, 1, (uint32_t)iov, 2, 0), 4);
	}
	check("write-efault", sys(4004, 1, BAD, 4, 0), -EFAULT);
	check("write-kernel-efault", sys(4004, 1, KERNEL, 4, 0), -EFAULT);
	check("write-ebadf", sys(4004, 9, (uint32_t)"x", 1, 0), -9);
	/* open, read, lseek, fstat64, close on a boot file */
	fd = sys(4005, (uint32_t)path, 0, 0, 0);
	check("open", fd, 3);
	r = sys(4003, fd, (uint32_t)buf, sizeof(buf), 0);
	check("read", r, 13);
	check("read-bytes", same(buf, "hello, ramfs\n", 13), 1);
	check("read-eof", sys(4003, fd, (uint32_t)buf, sizeof(buf), 0), 0);
	check("lseek-set", sys(4019, fd, 7, 0, 0), 7);
	check("read-after-seek", sys(4003, fd, (uint32_t)buf, 5, 0), 5);
	check("read-after-seek-bytes", same(buf, "ramfs", 5), 1);
	check("lseek-end", sys(4019, fd, (uint32_t)-3, 2, 0), 10);
	check("lseek-einval", sys(4019, fd, (uint32_t)-100, 1, 0), -EINVAL);
	check("read-efault", sys(4003, fd, BAD, 4, 0), -EFAULT);
	check("fstat64", sys(4215, fd, (uint32_t)st, 0, 0), 0);
	check("fstat64-size", (int32_t)st[14], 13);
	check("fstat64-mode", (int32_t)st[6], 0100644);
	check("fstat64-efault", sys(4215, fd, BAD, 0, 0), -EFAULT);
	check("write-readonly", sys(4004, fd, (uint32_t)"x", 1, 0), -9);
	check("ioctl-not-a-device", sys(4054, fd, GFX_IOC_GET_INFO, (uint32_t)buf, 0), -ENOTTY);
	check("close", sys(4006, fd, 0, 0, 0), 0);
	check("close-again", sys(4006, fd, 0, 0, 0), -9);
	check("open-enoent", sys(4005, (uint32_t)"/missing", 0, 0, 0), -2);
	check("open-efault", sys(4005, BAD, 0, 0, 0), -EFAULT);
	check("open-boot-file-for-writing", sys(4005, (uint32_t)path, 1, 0, 0), -13);
	/* a new file: create, write, read back; openat */
	fd = sys(4005, (uint32_t)"/new.txt", 0x301, 0644, 0);
	check("creat", fd, 3);
	check("creat-write", sys(4004, fd, (uint32_t)"0123456789", 10, 0), 10);
	check("close-new", sys(4006, fd, 0, 0, 0), 0);
	fd = sys(4288, (uint32_t)-100, (uint32_t)"/new.txt", 0, 0);
	check("openat", fd, 3);
	check("read-new", sys(4003, fd, (uint32_t)buf, 64, 0), 10);
	check("read-new-bytes", same(buf, "0123456789", 10), 1);
	sys(4006, fd, 0, 0, 0);
	/* /dev/console */
	fd = sys(4005, (uint32_t)"/dev/console", 2, 0, 0);
	check("console-open", fd, 3);
	check("console-write", sys(4004, fd, (uint32_t)"console\n", 8, 0), 8);
	check("console-ioctl", sys(4054, fd, 0x5401, (uint32_t)buf, 0), -ENOTTY);
	check("console-lseek", sys(4019, fd, 0, 0, 0), -29);
	sys(4006, fd, 0, 0, 0);
	/* /dev/gfx through the driver */
	fd = sys(4005, (uint32_t)"/dev/gfx", 2, 0, 0);
	check("gfx-open", fd, 3);
	{
		struct gfx_info info;
		check("gfx-get-info", sys(4054, fd, GFX_IOC_GET_INFO, (uint32_t)&info, 0), 0);
		check("gfx-info-id", (int32_t)info.device_id, 0x55474658);
		check("gfx-info-width", (int32_t)info.width, 320);
		check("gfx-get-info-efault", sys(4054, fd, GFX_IOC_GET_INFO, BAD, 0), -EFAULT);
		check("gfx-get-info-kernel-pointer", sys(4054, fd, GFX_IOC_GET_INFO, KERNEL, 0), -EFAULT);
		check("gfx-unknown-ioctl", sys(4054, fd, 0x4004477f, (uint32_t)buf, 0), -ENOTTY);
		{
			struct gfx_blit b = { BAD, 16, 16, 64, GFX_FMT_XRGB8888, 0, 0, 0 };
			check("gfx-blit-efault", sys(4054, fd, GFX_IOC_BLIT, (uint32_t)&b, 0), -EFAULT);
		}
		{
			struct gfx_flip f = { 1, 0 };
			uint32_t before = info.frame_count;
			check("gfx-flip-wait", sys(4054, fd, GFX_IOC_FLIP, (uint32_t)&f, 0), 0);
			check("gfx-flip-frame-advanced", f.frame_count > before, 1);
		}
	}
	check("gfx-close", sys(4006, fd, 0, 0, 0), 0);
	/* brk */
	{
		int32_t b0 = sys(4045, 0, 0, 0, 0), b1;
		uint8_t *p;
		check("brk-query-positive", b0 > 0, 1);
		b1 = sys(4045, b0 + 8192, 0, 0, 0);
		check("brk-grow", b1, b0 + 8192);
		p = (uint8_t *)b0;
		check("brk-zeroed", p[0] == 0 && p[8191] == 0, 1);
		p[8191] = 7;
		check("brk-refuse-huge", sys(4045, 0x7f000000u, 0, 0, 0), b1);
		check("brk-shrink", sys(4045, b0, 0, 0, 0), b0);
	}
	/* mmap2 / munmap (anonymous) */
	{
		int32_t m = sys6(4210, 0, 20000, 3, 0x802, (uint32_t)-1, 0);
		uint32_t *w = (uint32_t *)m;
		check("mmap2-aligned", m > 0 && (m & 4095) == 0, 1);
		check("mmap2-zeroed", w[0] == 0 && w[4999] == 0, 1);
		w[4999] = 1;
		check("mmap2-file-enodev", sys6(4210, 0, 4096, 3, 2, 3, 0), -ENODEV);
		check("mmap2-enomem", sys6(4210, 0, 0x7f000000u, 3, 0x802, (uint32_t)-1, 0), -ENOMEM);
		check("munmap", sys(4091, m, 20000, 0, 0), 0);
		r = sys6(4210, 0, 20000, 3, 0x802, (uint32_t)-1, 0);
		check("mmap2-reuse", r, m);
		check("mmap2-reuse-zeroed", r == m && w[4999] == 0, 1);
	}
	/* time */
	check("clock_gettime", sys(4263, 1, (uint32_t)ts, 0, 0), 0);
	{
		uint32_t req[2] = { 0, 250000000 };
		int64_t elapsed;
		check("nanosleep", sys(4166, (uint32_t)req, 0, 0, 0), 0);
		sys(4263, 1, (uint32_t)ts2, 0, 0);
		elapsed = (int64_t)(ts2[0] - ts[0]) * 1000000000 + (int32_t)(ts2[1] - ts[1]);
		check("nanosleep-advances-time", elapsed >= 250000000 && elapsed < 251000000, 1);
		req[1] = 1000000000;
		check("nanosleep-einval", sys(4166, (uint32_t)req, 0, 0, 0), -EINVAL);
		check("nanosleep-efault", sys(4166, BAD, 0, 0, 0), -EFAULT);
	}
	check("clock_gettime-efault", sys(4263, 1, BAD, 0, 0), -EFAULT);
	check("gettimeofday", sys(4078, (uint32_t)tv, 0, 0, 0), 0);
	check("gettimeofday-consistent", tv[0] == ts2[0] && tv[1] < 1000000, 1);
	t = sys(4013, 0, 0, 0, 0);
	check("time", t, (int32_t)ts2[0]);
	/* identity */
	check("getpid", sys(4020, 0, 0, 0, 0), 1);
	{
		char uts[390];
		check("uname", sys(4122, (uint32_t)uts, 0, 0, 0), 0);
		check("uname-sysname", same(uts, "Linux", 6), 1);
		check("uname-machine", same(uts + 4 * 65, "mips", 5), 1);
		check("uname-efault", sys(4122, BAD, 0, 0, 0), -EFAULT);
	}
	{
		uint32_t tp;
		check("set_thread_area", sys(4283, 0x12345678, 0, 0, 0), 0);
		__asm__ volatile(".set push\n\t.set mips32r2\n\trdhwr %0, $29\n\t.set pop" : "=r"(tp));
		check("rdhwr-userlocal", (int32_t)tp, 0x12345678);
	}
	check("unknown-syscall", sys(4999, 0, 0, 0, 0), -89);
	out("done\n");
	sys(4246, 42, 0, 0, 0);
}

__asm__(".text\n\t.globl __start\n__start:\n\tmove $4, $sp\n\taddiu $sp, $sp, -32\n\tjal __start_c\n\tnop\n");
