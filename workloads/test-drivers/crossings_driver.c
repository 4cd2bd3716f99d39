/*
 * Test driver for UKCF's kernel-space translator: every callback reached through its
 * shell, every exported kernel function called (argument counts 0..6), and re-entry
 * (kernel -> driver -> kernel -> driver, three levels deep: each probe registers another
 * ops table, whose probe the kernel calls before registration returns).
 *
 * Built for i386 (translated) and for mipsel (native): both must print the same lines.
 * No pointer values are printed (the two kernels' heaps differ), only what the driver
 * computed from them.
 */
#include "kernel_api.h"
#include "gfx_device.h"

int32_t gfx_init(void);

#define NESTING 3

static int32_t depth;      /* probes currently running */
static int32_t deepest;
static uint32_t opens;

/* Results of ukcf_checksum4/5/6 (test exports of the host kernel). */
uint32_t ukcf_checksum4(uint32_t a, uint32_t b, uint32_t c, uint32_t d);
uint32_t ukcf_checksum5(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e);
uint32_t ukcf_checksum6(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t f);

static int32_t probe_level(int32_t level);
static int32_t probe1(void) { return probe_level(1); }
static int32_t probe2(void) { return probe_level(2); }
static int32_t probe3(void) { return probe_level(3); }
static int32_t t_open(struct gfx_file *file);
static int32_t t_ioctl(struct gfx_file *file, uint32_t cmd, uint32_t arg);
static int32_t t_release(struct gfx_file *file);

static const struct gfx_ops ops1 = { probe1, t_open, t_ioctl, t_release };
static const struct gfx_ops ops2 = { probe2, 0, t_ioctl, 0 };
static const struct gfx_ops ops3 = { probe3, 0, t_ioctl, 0 };
static const struct gfx_ops *const nested[NESTING + 1] = { 0, &ops1, &ops2, &ops3 };

/* Every export with 0..3 arguments but the user-copy ones (in ioctl) and registration. */
static void call_exports(void)
{
	uint8_t *regs = gfx_device_base();
	uint32_t *a, *b, i, sum = 0, t0;
	void *vram;

	printk("crossings: device %d id %08x\n", regs != 0, regs ? (int32_t)ioread32(regs + GFX_REG_ID) : 0);
	vram = ioremap(ioread32(regs + GFX_REG_FB_BASE), 4096);
	printk("crossings: ioremap kseg1 %d, bad %d\n", ((uint32_t)vram >> 29) == 5, ioremap(0x20000000u, 16) == 0);
	a = kmalloc(64, GFP_KERNEL);
	b = kmalloc(64, GFP_KERNEL);
	printk("crossings: kmalloc %d %d\n", a != 0 && ((uint32_t)a & 7) == 0, b != 0 && a != b);
	printk("crossings: memset returns dst %d\n", memset(a, 0x5a, 64) == a, 0);
	for (i = 0; i < 16; i++)
		a[i] ^= i * 0x01010101u;
	printk("crossings: memcpy returns dst %d\n", memcpy(b, a, 64) == b, 0);
	for (i = 0; i < 16; i++)
		sum = sum * 31 + b[i];
	printk("crossings: copied sum %08x\n", (int32_t)sum, 0);
	iowrite32(0xfeedf00du, &a[3]);
	printk("crossings: iowrite32/ioread32 %08x %08x\n", (int32_t)ioread32(&a[3]), (int32_t)a[3]);
	kfree(b);
	kfree(a);
	kfree(0);
	t0 = ktime_get_ms();
	msleep(2);
	printk("crossings: msleep(2) took >= 2 ms %d\n", ktime_get_ms() - t0 >= 2, 0);
	printk("crossings: checksum4 %08x\n", (int32_t)ukcf_checksum4(1, 2, 3, 4), 0);
	printk("crossings: checksum5 %08x\n", (int32_t)ukcf_checksum5(0x10, 0x200, 0x3000, 0x40000, 0x500000), 0);
	printk("crossings: checksum6 %08x\n", (int32_t)ukcf_checksum6(0xffffffffu, 0x80000000u, 7, 0, 0x12345678u, 0x9abcdef0u), 0);
	printk("crossings: printk returns %d\n", printk("%s|%c\n", (int32_t)"abc", 'z'), 0);
}

static int32_t probe_level(int32_t level)
{
	int32_t err = 0;

	depth++;
	if (depth > deepest)
		deepest = depth;
	printk("crossings: probe level %d depth %d\n", level, depth);
	if (level == 1)
		call_exports();
	if (level < NESTING) {
		err = register_gfx_driver(nested[level + 1]);
		printk("crossings: level %d: nested registration %d\n", level, err);
	}
	depth--;
	return 0;
}

static int32_t t_open(struct gfx_file *file)
{
	opens++;
	file->private_data = &opens;
	printk("crossings: open flags %x count %u\n", (int32_t)file->f_flags, (int32_t)opens);
	return 0;
}

static int32_t t_release(struct gfx_file *file)
{
	printk("crossings: release own %d\n", file->private_data == &opens, 0);
	file->private_data = 0;
	return 0;
}

/* Requests of the test client (workloads/test-drivers/gfx_client.c). */
static int32_t t_ioctl(struct gfx_file *file, uint32_t cmd, uint32_t arg)
{
	uint32_t w[6], i, sum = 0;

	if (file->private_data != &opens)
		return -ENODEV;
	switch (cmd) {
	case 1: /* six words in, their checksum6 and sum out */
		if (copy_from_user(w, (const void *)arg, sizeof(w)))
			return -EFAULT;
		for (i = 0; i < 6; i++)
			sum += w[i];
		w[0] = ukcf_checksum6(w[0], w[1], w[2], w[3], w[4], w[5]);
		w[1] = sum;
		if (copy_to_user((void *)arg, w, 2 * sizeof(uint32_t)))
			return -EFAULT;
		return (int32_t)(sum & 0xffff);
	case 2: /* a bad user pointer: copy_from_user reports it */
		return copy_from_user(w, (const void *)arg, sizeof(w)) ? -EFAULT : 0;
	case 3: /* arguments as the shell passed them */
		return (int32_t)((arg ^ (cmd << 24)) + deepest);
	default:
		return -ENOTTY;
	}
}

int32_t gfx_init(void)
{
	int32_t err = register_gfx_driver(&ops1);

	printk("crossings: init registered %d, deepest %d\n", err, deepest);
	printk("crossings: second registration %d\n", register_gfx_driver(&ops1), 0);
	return err;
}
