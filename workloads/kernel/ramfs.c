/*
 * The RAM filesystem: the boot archive's files (read-only, in place), files that
 * processes create (kmalloc'd, growing), and the device files /dev/console and
 * /dev/gfx.  One flat namespace of full paths.
 */
#include "kernel.h"

#define MAX_INODES 64
#define O_ACCMODE 3u
#define O_WRONLY 1u
#define O_RDWR   2u
#define O_APPEND 0x0008u
#define O_CREAT  0x0100u
#define O_TRUNC  0x0200u
#define O_EXCL   0x0400u

static struct inode inodes[MAX_INODES];
static uint32_t inode_count;

static struct inode *inode_add(const char *path, uint32_t type)
{
	struct inode *ino;
	uint32_t n = strlen(path);

	if (inode_count == MAX_INODES || n >= sizeof(ino->name))
		return 0;
	ino = &inodes[inode_count++];
	memcpy(ino->name, path, n + 1);
	ino->type = type;
	ino->number = inode_count;
	return ino;
}

void ramfs_init(void)
{
	const uint8_t *archive;
	const struct archive_entry *e;
	uint32_t count, i;

	inode_add("/dev/console", INODE_CONSOLE);
	inode_add("/dev/gfx", INODE_GFX);
	if (!boot_info->archive_phys)
		return;
	archive = phys_to_kseg0(boot_info->archive_phys);
	if (*(const uint32_t *)archive != ARCHIVE_MAGIC)
		panic("boot archive: bad magic %08x", (int32_t)*(const uint32_t *)archive, 0);
	count = ((const uint32_t *)archive)[1];
	e = (const struct archive_entry *)(archive + 8);
	for (i = 0; i < count; i++, e++) {
		char path[64];
		struct inode *ino;
		uint32_t n = strlen(e->name);
		if (n + 2 > sizeof(path) || e->offset > boot_info->archive_size ||
		    e->size > boot_info->archive_size - e->offset)
			panic("boot archive: bad entry %u", (int32_t)i, 0);
		path[0] = '/';
		memcpy(path + 1, e->name, n + 1);
		ino = inode_add(path, INODE_REGULAR);
		if (!ino)
			panic("boot archive: too many files (%u)", (int32_t)count, 0);
		ino->data = (uint8_t *)archive + e->offset;
		ino->size = e->size;
		printk("ramfs: %s, %u bytes\n", (int32_t)(uintptr_t)ino->name, (int32_t)ino->size);
	}
}

struct inode *ramfs_lookup(const char *path)
{
	uint32_t i;

	for (i = 0; i < inode_count; i++)
		if (!strcmp(inodes[i].name, path))
			return &inodes[i];
	return 0;
}

int32_t file_open(const char *path, uint32_t flags, struct file **out)
{
	struct inode *ino = ramfs_lookup(path);
	struct file *f;
	int32_t err;

	if (path[0] != '/')
		return -ENOENT;
	if (!ino) {
		if (!(flags & O_CREAT))
			return -ENOENT;
		ino = inode_add(path, INODE_REGULAR);
		if (!ino)
			return -ENOSPC;
	} else if ((flags & O_CREAT) && (flags & O_EXCL)) {
		return -EEXIST;
	}
	if (ino->type == INODE_REGULAR && (flags & O_ACCMODE) != 0) {
		if (ino->data && !ino->capacity)
			return -EACCES; /* boot files are read-only */
		if (flags & O_TRUNC)
			ino->size = 0;
	}
	f = kmalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	memset(f, 0, sizeof(*f));
	f->inode = ino;
	f->flags = flags;
	f->refs = 1;
	if (ino->type == INODE_GFX) {
		err = gfx_file_open(f);
		if (err) {
			kfree(f);
			return err;
		}
	}
	*out = f;
	return 0;
}

void file_put(struct file *f)
{
	if (--f->refs)
		return;
	if (f->inode->type == INODE_GFX)
		gfx_file_release(f);
	kfree(f);
}

int32_t file_read(struct file *f, uint32_t user_buf, uint32_t n)
{
	struct inode *ino = f->inode;

	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (ino->type == INODE_CONSOLE)
		return 0; /* no console input: end of file */
	if (ino->type != INODE_REGULAR)
		return -EINVAL;
	if (f->pos >= ino->size)
		return 0;
	if (n > ino->size - f->pos)
		n = ino->size - f->pos;
	if (copy_to_user((void *)(uintptr_t)user_buf, ino->data + f->pos, n))
		return -EFAULT;
	f->pos += n;
	return (int32_t)n;
}

int32_t file_write(struct file *f, uint32_t user_buf, uint32_t n)
{
	struct inode *ino = f->inode;
	uint32_t end;

	if ((f->flags & O_ACCMODE) == 0)
		return -EBADF;
	if (!user_range_ok(user_buf, n))
		return -EFAULT;
	if (ino->type == INODE_CONSOLE) {
		console_write((const char *)(uintptr_t)user_buf, n);
		return (int32_t)n;
	}
	if (ino->type != INODE_REGULAR)
		return -EINVAL;
	if (f->flags & O_APPEND)
		f->pos = ino->size;
	end = f->pos + n;
	if (end < f->pos)
		return -EINVAL;
	if (end > ino->capacity) {
		uint32_t cap = ino->capacity ? ino->capacity : 4096;
		uint8_t *bigger;
		while (cap < end)
			cap *= 2;
		bigger = kmalloc(cap, GFP_KERNEL);
		if (!bigger)
			return -ENOSPC;
		if (ino->size)
			memcpy(bigger, ino->data, ino->size);
		kfree(ino->capacity ? ino->data : 0);
		ino->data = bigger;
		ino->capacity = cap;
	}
	if (f->pos > ino->size)
		memset(ino->data + ino->size, 0, f->pos - ino->size);
	memcpy(ino->data + f->pos, (const void *)(uintptr_t)user_buf, n);
	f->pos = end;
	if (end > ino->size)
		ino->size = end;
	return (int32_t)n;
}
