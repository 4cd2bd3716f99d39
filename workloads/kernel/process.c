/*
 * User processes, one at a time: the program's ELF (static, ET_EXEC, MIPS or i386) is
 * loaded into the user window of kuseg (CP0 register 22 maps it onto RAM), started in
 * user mode with argc/argv on the stack, and run until it exits.  Its exit status (or
 * 128 + signal number after a fatal fault) is process_run()'s result.
 * An i386 program (binfmt-style) gets a window where it was linked, an i386 initial stack,
 * and a reserved area for the UKCF user-space translator, which the kernel asks (hypercall
 * UKCF_USER_START) for the process's entry into translated code; from then on it is an
 * ordinary user process making o32 system calls.
 */
#include "kernel.h"

#define STACK_SIZE  (256u * 1024u)
#define PAGE        4096u
#define PT_LOAD     1

struct process *current;
static struct process the_process;
static uint32_t next_pid = 1;

int32_t user_range_ok(uint32_t addr, uint32_t n)
{
	if (!current)
		return 0;
	if (!(addr >= current->vbase && addr <= current->vend && n <= current->vend - addr))
		return 0;
	/* The translator's code and tables are not the i386 program's memory (nothing is there on i386 Linux). */
	return !(n && addr < current->ukcf_protect_end && addr + n > current->ukcf_base);
}

uint32_t copy_from_user(void *to, const void *from_user, uint32_t n)
{
	if (!user_range_ok((uint32_t)(uintptr_t)from_user, n))
		return n;
	memcpy(to, from_user, n);
	return 0;
}

uint32_t copy_to_user(void *to_user, const void *from, uint32_t n)
{
	if (!user_range_ok((uint32_t)(uintptr_t)to_user, n))
		return n;
	memcpy(to_user, from, n);
	return 0;
}

/* Copies a NUL-terminated user string; its length, -EFAULT or -ENAMETOOLONG. */
int32_t copy_string_from_user(char *to, uint32_t from_user, uint32_t max)
{
	uint32_t i;

	for (i = 0; i < max; i++) {
		if (!user_range_ok(from_user + i, 1))
			return -EFAULT;
		to[i] = *(const char *)(uintptr_t)(from_user + i);
		if (!to[i])
			return (int32_t)i;
	}
	return -ENAMETOOLONG;
}

static void set_user_window(uint32_t vbase, uint32_t pbase, uint32_t size)
{
	__asm__ volatile("mtc0 %0, $22, 0" : : "r"(vbase));
	__asm__ volatile("mtc0 %0, $22, 1" : : "r"(pbase));
	__asm__ volatile("mtc0 %0, $22, 2" : : "r"(size));
}

struct elf_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version, entry, phoff, shoff, flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf_phdr {
	uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

#define EM_386  3
#define EM_MIPS 8

/*
 * An i386 process's window: it starts at the 1 MiB boundary below the lowest loaded address
 * (0x08000000 for the usual 0x08048000 link address) and has the size of the RAM behind it.
 * Its top UKCF_AREA_SIZE bytes are the translator's (code cache, lookup table, context block,
 * host stack): below them the i386 stack, then mmap space growing down, brk growing up.
 */
#define I386_WINDOW_ALIGN (1u << 20)
#define UKCF_AREA_SIZE    (4u << 20)

/* Auxiliary vector keys of the i386 initial stack (Linux values). */
#define AT_NULL     0
#define AT_PHDR     3
#define AT_PHENT    4
#define AT_PHNUM    5
#define AT_PAGESZ   6
#define AT_BASE     7
#define AT_FLAGS    8
#define AT_ENTRY    9
#define AT_UID      11
#define AT_EUID     12
#define AT_GID      13
#define AT_EGID     14
#define AT_PLATFORM 15
#define AT_HWCAP    16
#define AT_CLKTCK   17
#define AT_SECURE   23
#define AT_RANDOM   25
#define AT_HWCAP2   26
#define AT_EXECFN   31
#define I386_HWCAP  0x8110u   /* TSC | CX8 | CMOV: what the translated CPU offers */

static inline int32_t ukcf_user_hypercall(uint32_t code, uint32_t a0, uint32_t a1)
{
	register uint32_t r_a0 __asm__("$4") = a0;
	register uint32_t r_a1 __asm__("$5") = a1;
	register int32_t r_v0 __asm__("$2");

	if (code == UKCF_USER_START)
		__asm__ volatile("sdbbp 0x20" : "=r"(r_v0) : "r"(r_a0), "r"(r_a1) : "memory");
	else if (code == UKCF_USER_EXIT)
		__asm__ volatile("sdbbp 0x21" : "=r"(r_v0) : "r"(r_a0), "r"(r_a1) : "memory");
	else
		__asm__ volatile("sdbbp 0x22" : "=r"(r_v0) : "r"(r_a0), "r"(r_a1) : "memory");
	return r_v0;
}

/* The translator's fault fixups of the current i386 process (copied at exec, kernel memory). */
static struct ukcf_fixup ukcf_fixups[UKCF_FIXUP_MAX];
static uint32_t ukcf_fixup_count;

/* Where a user fault at pc continues (the translator's fixup), or 0: no fixup, the fault is fatal. */
uint32_t process_fault_fixup(uint32_t pc)
{
	uint32_t i;

	if (!current || current->isa != PROCESS_I386)
		return 0;
	for (i = 0; i < ukcf_fixup_count; i++)
		if (pc >= ukcf_fixups[i].start && pc < ukcf_fixups[i].end)
			return ukcf_fixups[i].fixup;
	return 0;
}

/* The translator's table is trusted no further than this: every address inside its reserved area. */
static int32_t fixups_ok(const struct process *p, uint32_t count)
{
	uint32_t i, lo = p->ukcf_base, hi = p->ukcf_base + p->ukcf_size;

	if (count > UKCF_FIXUP_MAX)
		return 0;
	for (i = 0; i < count; i++) {
		const struct ukcf_fixup *f = &ukcf_fixups[i];
		if (f->start < lo || f->end > hi || f->start >= f->end || f->fixup < lo || f->fixup >= hi || (f->fixup & 3))
			return 0;
	}
	return 1;
}

/* The guest eip of a fault in a translated process (-1 when the pc is not in translated code). */
int32_t process_guest_eip(uint32_t pc)
{
	if (!current || current->isa != PROCESS_I386)
		return -1;
	return ukcf_user_hypercall(UKCF_USER_GUEST_EIP, pc, 0);
}

/* The guest address of a memory exception in translated code (and *write: the guest was writing). */
uint32_t process_guest_access(uint32_t pc, uint32_t badvaddr, uint32_t cause, int32_t *write)
{
	register uint32_t r_a0 __asm__("$4") = pc;
	register uint32_t r_a1 __asm__("$5") = badvaddr;
	register uint32_t r_a2 __asm__("$6") = cause;
	register uint32_t r_v0 __asm__("$2");
	register uint32_t r_v1 __asm__("$3");

	__asm__ volatile("sdbbp 0x23" : "=r"(r_v0), "=r"(r_v1) : "r"(r_a0), "r"(r_a1), "r"(r_a2) : "memory");
	*write = r_v1 != 0;
	return r_v0;
}

/* The program's header, checked; NULL after a console line saying why. */
static const struct elf_ehdr *check_elf(const char *path, const struct inode *ino)
{
	const uint8_t *image = ino->data;
	const struct elf_ehdr *eh = (const struct elf_ehdr *)image;

	if (ino->size < sizeof(*eh) || image[0] != 0x7f || image[1] != 'E' || image[2] != 'L' || image[3] != 'F' ||
	    image[4] != 1 || image[5] != 1 || eh->type != 2 || (eh->machine != EM_MIPS && eh->machine != EM_386) ||
	    eh->phentsize != sizeof(struct elf_phdr) || eh->phoff > ino->size ||
	    (uint32_t)eh->phnum * sizeof(struct elf_phdr) > ino->size - eh->phoff || (eh->phoff & 3)) {
		printk("exec %s: not a static 32-bit little-endian MIPS or i386 executable\n", (int32_t)(uintptr_t)path, 0);
		return 0;
	}
	return eh;
}

/* Lowest PT_LOAD address of the image (0xffffffff when it has none). */
static uint32_t lowest_segment(const uint8_t *image, const struct elf_ehdr *eh)
{
	uint32_t i, low = 0xffffffffu;

	for (i = 0; i < eh->phnum; i++) {
		const struct elf_phdr *ph = (const struct elf_phdr *)(image + eh->phoff) + i;
		if (ph->type == PT_LOAD && ph->vaddr < low)
			low = ph->vaddr;
	}
	return low;
}

static int32_t load_elf(const char *path, const struct inode *ino, const struct elf_ehdr *eh, struct process *p, uint32_t limit)
{
	const uint8_t *image = ino->data;
	uint32_t i, top = 0;

	for (i = 0; i < eh->phnum; i++) {
		const struct elf_phdr *ph = (const struct elf_phdr *)(image + eh->phoff) + i;
		if (ph->type != PT_LOAD)
			continue;
		if (ph->filesz > ph->memsz || ph->offset > ino->size || ph->filesz > ino->size - ph->offset ||
		    !user_range_ok(ph->vaddr, ph->memsz) || ph->vaddr + ph->memsz > limit) {
			printk("exec %s: segment %u outside the user window\n", (int32_t)(uintptr_t)path, (int32_t)i);
			return -EINVAL;
		}
		memcpy((void *)(uintptr_t)ph->vaddr, image + ph->offset, ph->filesz);
		memset((void *)(uintptr_t)(ph->vaddr + ph->filesz), 0, ph->memsz - ph->filesz);
		if (ph->vaddr + ph->memsz > top)
			top = ph->vaddr + ph->memsz;
	}
	if (!top || !user_range_ok(eh->entry, 4)) {
		printk("exec %s: no loadable segment or entry outside it\n", (int32_t)(uintptr_t)path, 0);
		return -EINVAL;
	}
	p->brk_start = p->brk = (top + PAGE - 1) & ~(PAGE - 1);
	return 0;
}

/* MIPS initial stack: strings at the very top, then argc, argv[], NULL, envp NULL, auxv AT_NULL. */
static uint32_t mips_initial_stack(struct process *p, int argc, char **argv)
{
	uint32_t sp, strings, ptrs, i;

	strings = p->vend;
	for (i = 0; i < (uint32_t)argc; i++)
		strings -= strlen(argv[i]) + 1;
	strings &= ~7u;
	sp = (strings - (4u + 4u * (uint32_t)argc + 4u + 4u + 8u)) & ~7u;
	ptrs = sp;
	*(uint32_t *)(uintptr_t)ptrs = (uint32_t)argc;
	for (i = 0; i < (uint32_t)argc; i++) {
		uint32_t n = strlen(argv[i]) + 1;
		memcpy((void *)(uintptr_t)strings, argv[i], n);
		((uint32_t *)(uintptr_t)ptrs)[1 + i] = strings;
		strings += n;
	}
	((uint32_t *)(uintptr_t)ptrs)[1 + argc] = 0;     /* argv end */
	((uint32_t *)(uintptr_t)ptrs)[2 + argc] = 0;     /* envp end */
	((uint32_t *)(uintptr_t)ptrs)[3 + argc] = 0;     /* AT_NULL */
	((uint32_t *)(uintptr_t)ptrs)[4 + argc] = 0;
	return sp;
}

static uint32_t push_bytes(uint32_t *sp, const void *bytes, uint32_t n)
{
	*sp -= n;
	memcpy((void *)(uintptr_t)*sp, bytes, n);
	return *sp;
}

/*
 * i386 initial stack, as Linux lays it out (and as the reference interpreter's loader does):
 * a zero guard at the top, strings (execfn, args, platform), 16 AT_RANDOM bytes (fixed: the
 * machine is deterministic), then argc, argv[], NULL, envp NULL, the auxiliary vector.
 */
static uint32_t i386_initial_stack(uint32_t top, int argc, char **argv, const struct elf_ehdr *eh, const uint8_t *image)
{
	static const uint8_t random[16] = { 0x55, 0x4b, 0x43, 0x46, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	uint32_t sp = top - 16, execfn, platform, rnd, phdr = 0, i, n;
	uint32_t args[33];
	uint32_t words[80];

	execfn = push_bytes(&sp, argv[0], strlen(argv[0]) + 1);
	for (i = 0; i < (uint32_t)argc; i++)
		args[i] = push_bytes(&sp, argv[i], strlen(argv[i]) + 1);
	platform = push_bytes(&sp, "i686", 5);
	sp &= ~15u;
	rnd = push_bytes(&sp, random, sizeof(random));
	/* Where the program headers are in memory: inside the segment that loads them. */
	for (i = 0; i < eh->phnum; i++) {
		const struct elf_phdr *ph = (const struct elf_phdr *)(image + eh->phoff) + i;
		if (ph->type == PT_LOAD && eh->phoff >= ph->offset && eh->phoff + eh->phnum * sizeof(*ph) <= ph->offset + ph->filesz)
			phdr = ph->vaddr + (eh->phoff - ph->offset);
	}
	n = 0;
	words[n++] = (uint32_t)argc;
	for (i = 0; i < (uint32_t)argc; i++)
		words[n++] = args[i];
	words[n++] = 0;        /* argv end */
	words[n++] = 0;        /* envp end (no environment) */
#define AUX(k, v) (words[n++] = (k), words[n++] = (v))
	AUX(AT_HWCAP, I386_HWCAP);
	AUX(AT_PAGESZ, PAGE);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PHDR, phdr);
	AUX(AT_PHENT, sizeof(struct elf_phdr));
	AUX(AT_PHNUM, eh->phnum);
	AUX(AT_BASE, 0);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, eh->entry);
	AUX(AT_UID, 0);
	AUX(AT_EUID, 0);
	AUX(AT_GID, 0);
	AUX(AT_EGID, 0);
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, rnd);
	AUX(AT_HWCAP2, 0);
	AUX(AT_EXECFN, execfn);
	AUX(AT_PLATFORM, platform);
	AUX(AT_NULL, 0);
#undef AUX
	sp = (sp - 4 * n) & ~15u;
	memcpy((void *)(uintptr_t)sp, words, 4 * n);
	return sp;
}

int32_t process_run(int argc, char **argv)
{
	struct process *p = &the_process;
	struct trap_frame frame;
	struct inode *ino = ramfs_lookup(argv[0]);
	const struct elf_ehdr *eh;
	uint32_t vbase, i, limit;
	int32_t status, err;

	if (!ino || ino->type != INODE_REGULAR) {
		printk("exec %s: no such file\n", (int32_t)(uintptr_t)argv[0], 0);
		return 127;
	}
	eh = check_elf(argv[0], ino);
	if (!eh)
		return 127;
	memset(p, 0, sizeof(*p));
	memset(&frame, 0, sizeof(frame));
	p->pid = next_pid++;
	vbase = boot_info->user_vbase;
	if (eh->machine == EM_386) {
		if (!(boot_info->ukcf & BOOT_UKCF_USER)) {
			printk("exec %s: an i386 executable needs the UKCF user-space translator, and none is attached\n",
			       (int32_t)(uintptr_t)argv[0], 0);
			return 126;
		}
		if (argc > 32) {
			printk("exec %s: more than %u arguments\n", (int32_t)(uintptr_t)argv[0], 32);
			return 126;
		}
		p->isa = PROCESS_I386;
		vbase = lowest_segment(ino->data, eh) & ~(I386_WINDOW_ALIGN - 1);
		if (vbase == 0 || vbase >= 0x80000000u || boot_info->user_size > 0x80000000u - vbase) {
			printk("exec %s: lowest segment at %08x leaves no room for the user window\n", (int32_t)(uintptr_t)argv[0], (int32_t)vbase);
			return 127;
		}
	}
	p->vbase = vbase;
	p->vend = vbase + boot_info->user_size;
	limit = p->vend;
	if (p->isa == PROCESS_I386) {
		p->ukcf_size = UKCF_AREA_SIZE;
		p->ukcf_base = p->vend - UKCF_AREA_SIZE;
		limit = p->ukcf_base - STACK_SIZE;
	}
	p->stack_low = (p->isa == PROCESS_I386 ? p->ukcf_base : p->vend) - STACK_SIZE;
	p->mmap_low = p->stack_low;
	set_user_window(vbase, boot_info->user_phys, boot_info->user_size);
	current = p;
	err = load_elf(argv[0], ino, eh, p, limit);
	if (err) {
		current = 0;
		set_user_window(0, 0, 0);
		return 127;
	}
	/* Standard input, output and error: one open of the console. */
	if (file_open("/dev/console", 2, &p->fds[0]) == 0) {
		p->fds[1] = p->fds[2] = p->fds[0];
		p->fds[0]->refs = 3;
	}
	memset((void *)(uintptr_t)p->stack_low, 0, STACK_SIZE);
	if (p->isa == PROCESS_I386) {
		struct ukcf_user_start start;
		start.pid = p->pid;
		start.entry = eh->entry;
		start.esp = i386_initial_stack(p->ukcf_base, argc, argv, eh, ino->data);
		start.area_base = p->ukcf_base;
		start.area_size = p->ukcf_size;
		start.vbase = p->vbase;
		start.vend = p->vend;
		start.image_low = lowest_segment(ino->data, eh);
		start.brk_start = p->brk_start;
		start.fixups = (uint32_t)(uintptr_t)ukcf_fixups;
		start.fixup_max = UKCF_FIXUP_MAX;
		start.fixup_count = 0;
		start.protect_end = 0;
		ukcf_fixup_count = 0;
		err = ukcf_user_hypercall(UKCF_USER_START, (uint32_t)(uintptr_t)&start, (uint32_t)(uintptr_t)&frame);
		if (!err && (!fixups_ok(p, start.fixup_count) || (start.protect_end &&
		    (start.protect_end <= p->ukcf_base || start.protect_end > p->ukcf_base + p->ukcf_size || (start.protect_end & 3))))) {
			printk("exec %s: the UKCF user-space translator gave a fault fixup or protected range outside its area\n", (int32_t)(uintptr_t)argv[0], 0);
			status = 126;
			ukcf_user_hypercall(UKCF_USER_EXIT, p->pid, (uint32_t)status);
			goto out;
		}
		ukcf_fixup_count = err ? 0 : start.fixup_count;
		p->ukcf_protect_end = err ? 0 : start.protect_end;
		if (err) {
			printk("exec %s: the UKCF user-space translator refused the program (error %d)\n", (int32_t)(uintptr_t)argv[0], -err);
			status = 126;
			goto out;
		}
	} else {
		frame.regs[29] = mips_initial_stack(p, argc, argv);
		frame.epc = eh->entry;
	}
	status = user_enter(&frame);
	if (p->isa == PROCESS_I386)
		ukcf_user_hypercall(UKCF_USER_EXIT, p->pid, (uint32_t)status);
out:
	ukcf_fixup_count = 0;
	for (i = 0; i < MAX_FDS; i++) {
		if (p->fds[i]) {
			file_put(p->fds[i]);
			p->fds[i] = 0;
		}
	}
	current = 0;
	set_user_window(0, 0, 0);
	return status;
}

void process_exit(int32_t status)
{
	kernel_resume(status);
}
