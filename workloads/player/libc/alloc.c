/* Bump allocator: grows the program break, hands out 16-byte aligned blocks. */
#include "libc.h"

static uint32_t heap_next, heap_end;

void *alloc_bytes(uint32_t n)
{
	uint32_t start, want;

	if (!heap_end) {
		heap_end = sys_brk(0);
		heap_next = heap_end;
	}
	start = (heap_next + 15u) & ~15u;
	if (n > 0xFFFFFFFFu - start - 4095u)
		return 0;
	if (start + n > heap_end) {
		want = (start + n + 4095u) & ~4095u;
		if (sys_brk(want) < want)
			return 0;
		heap_end = want;
	}
	heap_next = start + n;
	return (void *)start;
}
