/*
 * A driver exercising the registration API and kmalloc: registers twice (the second
 * time must be -EBUSY), checks kmalloc's contract and reports on the console.
 */
#include "kernel_api.h"

int32_t gfx_init(void);
static int32_t probes;

static int32_t probe(void)
{
	probes++;
	return 0;
}

static int32_t my_ioctl(struct gfx_file *file, uint32_t cmd, uint32_t arg)
{
	(void)file;
	return (int32_t)(cmd ^ arg) & 0x7fff;
}

static const struct gfx_ops ops = { probe, 0, my_ioctl, 0 };

int32_t gfx_init(void)
{
	uint8_t *a, *b, *c;
	int32_t r1, r2;

	r1 = register_gfx_driver(&ops);
	r2 = register_gfx_driver(&ops);
	printk("probe_driver: register %d then %d\n", r1, r2);
	printk("probe_driver: probes %d\n", probes, 0);
	a = kmalloc(3, GFP_KERNEL);
	b = kmalloc(100, GFP_KERNEL);
	printk("probe_driver: aligned %d %d\n", ((uint32_t)a & 7) == 0, ((uint32_t)b & 7) == 0);
	printk("probe_driver: distinct %d\n", a + 3 <= b || b + 100 <= a, 0);
	kfree(a);
	c = kmalloc(3, GFP_KERNEL);
	printk("probe_driver: reused %d\n", c == a, 0);
	printk("probe_driver: zero %d huge %d\n", kmalloc(0, GFP_KERNEL) == 0, kmalloc(0x40000000u, GFP_KERNEL) == 0);
	kfree(0);
	kfree(b);
	kfree(c);
	printk("probe_driver: %s %c%%\n", (int32_t)"printk", 'x');
	printk("probe_driver: %u %x %08x\n", -1, 0xabc);
	return 0;
}
