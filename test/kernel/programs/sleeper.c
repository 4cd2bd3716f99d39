/* Sleeps for 100000 simulated seconds, then exits 0: the machine's simulated-time limit must stop it. */
#include <stdint.h>

void __start_c(void)
{
	static const uint32_t req[2] = { 100000, 0 };
	register uint32_t v0 __asm__("$2") = 4166;
	register uint32_t a0 __asm__("$4") = (uint32_t)req;
	register uint32_t a1 __asm__("$5") = 0;
	__asm__ volatile("syscall" : "+r"(v0) : "r"(a0), "r"(a1) : "$3", "$7", "memory");
	v0 = 4001;
	a0 = 0;
	__asm__ volatile("syscall" : "+r"(v0) : "r"(a0) : "$3", "$7", "memory");
	for (;;)
		;
}

__asm__(".text\n\t.globl __start\n__start:\n\taddiu $sp, $sp, -32\n\tjal __start_c\n\tnop\n");
