/* The kernel heap: first fit over an address-ordered free list, merged on free. */
#include "kernel.h"

struct chunk {
	uint32_t size;           /* bytes including this header, multiple of 8 */
	struct chunk *next;      /* free list only */
};
#define HEADER 8u

static struct chunk *free_list;

void kmalloc_init(uint32_t start, uint32_t end)
{
	start = (start + 7) & ~7u;
	end &= ~7u;
	free_list = (struct chunk *)(uintptr_t)start;
	free_list->size = end - start;
	free_list->next = 0;
}

void *kmalloc(uint32_t size, uint32_t gfp_flags)
{
	struct chunk **link, *c;
	uint32_t need;

	(void)gfp_flags;
	if (size == 0 || size > 0x10000000u)
		return 0;
	need = (size + HEADER + 7) & ~7u;
	for (link = &free_list; (c = *link) != 0; link = &c->next) {
		if (c->size < need)
			continue;
		if (c->size - need >= 32) {
			struct chunk *rest = (struct chunk *)((uint8_t *)c + need);
			rest->size = c->size - need;
			rest->next = c->next;
			*link = rest;
			c->size = need;
		} else {
			*link = c->next;
		}
		return (uint8_t *)c + HEADER;
	}
	return 0;
}

void kfree(const void *ptr)
{
	struct chunk *c, **link, *prev = 0;

	if (!ptr)
		return;
	c = (struct chunk *)((uint8_t *)ptr - HEADER);
	for (link = &free_list; *link && *link < c; link = &(*link)->next)
		prev = *link;
	c->next = *link;
	*link = c;
	if (c->next && (uint8_t *)c + c->size == (uint8_t *)c->next) {
		c->size += c->next->size;
		c->next = c->next->next;
	}
	if (prev && (uint8_t *)prev + prev->size == (uint8_t *)c) {
		prev->size += c->size;
		prev->next = c->next;
	}
}
