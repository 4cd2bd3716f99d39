/*
 * Driver modules: an ELF32 little-endian MIPS relocatable object (ET_REL) from the
 * RAM filesystem is laid out in the module area (its allocated PROGBITS/NOBITS
 * sections), its undefined symbols are resolved against the export table, its
 * relocations applied (R_MIPS_32, R_MIPS_26, R_MIPS_HI16/LO16), and its gfx_init()
 * called.  Every refusal is reported on the console and as a negative errno.
 *
 * An i386 object (when the machine has UKCF's kernel-space translator, boot_info->ukcf
 * bit BOOT_UKCF_KERNEL) is loaded the same way but only as a DATA ARRAY: its code
 * sections first, page aligned, then the rest from the next page; R_386_32 and
 * R_386_PC32 relocations against the same exports (native MIPS addresses).  The kernel
 * then hands the translator the driver (hypercall UKCF_KERNEL_LOAD) and calls gfx_init
 * through a shell (UKCF_KERNEL_SHELL): MIPS code that runs the translated function.
 */
#include "kernel.h"

/* The export table: every kernel function a driver may call (name, address, argument
 * count).  UKCF's kernel-space translator and the debugger read it from memory
 * through the symbols kernel_exports / kernel_export_count. */
const struct kernel_export kernel_exports[] = {
	{ "register_gfx_driver", (void *)register_gfx_driver, 1 },
	{ "kmalloc", (void *)kmalloc, 2 },
	{ "kfree", (void *)kfree, 1 },
	{ "memcpy", (void *)memcpy, 3 },
	{ "memset", (void *)memset, 3 },
	{ "copy_from_user", (void *)copy_from_user, 3 },
	{ "copy_to_user", (void *)copy_to_user, 3 },
	{ "printk", (void *)printk, 3 },
	{ "gfx_device_base", (void *)gfx_device_base, 0 },
	{ "ioremap", (void *)ioremap, 2 },
	{ "ioread32", (void *)ioread32, 1 },
	{ "iowrite32", (void *)iowrite32, 2 },
	{ "msleep", (void *)msleep, 1 },
	{ "ktime_get_ms", (void *)ktime_get_ms, 0 },
};
const uint32_t kernel_export_count = sizeof(kernel_exports) / sizeof(kernel_exports[0]);

/*
 * Test exports: more arguments than the driver API ever passes (o32 passes the 5th and 6th
 * on the stack), for the translator's argument marshalling.  A separate table, so that
 * kernel_exports stays exactly the driver contract.  Position-weighted word FNV-1a: a
 * dropped or swapped argument changes the result.
 */
static uint32_t checksum_word(uint32_t h, uint32_t x)
{
	return (h ^ x) * 16777619u;
}

uint32_t ukcf_checksum4(uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	return checksum_word(checksum_word(checksum_word(checksum_word(0x811c9dc5u, a), b), c), d);
}

uint32_t ukcf_checksum5(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e)
{
	return checksum_word(ukcf_checksum4(a, b, c, d), e);
}

uint32_t ukcf_checksum6(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t f)
{
	return checksum_word(ukcf_checksum5(a, b, c, d, e), f);
}

const struct kernel_export kernel_test_exports[] = {
	{ "ukcf_checksum4", (void *)ukcf_checksum4, 4 },
	{ "ukcf_checksum5", (void *)ukcf_checksum5, 5 },
	{ "ukcf_checksum6", (void *)ukcf_checksum6, 6 },
};
const uint32_t kernel_test_export_count = sizeof(kernel_test_exports) / sizeof(kernel_test_exports[0]);

/* ---- UKCF's kernel-space translator (emulator/ukcf/kernel-space/README.md) ---- */
#ifndef BOOT_UKCF_KERNEL
#define BOOT_UKCF_KERNEL 2u       /* boot_info->ukcf: the kernel-space translator is attached */
#endif
#define UKCF_KERNEL_LOAD  0x10    /* a0 = struct ukcf_driver *; v0 = 0 or -errno */
#define UKCF_KERNEL_SHELL 0x11    /* a0 = x86 function, a1 = argument count; v0 = shell (MIPS) or 0 */
#define UKCF_AREA_BYTES   (512u << 10)

/* What the translator is told about a loaded i386 driver (read from memory by the hypercall). */
struct ukcf_driver {
	uint32_t base, size;           /* the data array in the module area */
	uint32_t text_start, text_end; /* its code: the only jump targets inside the driver */
	uint32_t exports, export_count;           /* kernel_exports */
	uint32_t test_exports, test_export_count; /* kernel_test_exports */
	uint32_t area, area_size;      /* kernel memory for the translator (glue, shells, contexts, code cache) */
	uint32_t register_native;      /* register_gfx_driver: the export whose calls are intercepted ... */
	uint32_t register_hook;        /* ... by ukcf_register_gfx_driver */
	uint32_t path;                 /* the module's path (for messages) */
	uint32_t image, image_size;    /* the ELF object (its symbols name driver code for the debugger) */
	uint32_t section_addr, shnum;  /* load address of each section (0 = not loaded), during the call */
};

static int32_t ukcf_hypercall(uint32_t code, uint32_t a0, uint32_t a1)
{
	register uint32_t r_a0 __asm__("$4") = a0;
	register uint32_t r_a1 __asm__("$5") = a1;
	register int32_t r_v0 __asm__("$2");

	if (code == UKCF_KERNEL_LOAD)
		__asm__ volatile("sdbbp 0x10" : "=r"(r_v0) : "r"(r_a0), "r"(r_a1) : "memory");
	else
		__asm__ volatile("sdbbp 0x11" : "=r"(r_v0) : "r"(r_a0), "r"(r_a1) : "memory");
	return r_v0;
}

/* A shell for an x86 function of the driver: a native function with the same o32 signature. */
static void *ukcf_shell(const void *x86_function, uint32_t args)
{
	return (void *)(uintptr_t)ukcf_hypercall(UKCF_KERNEL_SHELL, (uint32_t)(uintptr_t)x86_function, args);
}

/*
 * The registration API as a translated driver reaches it: the jump monitor routes its calls
 * of register_gfx_driver here.  Its ops table holds x86 addresses, which native code must
 * never call: the kernel registers a copy whose callbacks are shells.
 */
int32_t ukcf_register_gfx_driver(const struct gfx_ops *x86_ops)
{
	struct gfx_ops *shelled;
	int32_t err;

	if (!x86_ops)
		return register_gfx_driver(0);
	shelled = kmalloc(sizeof(*shelled), GFP_KERNEL);
	if (!shelled)
		return -ENOMEM;
	shelled->probe = x86_ops->probe ? (int32_t (*)(void))ukcf_shell((const void *)x86_ops->probe, 0) : 0;
	shelled->open = x86_ops->open ? (int32_t (*)(struct gfx_file *))ukcf_shell((const void *)x86_ops->open, 1) : 0;
	shelled->ioctl = x86_ops->ioctl ? (int32_t (*)(struct gfx_file *, uint32_t, uint32_t))ukcf_shell((const void *)x86_ops->ioctl, 3) : 0;
	shelled->release = x86_ops->release ? (int32_t (*)(struct gfx_file *))ukcf_shell((const void *)x86_ops->release, 1) : 0;
	if ((x86_ops->probe && !shelled->probe) || (x86_ops->open && !shelled->open) ||
	    (x86_ops->ioctl && !shelled->ioctl) || (x86_ops->release && !shelled->release)) {
		printk("kernel: gfx driver callback outside the driver's code\n", 0, 0);
		kfree(shelled);
		return -EFAULT;
	}
	err = register_gfx_driver(shelled);
	if (err)
		kfree(shelled);
	return err;
}

struct elf_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version, entry, phoff, shoff, flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf_shdr {
	uint32_t name, type, flags, addr, offset, size, link, info, addralign, entsize;
};
struct elf_sym {
	uint32_t name, value, size;
	uint8_t info, other;
	uint16_t shndx;
};
struct elf_rel {
	uint32_t offset, info;
};

#define SHT_PROGBITS 1
#define SHT_SYMTAB   2
#define SHT_NOBITS   8
#define SHT_REL      9
#define SHF_ALLOC    2
#define SHF_EXECINSTR 4
#define SHN_UNDEF    0
#define SHN_ABS      0xfff1
#define MAX_SECTIONS 64
#define R_MIPS_NONE  0
#define R_MIPS_32    2
#define R_MIPS_26    4
#define R_MIPS_HI16  5
#define R_MIPS_LO16  6
#define R_386_NONE   0
#define R_386_32     1
#define R_386_PC32   2
#define EM_386       3
#define EM_MIPS      8
#define MODULE_PAGE  4096u

static uint32_t module_cursor;

static int32_t fail(const char *path, const char *what, int32_t detail)
{
	printk("module %s: ", (int32_t)(uintptr_t)path, 0);
	printk(what, detail, 0);
	printk("\n", 0, 0);
	return -EINVAL;
}

static const struct kernel_export *export_find(const char *name)
{
	uint32_t i;

	for (i = 0; i < kernel_export_count; i++)
		if (!strcmp(kernel_exports[i].name, name))
			return &kernel_exports[i];
	for (i = 0; i < kernel_test_export_count; i++)
		if (!strcmp(kernel_test_exports[i].name, name))
			return &kernel_test_exports[i];
	return 0;
}

/* Relocates one REL section; section_addr[] holds the load address of each section (0 = not loaded). */
static int32_t relocate(const char *path, const uint8_t *image, uint32_t image_size, const struct elf_shdr *rel,
			const struct elf_shdr *shdrs, uint32_t shnum, const uint32_t *section_addr, uint32_t machine)
{
	const struct elf_shdr *symtab = &shdrs[rel->link];
	const struct elf_shdr *strtab;
	const struct elf_rel *r = (const struct elf_rel *)(image + rel->offset);
	uint32_t count = rel->size / sizeof(*r), nsyms, i;
	uint32_t target = section_addr[rel->info];
	uint32_t target_size = shdrs[rel->info].size;
	uint32_t *hi_pending[16];
	uint32_t hi_count = 0, hi_sym = 0;

	if (rel->link >= shnum || symtab->type != SHT_SYMTAB || symtab->link >= shnum)
		return fail(path, "relocation section without a symbol table", 0);
	strtab = &shdrs[symtab->link];
	if (rel->offset > image_size || rel->size > image_size - rel->offset ||
	    symtab->offset > image_size || symtab->size > image_size - symtab->offset ||
	    strtab->offset > image_size || strtab->size > image_size - strtab->offset)
		return fail(path, "section outside the file", 0);
	nsyms = symtab->size / sizeof(struct elf_sym);
	for (i = 0; i < count; i++) {
		uint32_t type = r[i].info & 0xff, symi = r[i].info >> 8, s, *p, insn;
		const struct elf_sym *sym;
		if (type == R_MIPS_NONE) /* = R_386_NONE */
			continue;
		if (symi >= nsyms || r[i].offset > target_size - 4 || target_size < 4)
			return fail(path, "bad relocation %u", (int32_t)i);
		sym = (const struct elf_sym *)(image + symtab->offset) + symi;
		if (sym->shndx == SHN_UNDEF) {
			const char *name = (const char *)image + strtab->offset + sym->name;
			const struct kernel_export *e;
			if (sym->name >= strtab->size)
				return fail(path, "bad symbol name", 0);
			e = export_find(name);
			if (!e) {
				printk("module %s: unresolved symbol %s\n", (int32_t)(uintptr_t)path, (int32_t)(uintptr_t)name);
				return -ENOENT;
			}
			s = (uint32_t)(uintptr_t)e->address;
		} else if (sym->shndx == SHN_ABS) {
			s = sym->value;
		} else if (sym->shndx < shnum && section_addr[sym->shndx]) {
			s = section_addr[sym->shndx] + sym->value;
		} else {
			return fail(path, "symbol in an unloaded section %u", sym->shndx);
		}
		p = (uint32_t *)(uintptr_t)(target + r[i].offset);
		if (machine == EM_386) {
			/* The data array: addends in place (REL), possibly unaligned. */
			uint8_t *b = (uint8_t *)p;
			uint32_t v = b[0] | (b[1] << 8) | (b[2] << 16) | ((uint32_t)b[3] << 24);
			if (type == R_386_32)
				v += s;
			else if (type == R_386_PC32)
				v += s - (target + r[i].offset);
			else
				return fail(path, "unsupported relocation type %u", (int32_t)type);
			b[0] = v;
			b[1] = v >> 8;
			b[2] = v >> 16;
			b[3] = v >> 24;
			continue;
		}
		insn = *p;
		switch (type) {
		case R_MIPS_32:
			*p = insn + s;
			break;
		case R_MIPS_26: {
			uint32_t a = (insn & 0x03ffffffu) << 2, dest;
			if ((sym->info >> 4) != 0 && (a & 0x08000000u))
				a |= 0xf0000000u; /* global: sign-extended addend */
			dest = s + a;
			if ((dest & 0xf0000000u) != ((target + r[i].offset + 4) & 0xf0000000u))
				return fail(path, "jump target out of range (relocation %u)", (int32_t)i);
			*p = (insn & 0xfc000000u) | ((dest >> 2) & 0x03ffffffu);
			break;
		}
		case R_MIPS_HI16:
			if (hi_count == 16 || (hi_count && hi_sym != symi))
				return fail(path, "unpaired R_MIPS_HI16 (relocation %u)", (int32_t)i);
			hi_sym = symi;
			hi_pending[hi_count++] = p;
			break;
		case R_MIPS_LO16: {
			int32_t lo = (int16_t)(insn & 0xffff);
			uint32_t k;
			if (hi_count && hi_sym != symi)
				return fail(path, "R_MIPS_LO16 for another symbol than its HI16 (relocation %u)", (int32_t)i);
			for (k = 0; k < hi_count; k++) {
				uint32_t ahl = ((*hi_pending[k] & 0xffff) << 16) + (uint32_t)lo;
				uint32_t v = s + ahl;
				*hi_pending[k] = (*hi_pending[k] & 0xffff0000u) | (((v + 0x8000u) >> 16) & 0xffff);
			}
			hi_count = 0;
			*p = (insn & 0xffff0000u) | ((s + (uint32_t)lo) & 0xffff);
			break;
		}
		default:
			return fail(path, "unsupported relocation type %u", (int32_t)type);
		}
	}
	if (hi_count)
		return fail(path, "R_MIPS_HI16 without R_MIPS_LO16", 0);
	return 0;
}

/* Lays out, from module_cursor, the allocated sections: code (which = 1), the others (0), or all (2). */
static int32_t layout(const char *path, const uint8_t *image, uint32_t image_size, const struct elf_shdr *shdrs,
		      uint32_t shnum, uint32_t *section_addr, uint32_t end, uint32_t which)
{
	uint32_t i;

	for (i = 0; i < shnum; i++) {
		const struct elf_shdr *sh = &shdrs[i];
		uint32_t align = sh->addralign ? sh->addralign : 1, at;
		if (!(sh->flags & SHF_ALLOC) || (sh->type != SHT_PROGBITS && sh->type != SHT_NOBITS) ||
		    (which != 2 && ((sh->flags & SHF_EXECINSTR) != 0) != (which != 0)))
			continue;
		if (align & (align - 1))
			return fail(path, "bad alignment in section %u", (int32_t)i);
		at = (module_cursor + align - 1) & ~(align - 1);
		if (at < module_cursor || sh->size > end - at)
			return fail(path, "does not fit in the module area (section %u)", (int32_t)i);
		if (sh->type == SHT_PROGBITS) {
			if (sh->offset > image_size || sh->size > image_size - sh->offset)
				return fail(path, "section %u outside the file", (int32_t)i);
			memcpy((void *)(uintptr_t)at, image + sh->offset, sh->size);
		} else {
			memset((void *)(uintptr_t)at, 0, sh->size);
		}
		/* A zero-sized section still needs an address distinct from "not loaded". */
		section_addr[i] = at;
		module_cursor = at + sh->size;
	}
	return 0;
}

/* Rounds module_cursor up to a page (an i386 driver's code pages hold nothing else). */
static int32_t page_align(const char *path, uint32_t end)
{
	uint32_t at = (module_cursor + MODULE_PAGE - 1) & ~(MODULE_PAGE - 1);

	if (at < module_cursor || at > end)
		return fail(path, "does not fit in the module area", 0);
	module_cursor = at;
	return 0;
}

/*
 * An i386 driver's code runs translated: the translator gets the data array, the export
 * tables and an area of kernel memory, and gfx_init is called through a shell.
 */
static int32_t start_i386_driver(const char *path, const struct inode *ino, const uint32_t *section_addr, uint32_t shnum,
				 uint32_t base, uint32_t text_start, uint32_t text_end, uint32_t init)
{
	static struct ukcf_driver driver;
	uint8_t *area;
	int32_t (*init_shell)(void);
	int32_t err;

	area = kmalloc(UKCF_AREA_BYTES + MODULE_PAGE, GFP_KERNEL);
	if (!area)
		return fail(path, "no memory for the kernel-space translator", 0);
	driver.base = base;
	driver.size = module_cursor - base;
	driver.text_start = text_start;
	driver.text_end = text_end;
	driver.exports = (uint32_t)(uintptr_t)kernel_exports;
	driver.export_count = kernel_export_count;
	driver.test_exports = (uint32_t)(uintptr_t)kernel_test_exports;
	driver.test_export_count = kernel_test_export_count;
	driver.area = ((uint32_t)(uintptr_t)area + MODULE_PAGE - 1) & ~(MODULE_PAGE - 1);
	driver.area_size = UKCF_AREA_BYTES;
	driver.register_native = (uint32_t)(uintptr_t)register_gfx_driver;
	driver.register_hook = (uint32_t)(uintptr_t)ukcf_register_gfx_driver;
	driver.path = (uint32_t)(uintptr_t)path;
	driver.image = (uint32_t)(uintptr_t)ino->data;
	driver.image_size = ino->size;
	driver.section_addr = (uint32_t)(uintptr_t)section_addr;
	driver.shnum = shnum;
	err = ukcf_hypercall(UKCF_KERNEL_LOAD, (uint32_t)(uintptr_t)&driver, 0);
	if (err) {
		kfree(area);
		printk("module %s: the kernel-space translator refused the driver: %d\n", (int32_t)(uintptr_t)path, err);
		return err;
	}
	printk("module %s: i386 driver at %08x", (int32_t)(uintptr_t)path, (int32_t)base);
	printk(", %u bytes, translated by UKCF\n", (int32_t)driver.size, 0);
	init_shell = (int32_t (*)(void))ukcf_shell((const void *)(uintptr_t)init, 0);
	if (!init_shell)
		return fail(path, "gfx_init outside the driver's code", 0);
	err = init_shell();
	if (err)
		printk("module %s: gfx_init failed: %d\n", (int32_t)(uintptr_t)path, err);
	return err;
}

int32_t module_load(const char *path)
{
	struct inode *ino = ramfs_lookup(path);
	const uint8_t *image;
	const struct elf_ehdr *eh;
	const struct elf_shdr *shdrs;
	uint32_t section_addr[MAX_SECTIONS];
	uint32_t i, end, base, text_start = 0, text_end = 0, init = 0;
	int32_t err;
	int i386;

	if (!module_cursor)
		module_cursor = (uint32_t)(uintptr_t)phys_to_kseg0(boot_info->module_phys);
	end = (uint32_t)(uintptr_t)phys_to_kseg0(boot_info->module_phys) + boot_info->module_size;
	if (!ino || ino->type != INODE_REGULAR) {
		printk("module %s: no such file\n", (int32_t)(uintptr_t)path, 0);
		return -ENOENT;
	}
	image = ino->data;
	eh = (const struct elf_ehdr *)image;
	if (ino->size < sizeof(*eh) || image[0] != 0x7f || image[1] != 'E' || image[2] != 'L' || image[3] != 'F')
		return fail(path, "not an ELF file", 0);
	i386 = eh->machine == EM_386 && (boot_info->ukcf & BOOT_UKCF_KERNEL);
	if (image[4] != 1 || image[5] != 1 || eh->type != 1 || (eh->machine != EM_MIPS && !i386))
		return fail(path, "not a 32-bit little-endian MIPS relocatable object", 0);
	if (eh->shentsize != sizeof(struct elf_shdr) || eh->shnum > MAX_SECTIONS || eh->shoff > ino->size ||
	    (uint32_t)eh->shnum * sizeof(struct elf_shdr) > ino->size - eh->shoff || (eh->shoff & 3))
		return fail(path, "bad section header table", 0);
	shdrs = (const struct elf_shdr *)(image + eh->shoff);
	for (i = 0; i < eh->shnum; i++)
		section_addr[i] = 0;
	if (i386) {
		/* Code first on pages of its own (the translator watches them for self-modification). */
		if ((err = page_align(path, end)))
			return err;
		base = text_start = module_cursor;
		if ((err = layout(path, image, ino->size, shdrs, eh->shnum, section_addr, end, 1)))
			return err;
		text_end = module_cursor;
		if ((err = page_align(path, end)))
			return err;
		if ((err = layout(path, image, ino->size, shdrs, eh->shnum, section_addr, end, 0)))
			return err;
	} else {
		base = module_cursor;
		if ((err = layout(path, image, ino->size, shdrs, eh->shnum, section_addr, end, 2)))
			return err;
	}
	for (i = 0; i < eh->shnum; i++) {
		const struct elf_shdr *sh = &shdrs[i];
		if (sh->type != SHT_REL || sh->info >= eh->shnum || !section_addr[sh->info])
			continue;
		err = relocate(path, image, ino->size, sh, shdrs, eh->shnum, section_addr, eh->machine);
		if (err)
			return err;
	}
	/* Find gfx_init among the global symbols. */
	for (i = 0; i < eh->shnum && !init; i++) {
		const struct elf_shdr *sh = &shdrs[i];
		const struct elf_sym *sym;
		uint32_t k, n;
		if (sh->type != SHT_SYMTAB || sh->link >= eh->shnum)
			continue;
		sym = (const struct elf_sym *)(image + sh->offset);
		n = sh->size / sizeof(*sym);
		for (k = 0; k < n; k++) {
			const char *name = (const char *)image + shdrs[sh->link].offset + sym[k].name;
			if ((sym[k].info >> 4) == 1 && sym[k].shndx != SHN_UNDEF && sym[k].shndx < eh->shnum &&
			    section_addr[sym[k].shndx] && !strcmp(name, "gfx_init")) {
				init = section_addr[sym[k].shndx] + sym[k].value;
				break;
			}
		}
	}
	if (!init)
		return fail(path, "no gfx_init", 0);
	if (i386)
		return start_i386_driver(path, ino, section_addr, eh->shnum, base, text_start, text_end, init);
	printk("module %s: loaded at %08x", (int32_t)(uintptr_t)path, (int32_t)base);
	printk(", %u bytes\n", (int32_t)(module_cursor - base), 0);
	err = ((int32_t (*)(void))(uintptr_t)init)();
	if (err)
		printk("module %s: gfx_init failed: %d\n", (int32_t)(uintptr_t)path, err);
	return err;
}
