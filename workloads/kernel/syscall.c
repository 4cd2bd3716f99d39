/* System calls (MIPS o32 Linux numbers and conventions) and the other exceptions. */
#include "kernel.h"

#define SYS_exit            4001
#define SYS_read            4003
#define SYS_write           4004
#define SYS_open            4005
#define SYS_close           4006
#define SYS_time            4013
#define SYS_lseek           4019
#define SYS_getpid          4020
#define SYS_brk             4045
#define SYS_ioctl           4054
#define SYS_gettimeofday    4078
#define SYS_munmap          4091
#define SYS_mprotect        4125
#define SYS_uname           4122
#define SYS_writev          4146
#define SYS_nanosleep       4166
#define SYS_mmap2           4210
#define SYS_fstat64         4215
#define SYS_exit_group      4246
#define SYS_clock_gettime   4263
#define SYS_set_thread_area 4283
#define SYS_openat          4288

#define AT_FDCWD       (-100)
#define MAP_PRIVATE    0x002u
#define MAP_FIXED      0x010u
#define MAP_ANONYMOUS  0x800u
#define PAGE           4096u

#define EXC_SYSCALL 8

static struct file *fd_get(uint32_t fd)
{
	return fd < MAX_FDS ? current->fds[fd] : 0;
}

static int32_t sys_open(uint32_t upath, uint32_t flags)
{
	char path[64];
	struct file *f;
	int32_t n = copy_string_from_user(path, upath, sizeof(path)), err;
	uint32_t fd;

	if (n < 0)
		return n == -ENAMETOOLONG ? -ENOENT : n;
	for (fd = 0; fd < MAX_FDS && current->fds[fd]; fd++)
		;
	if (fd == MAX_FDS)
		return -EMFILE;
	err = file_open(path, flags, &f);
	if (err)
		return err;
	current->fds[fd] = f;
	return (int32_t)fd;
}

static int32_t sys_close(uint32_t fd)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	current->fds[fd] = 0;
	file_put(f);
	return 0;
}

static int32_t sys_lseek(uint32_t fd, int32_t offset, uint32_t whence)
{
	struct file *f = fd_get(fd);
	int64_t pos;

	if (!f)
		return -EBADF;
	if (f->inode->type != INODE_REGULAR)
		return -ESPIPE;
	if (whence == 0)
		pos = offset;
	else if (whence == 1)
		pos = (int64_t)f->pos + offset;
	else if (whence == 2)
		pos = (int64_t)f->inode->size + offset;
	else
		return -EINVAL;
	if (pos < 0 || pos > 0x7fffffff)
		return -EINVAL;
	f->pos = (uint32_t)pos;
	return (int32_t)pos;
}

static int32_t sys_fstat64(uint32_t fd, uint32_t ubuf)
{
	struct file *f = fd_get(fd);
	uint8_t st[104];
	uint32_t mode, size;

	if (!f)
		return -EBADF;
	memset(st, 0, sizeof(st));
	mode = f->inode->type == INODE_REGULAR ? 0100644u : 0020666u;
	size = f->inode->type == INODE_REGULAR ? f->inode->size : 0;
	*(uint32_t *)(st + 0) = 1;                    /* st_dev */
	*(uint32_t *)(st + 16) = f->inode->number;    /* st_ino */
	*(uint32_t *)(st + 24) = mode;
	*(uint32_t *)(st + 28) = 1;                   /* st_nlink */
	*(uint32_t *)(st + 56) = size;                /* st_size (64-bit) */
	*(uint32_t *)(st + 88) = 4096;                /* st_blksize */
	*(uint32_t *)(st + 96) = (size + 511) / 512;  /* st_blocks */
	if (copy_to_user((void *)(uintptr_t)ubuf, st, sizeof(st)))
		return -EFAULT;
	return 0;
}

static int32_t sys_writev(uint32_t fd, uint32_t uiov, uint32_t count)
{
	struct file *f = fd_get(fd);
	int32_t total = 0;
	uint32_t i;

	if (!f)
		return -EBADF;
	if (count > 1024)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		uint32_t iov[2];
		int32_t n;
		if (copy_from_user(iov, (const void *)(uintptr_t)(uiov + 8 * i), sizeof(iov)))
			return -EFAULT;
		if (!iov[1])
			continue;
		n = file_write(f, iov[0], iov[1]);
		if (n < 0)
			return total ? total : n;
		total += n;
	}
	return total;
}

static int32_t sys_brk(uint32_t addr)
{
	struct process *p = current;

	if (addr < p->brk_start || addr > p->mmap_low)
		return (int32_t)p->brk;
	if (addr > p->brk)
		memset((void *)(uintptr_t)p->brk, 0, addr - p->brk);
	p->brk = addr;
	return (int32_t)addr;
}

static int32_t sys_mmap2(uint32_t addr, uint32_t len, uint32_t flags, int32_t fd)
{
	struct process *p = current;
	uint32_t size = (len + PAGE - 1) & ~(PAGE - 1);

	(void)addr;
	if (!(flags & MAP_ANONYMOUS) || fd != -1)
		return -ENODEV;
	if (flags & MAP_FIXED)
		return -EINVAL;
	if (len == 0 || size < len)
		return -EINVAL;
	if (size > p->mmap_low - ((p->brk + PAGE - 1) & ~(PAGE - 1)))
		return -ENOMEM;
	p->mmap_low -= size;
	memset((void *)(uintptr_t)p->mmap_low, 0, size);
	return (int32_t)p->mmap_low;
}

static int32_t sys_munmap(uint32_t addr, uint32_t len)
{
	struct process *p = current;
	uint32_t size = (len + PAGE - 1) & ~(PAGE - 1);

	if ((addr & (PAGE - 1)) || len == 0)
		return -EINVAL;
	/* The lowest mapping goes back to the free gap; others stay reserved until exit. */
	if (addr == p->mmap_low && size <= p->stack_low - addr)
		p->mmap_low += size;
	return 0;
}

static int32_t sys_clock_gettime(uint32_t clock, uint32_t uts)
{
	uint64_t ns = clock_ns();
	uint32_t ts[2];

	if (clock > 7)
		return -EINVAL;
	ts[0] = (uint32_t)udiv64(ns, 1000000000u, &ts[1]);
	if (copy_to_user((void *)(uintptr_t)uts, ts, sizeof(ts)))
		return -EFAULT;
	return 0;
}

static int32_t sys_gettimeofday(uint32_t utv)
{
	uint64_t ns = clock_ns();
	uint32_t tv[2];

	if (!utv)
		return 0;
	tv[0] = (uint32_t)udiv64(ns, 1000000000u, &tv[1]);
	tv[1] /= 1000u;
	if (copy_to_user((void *)(uintptr_t)utv, tv, sizeof(tv)))
		return -EFAULT;
	return 0;
}

static int32_t sys_time(uint32_t ut)
{
	uint32_t t = (uint32_t)udiv64(clock_ns(), 1000000000u, 0);

	if (ut && copy_to_user((void *)(uintptr_t)ut, &t, 4))
		return -EFAULT;
	return (int32_t)t;
}

static int32_t sys_nanosleep(uint32_t ureq, uint32_t urem)
{
	uint32_t ts[2];

	if (copy_from_user(ts, (const void *)(uintptr_t)ureq, sizeof(ts)))
		return -EFAULT;
	if ((int32_t)ts[0] < 0 || ts[1] >= 1000000000u)
		return -EINVAL;
	sleep_ns((uint64_t)ts[0] * 1000000000ull + ts[1]);
	if (urem) {
		uint32_t zero[2] = { 0, 0 };
		if (copy_to_user((void *)(uintptr_t)urem, zero, sizeof(zero)))
			return -EFAULT;
	}
	return 0;
}

static int32_t sys_uname(uint32_t ubuf)
{
	static const char *const fields[6] = { "Linux", "ukcf", "4.0.0-ukcf", "#1 UKCF host kernel", "mips", "(none)" };
	char buf[390];
	uint32_t i;

	memset(buf, 0, sizeof(buf));
	for (i = 0; i < 6; i++)
		memcpy(buf + 65 * i, fields[i], strlen(fields[i]));
	if (copy_to_user((void *)(uintptr_t)ubuf, buf, sizeof(buf)))
		return -EFAULT;
	return 0;
}

static int32_t sys_set_thread_area(uint32_t addr)
{
	current->thread_area = addr;
	__asm__ volatile("mtc0 %0, $4, 2" : : "r"(addr)); /* UserLocal, read by rdhwr $29 */
	return 0;
}

static int32_t do_syscall(struct trap_frame *f)
{
	uint32_t *r = f->regs;
	uint32_t a0 = r[4], a1 = r[5], a2 = r[6], a3 = r[7];

	switch (r[2]) {
	case SYS_exit:
	case SYS_exit_group:
		process_exit((int32_t)(a0 & 0xff));
	case SYS_read: {
		struct file *file = fd_get(a0);
		return file ? file_read(file, a1, a2) : -EBADF;
	}
	case SYS_write: {
		struct file *file = fd_get(a0);
		return file ? file_write(file, a1, a2) : -EBADF;
	}
	case SYS_writev:
		return sys_writev(a0, a1, a2);
	case SYS_open:
		return sys_open(a0, a1);
	case SYS_openat:
		if ((int32_t)a0 != AT_FDCWD) {
			char c;
			if (copy_string_from_user(&c, a1, 1) != -ENAMETOOLONG || c != '/')
				return -EBADF;
		}
		return sys_open(a1, a2);
	case SYS_close:
		return sys_close(a0);
	case SYS_lseek:
		return sys_lseek(a0, (int32_t)a1, a2);
	case SYS_fstat64:
		return sys_fstat64(a0, a1);
	case SYS_ioctl: {
		struct file *file = fd_get(a0);
		if (!file)
			return -EBADF;
		if (file->inode->type != INODE_GFX)
			return -ENOTTY;
		return gfx_file_ioctl(file, a1, a2);
	}
	case SYS_brk:
		return sys_brk(a0);
	case SYS_mmap2: {
		uint32_t stack_args[2];
		if (copy_from_user(stack_args, (const void *)(uintptr_t)(r[29] + 16), sizeof(stack_args)))
			return -EFAULT;
		(void)a2;
		return sys_mmap2(a0, a1, a3, (int32_t)stack_args[0]);
	}
	case SYS_munmap:
		return sys_munmap(a0, a1);
	case SYS_mprotect:
		/* The window has one protection (read, write, execute): accepted, like munmap's reservations. */
		if ((a0 & (PAGE - 1)) || a0 + a1 < a0)
			return -EINVAL;
		return 0;
	case SYS_clock_gettime:
		return sys_clock_gettime(a0, a1);
	case SYS_gettimeofday:
		return sys_gettimeofday(a0);
	case SYS_time:
		return sys_time(a0);
	case SYS_nanosleep:
		return sys_nanosleep(a0, a1);
	case SYS_getpid:
		return (int32_t)current->pid;
	case SYS_uname:
		return sys_uname(a0);
	case SYS_set_thread_area:
		return sys_set_thread_area(a0);
	default:
		return -ENOSYS;
	}
}

static const char *const exception_names[32] = {
	"Int", "Mod", "TLBL", "TLBS", "AdEL", "AdES", "IBE", "DBE", "Sys", "Bp", "RI", "CpU", "Ov", "Tr", "", "FPE",
};
/* Signal a fatal exception stands for (Linux's choice), reported as 128 + signal. */
static const uint8_t exception_signals[32] = {
	0, 11, 11, 11, 10, 10, 10, 10, 0, 5, 4, 4, 8, 8, 0, 8,
};

void exception_dispatch(struct trap_frame *f)
{
	uint32_t code = (f->cause >> 2) & 31;
	int32_t from_user = (f->status & 0x18) == 0x10; /* kernel code always runs with KSU = 0 */

	if (!from_user)
		panic("exception %s in the kernel at pc %08x", (int32_t)(uintptr_t)(exception_names[code][0] ? exception_names[code] : "?"),
		      (int32_t)f->epc);
	if (code == EXC_SYSCALL && !(f->cause & 0x80000000u)) {
		int32_t result;
		f->epc += 4;
		result = do_syscall(f);
		if (result < 0 && result > -4096) {
			f->regs[2] = (uint32_t)-result;
			f->regs[7] = 1;
		} else {
			f->regs[2] = (uint32_t)result;
			f->regs[7] = 0;
		}
		return;
	}
	if (code >= 1 && code <= 5 && !(f->cause & 0x80000000u)) {
		/*
		 * Mod/TLBL/TLBS/AdEL/AdES not in a delay slot: a guest-memory access of the translator's
		 * system-call glue continues at its fixup (-EFAULT to the guest, as i386 Linux answers).
		 */
		uint32_t fixup = process_fault_fixup(f->epc);
		if (fixup) {
			f->epc = fixup;
			return;
		}
	}
	printk("kernel: pid %u killed by exception %s", (int32_t)current->pid,
	       (int32_t)(uintptr_t)(exception_names[code][0] ? exception_names[code] : "?"));
	printk(" at pc %08x, address %08x", (int32_t)f->epc, (int32_t)f->badvaddr);
	if (current->isa == PROCESS_I386) {
		/* Translated code: name the guest instruction too (the translator maps host pc -> eip). */
		int32_t eip = process_guest_eip(f->epc);
		if (eip != -1) {
			printk(", guest eip %08x", eip, 0);
			if (code >= 1 && code <= 5) {
				/* The guest's address, not BadVAddr: an unaligned pair's second half faults inside its word. */
				int32_t write;
				uint32_t address = process_guest_access(f->epc, f->badvaddr, f->cause, &write);
				printk(" accessing %08x%s", (int32_t)address, (int32_t)(uintptr_t)(write ? " (write)" : ""));
			}
		}
	}
	printk("\n", 0, 0);
	process_exit(128 + (exception_signals[code] ? exception_signals[code] : 11));
}
