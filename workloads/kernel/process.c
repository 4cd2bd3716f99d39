/*
 * User processes, one at a time: the program's ELF (static, ET_EXEC, MIPS) is loaded
 * into the user window of kuseg (CP0 register 22 maps it onto RAM), started in user
 * mode with argc/argv on the stack, and run until it exits.  Its exit status (or
 * 128 + signal number after a fatal fault) is process_run()'s result.
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
	return addr >= current->vbase && addr <= current->vend && n <= current->vend - addr;
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

static int32_t load_elf(const char *path, struct process *p, uint32_t *entry)
{
	struct inode *ino = ramfs_lookup(path);
	const uint8_t *image;
	const struct elf_ehdr *eh;
	uint32_t i, top = 0;

	if (!ino || ino->type != INODE_REGULAR) {
		printk("exec %s: no such file\n", (int32_t)(uintptr_t)path, 0);
		return -ENOENT;
	}
	image = ino->data;
	eh = (const struct elf_ehdr *)image;
	if (ino->size < sizeof(*eh) || image[0] != 0x7f || image[1] != 'E' || image[2] != 'L' || image[3] != 'F' ||
	    image[4] != 1 || image[5] != 1 || eh->type != 2 || eh->machine != 8 ||
	    eh->phentsize != sizeof(struct elf_phdr) || eh->phoff > ino->size ||
	    (uint32_t)eh->phnum * sizeof(struct elf_phdr) > ino->size - eh->phoff || (eh->phoff & 3)) {
		printk("exec %s: not a static 32-bit little-endian MIPS executable\n", (int32_t)(uintptr_t)path, 0);
		return -EINVAL;
	}
	for (i = 0; i < eh->phnum; i++) {
		const struct elf_phdr *ph = (const struct elf_phdr *)(image + eh->phoff) + i;
		if (ph->type != PT_LOAD)
			continue;
		if (ph->filesz > ph->memsz || ph->offset > ino->size || ph->filesz > ino->size - ph->offset ||
		    !user_range_ok(ph->vaddr, ph->memsz)) {
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
	*entry = eh->entry;
	return 0;
}

int32_t process_run(int argc, char **argv)
{
	struct process *p = &the_process;
	struct trap_frame frame;
	uint32_t entry, sp, strings, ptrs, i;
	int32_t status, err;

	memset(p, 0, sizeof(*p));
	p->pid = next_pid++;
	p->vbase = boot_info->user_vbase;
	p->vend = boot_info->user_vbase + boot_info->user_size;
	p->stack_low = p->vend - STACK_SIZE;
	p->mmap_low = p->stack_low;
	set_user_window(boot_info->user_vbase, boot_info->user_phys, boot_info->user_size);
	current = p;
	err = load_elf(argv[0], p, &entry);
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
	/* Strings at the very top, then argc, argv[], NULL, envp NULL, auxv AT_NULL. */
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
	memset(&frame, 0, sizeof(frame));
	frame.regs[29] = sp;
	frame.epc = entry;
	status = user_enter(&frame);
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
