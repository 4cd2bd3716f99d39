/* A driver whose init dereferences NULL: a kernel-mode fault, which the kernel reports as a panic. */
#include <stdint.h>

int32_t gfx_init(void)
{
	return *(volatile int32_t *)0;
}
