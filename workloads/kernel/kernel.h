/* Internal interfaces of the host kernel (not visible to drivers: see kernel_api.h). */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <stdint.h>
#include "kernel_api.h"
#include "trap.h"

/* errno values beyond kernel_api.h (MIPS Linux numbering). */
#define ENOENT   2
#define EBADF    9
#define EACCES  13
#define EEXIST  17
#define EISDIR  21
#define EMFILE  24
#define ENOSPC  28
#define ESPIPE  29
#define ENAMETOOLONG 78
#define ENOSYS  89

/* The block the machine's loader writes at physical BOOT_INFO_PHYS before starting the kernel. */
#define BOOT_INFO_PHYS  0x800u
#define BOOT_INFO_MAGIC 0x49424b55u /* "UKBI" */
struct boot_info {
	uint32_t magic;
	uint32_t version;         /* 1 */
	uint32_t ram_size;        /* bytes of RAM */
	uint32_t heap_limit;      /* physical end of the kernel heap (it starts after the image) */
	uint32_t module_phys;     /* area for loaded driver modules */
	uint32_t module_size;
	uint32_t archive_phys;    /* boot archive (the files of the RAM filesystem), 0 = none */
	uint32_t archive_size;
	uint32_t user_phys;       /* RAM behind the user window */
	uint32_t user_size;
	uint32_t user_vbase;      /* kuseg address of the window */
	uint32_t cmdline_phys;    /* NUL-terminated command line */
	uint32_t gfx_regs_phys;   /* graphics register block, 0 = no device */
	uint32_t timer_phys;      /* machine timer (64-bit cycle counter) */
	uint32_t console_phys;
	uint32_t clock_hz;        /* simulated cycles per second */
	uint32_t ukcf;            /* BOOT_UKCF_* bits: translators the machine attached (0 from older loaders) */
};
#define BOOT_UKCF_USER  1u        /* the user-space translator answers the UKCF_USER_* hypercalls */

/* The boot archive: a header, `count` entries, then the file bytes. */
#define ARCHIVE_MAGIC 0x52414b55u /* "UKAR" */
#define ARCHIVE_NAME_MAX 48
struct archive_entry {
	char name[ARCHIVE_NAME_MAX]; /* NUL-terminated, no leading '/' */
	uint32_t offset;             /* from the start of the archive */
	uint32_t size;
	uint32_t reserved[2];
};

extern const struct boot_info *boot_info;

static inline void *phys_to_kseg0(uint32_t phys) { return (void *)(uintptr_t)(0x80000000u | phys); }
static inline void *phys_to_kseg1(uint32_t phys) { return (void *)(uintptr_t)(0xa0000000u | phys); }

/* lib.c */
uint32_t strlen(const char *s);
int32_t strcmp(const char *a, const char *b);
int32_t strncmp(const char *a, const char *b, uint32_t n);
void console_putc(char c);
void console_write(const char *s, uint32_t n);
void panic(const char *fmt, int32_t a, int32_t b) __attribute__((noreturn));
void machine_shutdown(int32_t status, int32_t panicked) __attribute__((noreturn));

/* kmalloc.c */
void kmalloc_init(uint32_t start, uint32_t end);

/* time.c */
uint64_t clock_cycles(void);
uint64_t clock_ns(void);
uint64_t udiv64(uint64_t n, uint32_t d, uint32_t *rem);
void sleep_until_cycles(uint64_t target);
void sleep_ns(uint64_t ns);

/* ramfs.c */
#define INODE_REGULAR 1
#define INODE_CONSOLE 2
#define INODE_GFX     3
struct inode {
	char name[64];           /* full path */
	uint32_t type;
	uint8_t *data;
	uint32_t size;
	uint32_t capacity;       /* 0 = read-only bytes (the boot archive) */
	uint32_t number;
};
struct file {
	struct inode *inode;
	uint32_t pos;
	uint32_t flags;
	uint32_t refs;
	struct gfx_file gfx;
};
void ramfs_init(void);
struct inode *ramfs_lookup(const char *path);
int32_t file_open(const char *path, uint32_t flags, struct file **out);
void file_put(struct file *f);
int32_t file_read(struct file *f, uint32_t user_buf, uint32_t n);
int32_t file_write(struct file *f, uint32_t user_buf, uint32_t n);

/* gfx.c */
int32_t gfx_file_open(struct file *f);
void gfx_file_release(struct file *f);
int32_t gfx_file_ioctl(struct file *f, uint32_t cmd, uint32_t arg);

/* module.c */
struct kernel_export {
	const char *name;
	void *address;
	uint32_t arg_count;
};
extern const struct kernel_export kernel_exports[];
extern const uint32_t kernel_export_count;
int32_t module_load(const char *path);

/* process.c */
#define MAX_FDS 16
struct process {
	uint32_t pid;
	uint32_t vbase, vend;    /* the user window in kuseg */
	uint32_t brk_start, brk;
	uint32_t mmap_low;       /* anonymous mappings grow down from the stack area to here */
	uint32_t stack_low;
	struct file *fds[MAX_FDS];
	uint32_t thread_area;
	uint32_t isa;            /* PROCESS_MIPS or PROCESS_I386 (translated by UKCF) */
	uint32_t ukcf_base, ukcf_size; /* i386: the reserved translator area at the top of the window */
	uint32_t ukcf_protect_end;     /* i386: [ukcf_base, ukcf_protect_end) is no system call's memory */
};
#define PROCESS_MIPS 0u
#define PROCESS_I386 1u

/*
 * Kernel -> user-space translator requests (sdbbp code; handlers in emulator/system).
 * UKCF_USER_START: a0 = struct ukcf_user_start *, a1 = the process's first trap frame, which
 *   the translator fills (epc and registers of its entry into translated code); v0 = 0 or -errno.
 * UKCF_USER_EXIT: a0 = pid, a1 = exit status; the translator drops the process's state.
 * UKCF_USER_GUEST_EIP: a0 = user pc; v0 = the guest eip whose translation holds it, or -1.
 * UKCF_USER_GUEST_ACCESS: a0 = user pc (epc), a1 = BadVAddr, a2 = Cause of a memory exception in
 *   translated code; v0 = the guest address it stands for (the first byte the guest access could not
 *   reach: what i386 Linux reports), v1 = 1 for a guest write.
 */
#define UKCF_USER_START     0x20
#define UKCF_USER_EXIT      0x21
#define UKCF_USER_GUEST_EIP 0x22
#define UKCF_USER_GUEST_ACCESS 0x23
struct ukcf_user_start {
	uint32_t pid;
	uint32_t entry;          /* guest eip of _start */
	uint32_t esp;            /* guest esp: argc, argv, envp, auxv (Linux i386 layout) */
	uint32_t area_base;      /* reserved translator area (code cache, lookup table, context, host stack) */
	uint32_t area_size;
	uint32_t vbase, vend;    /* the user window */
	uint32_t image_low;      /* lowest loaded guest address */
	uint32_t brk_start;      /* end of the loaded image, page aligned */
	/*
	 * The translator's user-fault fixups (its system-call glue's guest-memory accesses), written by
	 * the translator into the kernel's table: a fault at a user pc in [start, end) continues at fixup
	 * (the glue answers -EFAULT), as Linux's exception tables do for the kernel's own user accesses.
	 */
	uint32_t fixups;         /* kernel address of struct ukcf_fixup[fixup_max] */
	uint32_t fixup_max;
	uint32_t fixup_count;    /* out: entries the translator wrote (0 = none) */
	/*
	 * out: [area_base, protect_end) holds what the kernel must never write for the process nor
	 * read from it (translated code, lookup table, counters, context block, host stack): a system
	 * call's pointer there is -EFAULT, as for an unmapped address on i386 Linux. 0 = nothing. The
	 * glue's own frame (its scratch structures, passed to the kernel) lies above it.
	 */
	uint32_t protect_end;
};
struct ukcf_fixup {
	uint32_t start, end, fixup;
};
#define UKCF_FIXUP_MAX 64
extern struct process *current;
int32_t process_run(int argc, char **argv);
int32_t process_guest_eip(uint32_t pc);
uint32_t process_guest_access(uint32_t pc, uint32_t badvaddr, uint32_t cause, int32_t *write);
uint32_t process_fault_fixup(uint32_t pc);
void process_exit(int32_t status) __attribute__((noreturn));
int32_t user_range_ok(uint32_t addr, uint32_t n);
int32_t copy_string_from_user(char *to, uint32_t from_user, uint32_t max);
int32_t user_enter(struct trap_frame *frame);
void kernel_resume(int32_t status) __attribute__((noreturn));

/* syscall.c */
void syscall_dispatch(struct trap_frame *f);

#endif
