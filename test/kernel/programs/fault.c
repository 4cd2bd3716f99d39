/* Writes a message, then stores to an address outside its memory: the kernel must kill it (exit 139). */
#include <stdint.h>

void __start_c(void)
{
	register uint32_t v0 __asm__("$2") = 4004;
	register uint32_t a0 __asm__("$4") = 1;
	register uint32_t a1 __asm__("$5") = (uint32_t)"about to fault\n";
	register uint32_t a2 __asm__("$6") = 15;
	__asm__ volatile("syscall" : "+r"(v0) : "r"(a0), "r"(a1), "r"(a2) : "$3", "$7", "memory");
	*(volatile uint32_t *)0x7ff00010u = 1;
	for (;;)
		;
}

__asm__(".text\n\t.globl __start\n__start:\n\taddiu $sp, $sp, -32\n\tjal __start_c\n\tnop\n");
