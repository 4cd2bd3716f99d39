/*
 * Test driver for UKCF's kernel-space translator: runaway re-entry.  Its probe registers
 * the driver again, whose probe the kernel calls before the registration returns, and so on
 * without end (natively this would overflow the kernel stack).  The translator refuses the
 * shell entry once its context stack is full; the refusal unwinds level by level.
 */
#include "kernel_api.h"

int32_t gfx_init(void);

static int32_t level;
static int32_t deepest;

static int32_t probe(void);
static int32_t deep_ioctl(struct gfx_file *file, uint32_t cmd, uint32_t arg)
{
	(void)file;
	(void)cmd;
	(void)arg;
	return deepest;
}

static const struct gfx_ops ops = { probe, 0, deep_ioctl, 0 };

static int32_t probe(void)
{
	int32_t err;

	level++;
	if (level > deepest)
		deepest = level;
	err = register_gfx_driver(&ops);
	level--;
	return err;
}

int32_t gfx_init(void)
{
	int32_t err = register_gfx_driver(&ops);

	printk("deep: registration %d, deepest probe %d\n", err, deepest);
	return err;
}
