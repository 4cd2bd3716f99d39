/*
 * Boot: read the boot-info block, set up the heap and the RAM filesystem, load the
 * driver module, run the init program, power off with its exit status.
 *
 * Command line (boot_info->cmdline): words separated by spaces;
 *   driver=PATH   load this driver module before starting init (optional)
 *   --            the rest is init's argv (argv[0] is the program's path)
 */
#include "kernel.h"

const struct boot_info *boot_info;
extern char __kernel_end[];

#define MAX_ARGS 32

void kernel_main(void)
{
	static char cmdline[1024];
	char *argv[MAX_ARGS + 1];
	const char *driver = 0;
	int argc = 0, in_args = 0;
	uint32_t n;
	char *p;
	int32_t status;

	boot_info = phys_to_kseg0(BOOT_INFO_PHYS);
	if (boot_info->magic != BOOT_INFO_MAGIC || boot_info->version != 1)
		machine_shutdown(254, 1); /* no console address without a boot-info block */
	printk("ukcf kernel: %u KiB RAM, clock %u Hz\n", (int32_t)(boot_info->ram_size >> 10), (int32_t)boot_info->clock_hz);
	kmalloc_init((uint32_t)(uintptr_t)__kernel_end, (uint32_t)(uintptr_t)phys_to_kseg0(boot_info->heap_limit));
	ramfs_init();

	n = strlen(phys_to_kseg0(boot_info->cmdline_phys));
	if (n >= sizeof(cmdline))
		panic("command line longer than %u bytes", (int32_t)sizeof(cmdline) - 1, 0);
	memcpy(cmdline, phys_to_kseg0(boot_info->cmdline_phys), n + 1);
	for (p = cmdline; *p;) {
		char *word;
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		word = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = 0;
		if (in_args) {
			if (argc == MAX_ARGS)
				panic("more than %u init arguments", MAX_ARGS, 0);
			argv[argc++] = word;
		} else if (!strcmp(word, "--")) {
			in_args = 1;
		} else if (!strncmp(word, "driver=", 7)) {
			driver = word + 7;
		} else {
			printk("kernel: unknown boot option %s\n", (int32_t)(uintptr_t)word, 0);
		}
	}
	argv[argc] = 0;
	if (driver)
		module_load(driver);
	if (!argc) {
		printk("kernel: no init program\n", 0, 0);
		machine_shutdown(0, 0);
	}
	status = process_run(argc, argv);
	printk("kernel: %s exited with status %d\n", (int32_t)(uintptr_t)argv[0], status);
	machine_shutdown(status, 0);
}
