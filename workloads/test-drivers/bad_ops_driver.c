/*
 * Test driver for UKCF's kernel-space translator: an ops table whose probe points at the
 * driver's data, not its code.  The kernel asks the translator for a shell of each callback;
 * there is none for a data address, so the registration fails with -EFAULT before anything
 * of the driver is called through it.
 */
#include "kernel_api.h"

int32_t gfx_init(void);

static uint32_t not_code[4] = { 0xc3c3c3c3u, 0, 0, 0 };

static int32_t ioctl_fn(struct gfx_file *file, uint32_t cmd, uint32_t arg)
{
	(void)file;
	return (int32_t)(cmd + arg);
}

static struct gfx_ops ops = { 0, 0, ioctl_fn, 0 };

int32_t gfx_init(void)
{
	int32_t err;

	ops.probe = (int32_t (*)(void))(uint32_t)not_code;
	err = register_gfx_driver(&ops);
	printk("bad_ops: registration %d\n", err, 0);
	return err;
}
