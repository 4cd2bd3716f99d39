/*
 * Test driver for UKCF's kernel-space translator: a jump the jump monitor must refuse.
 * ioctl 1 calls the address the user passes (a wild pointer, a kernel function that is not
 * exported, the driver's own data); ioctl 2 answers 7.  After a refusal the kernel goes on
 * and the driver's callbacks return -EFAULT.
 */
#include "kernel_api.h"

int32_t gfx_init(void);

static uint32_t scratch[4] = { 0xc3c3c3c3u, 0, 0, 0 }; /* ret ret ret ret, but data */

static int32_t probe(void)
{
	return 0;
}

static int32_t open_file(struct gfx_file *file)
{
	file->private_data = scratch;
	return 0;
}

static int32_t wild_ioctl(struct gfx_file *file, uint32_t cmd, uint32_t arg)
{
	int32_t (*target)(void);

	(void)file;
	switch (cmd) {
	case 1:
		target = (int32_t (*)(void))(arg ? arg : (uint32_t)scratch);
		return target() + 1;
	case 2:
		return 7;
	default:
		return -ENOTTY;
	}
}

static const struct gfx_ops ops = { probe, open_file, wild_ioctl, 0 };

int32_t gfx_init(void)
{
	return register_gfx_driver(&ops);
}
