/*
 * Driver modules: an ELF32 little-endian MIPS relocatable object (ET_REL) from the
 * RAM filesystem is laid out in the module area (its allocated PROGBITS/NOBITS
 * sections), its undefined symbols are resolved against the export table, its
 * relocations applied (R_MIPS_32, R_MIPS_26, R_MIPS_HI16/LO16), and its gfx_init()
 * called.  Every refusal is reported on the console and as a negative errno.
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
#define SHN_UNDEF    0
#define SHN_ABS      0xfff1
#define MAX_SECTIONS 64
#define R_MIPS_NONE  0
#define R_MIPS_32    2
#define R_MIPS_26    4
#define R_MIPS_HI16  5
#define R_MIPS_LO16  6

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
	return 0;
}

/* Relocates one REL section; section_addr[] holds the load address of each section (0 = not loaded). */
static int32_t relocate(const char *path, const uint8_t *image, uint32_t image_size, const struct elf_shdr *rel,
			const struct elf_shdr *shdrs, uint32_t shnum, const uint32_t *section_addr)
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
		if (type == R_MIPS_NONE)
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

int32_t module_load(const char *path)
{
	struct inode *ino = ramfs_lookup(path);
	const uint8_t *image;
	const struct elf_ehdr *eh;
	const struct elf_shdr *shdrs;
	uint32_t section_addr[MAX_SECTIONS];
	uint32_t i, end, base;
	int32_t (*init)(void) = 0;
	int32_t err;

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
	if (image[4] != 1 || image[5] != 1 || eh->type != 1 || eh->machine != 8)
		return fail(path, "not a 32-bit little-endian MIPS relocatable object", 0);
	if (eh->shentsize != sizeof(struct elf_shdr) || eh->shnum > MAX_SECTIONS || eh->shoff > ino->size ||
	    (uint32_t)eh->shnum * sizeof(struct elf_shdr) > ino->size - eh->shoff || (eh->shoff & 3))
		return fail(path, "bad section header table", 0);
	shdrs = (const struct elf_shdr *)(image + eh->shoff);
	base = module_cursor;
	/* Lay out the allocated sections. */
	for (i = 0; i < eh->shnum; i++) {
		const struct elf_shdr *sh = &shdrs[i];
		uint32_t align = sh->addralign ? sh->addralign : 1, at;
		section_addr[i] = 0;
		if (!(sh->flags & SHF_ALLOC) || (sh->type != SHT_PROGBITS && sh->type != SHT_NOBITS))
			continue;
		if (align & (align - 1))
			return fail(path, "bad alignment in section %u", (int32_t)i);
		at = (module_cursor + align - 1) & ~(align - 1);
		if (at < module_cursor || sh->size > end - at)
			return fail(path, "does not fit in the module area (section %u)", (int32_t)i);
		if (sh->type == SHT_PROGBITS) {
			if (sh->offset > ino->size || sh->size > ino->size - sh->offset)
				return fail(path, "section %u outside the file", (int32_t)i);
			memcpy((void *)(uintptr_t)at, image + sh->offset, sh->size);
		} else {
			memset((void *)(uintptr_t)at, 0, sh->size);
		}
		/* A zero-sized section still needs an address distinct from "not loaded". */
		section_addr[i] = at;
		module_cursor = at + sh->size;
	}
	for (i = 0; i < eh->shnum; i++) {
		const struct elf_shdr *sh = &shdrs[i];
		if (sh->type != SHT_REL || sh->info >= eh->shnum || !section_addr[sh->info])
			continue;
		err = relocate(path, image, ino->size, sh, shdrs, eh->shnum, section_addr);
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
				init = (int32_t (*)(void))(uintptr_t)(section_addr[sym[k].shndx] + sym[k].value);
				break;
			}
		}
	}
	if (!init)
		return fail(path, "no gfx_init", 0);
	printk("module %s: loaded at %08x", (int32_t)(uintptr_t)path, (int32_t)base);
	printk(", %u bytes\n", (int32_t)(module_cursor - base), 0);
	err = init();
	if (err)
		printk("module %s: gfx_init failed: %d\n", (int32_t)(uintptr_t)path, err);
	return err;
}
