/*
 * Test driver for UKCF's kernel-space translator: self-modifying code.  smc_value is
 * `mov $imm32, %eax; ret`; the driver calls it (so it gets translated), rewrites the
 * immediate, and calls it again: the second call must see the new code.  ioctl 1 calls
 * it, ioctl 2 stores `arg` as the new immediate.  smc_same_block rewrites the immediate of
 * the instruction right after the store, in the same basic block: x86 runs the new one.
 */
#include "kernel_api.h"

int32_t gfx_init(void);
int32_t smc_value(void);
int32_t smc_same_block(void);
uint32_t smc_counter;

__asm__(".text\n\t.globl smc_value\n\t.type smc_value, @function\n"
	"smc_value:\n\tmovl $0x11111111, %eax\n\tret\n\t.size smc_value, .-smc_value\n"
	"\t.globl smc_same_block\n\t.type smc_same_block, @function\n"
	"smc_same_block:\n\tmovl smc_counter, %ecx\n\taddl $1, %ecx\n\tmovl %ecx, smc_counter\n"
	"\tmovl %ecx, 1f+1\n1:\tmovl $0, %eax\n\tret\n\t.size smc_same_block, .-smc_same_block\n");

static void set_value(uint32_t v)
{
	volatile uint8_t *imm = (volatile uint8_t *)smc_value + 1;
	imm[0] = v;
	imm[1] = v >> 8;
	imm[2] = v >> 16;
	imm[3] = v >> 24;
}

static int32_t probe(void)
{
	return 0;
}

static int32_t open_file(struct gfx_file *file)
{
	(void)file;
	return 0;
}

static int32_t smc_ioctl(struct gfx_file *file, uint32_t cmd, uint32_t arg)
{
	(void)file;
	switch (cmd) {
	case 1:
		return smc_value();
	case 2:
		set_value(arg);
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct gfx_ops ops = { probe, open_file, smc_ioctl, 0 };

int32_t gfx_init(void)
{
	int32_t before = smc_value(), after;

	set_value(0x22222222u);
	after = smc_value();
	printk("smc: before %08x after %08x\n", before, after);
	/* A loop whose body changes under it: the sum sees every new immediate. */
	{
		uint32_t i, sum = 0;
		for (i = 0; i < 4; i++) {
			set_value(i * 0x100u);
			sum += (uint32_t)smc_value();
		}
		printk("smc: loop sum %08x\n", (int32_t)sum, 0);
	}
	{
		int32_t first = smc_same_block(), second = smc_same_block();
		printk("smc: same block %d then %d\n", first, second);
	}
	return register_gfx_driver(&ops);
}
