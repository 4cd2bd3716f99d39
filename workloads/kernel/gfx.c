/* The graphics-driver API: registration, the /dev/gfx file glue and device access. */
#include "kernel.h"

static const struct gfx_ops *gfx_ops;

int32_t register_gfx_driver(const struct gfx_ops *ops)
{
	int32_t err;

	if (gfx_ops)
		return -EBUSY;
	if (!ops || !ops->probe || !ops->ioctl)
		return -EINVAL;
	err = ops->probe();
	if (err) {
		printk("kernel: gfx driver probe failed: %d\n", err, 0);
		return err;
	}
	gfx_ops = ops;
	printk("kernel: gfx driver registered\n", 0, 0);
	return 0;
}

int32_t gfx_file_open(struct file *f)
{
	int32_t err;

	if (!gfx_ops)
		return -ENODEV;
	f->gfx.f_flags = f->flags;
	f->gfx.private_data = 0;
	if (gfx_ops->open) {
		err = gfx_ops->open(&f->gfx);
		if (err)
			return err < 0 ? err : -EIO;
	}
	return 0;
}

void gfx_file_release(struct file *f)
{
	if (gfx_ops && gfx_ops->release)
		gfx_ops->release(&f->gfx);
}

int32_t gfx_file_ioctl(struct file *f, uint32_t cmd, uint32_t arg)
{
	if (!gfx_ops)
		return -ENODEV;
	return gfx_ops->ioctl(&f->gfx, cmd, arg);
}

void *gfx_device_base(void)
{
	if (!boot_info->gfx_regs_phys)
		return 0;
	return phys_to_kseg1(boot_info->gfx_regs_phys);
}

/* kseg1 reaches the first 512 MiB of physical space uncached: that is all there is. */
void *ioremap(uint32_t phys_addr, uint32_t size)
{
	if (size == 0 || phys_addr >= 0x20000000u || size > 0x20000000u - phys_addr)
		return 0;
	return phys_to_kseg1(phys_addr);
}

uint32_t ioread32(const void *addr)
{
	return *(const volatile uint32_t *)addr;
}

void iowrite32(uint32_t value, void *addr)
{
	*(volatile uint32_t *)addr = value;
}
