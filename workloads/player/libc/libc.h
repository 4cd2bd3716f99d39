/* The player's tiny C library: memory, strings, buffered output, a brk allocator. */
#ifndef PLAYER_LIBC_LIBC_H
#define PLAYER_LIBC_LIBC_H

#include <stdint.h>
#include "syscall.h"

void *memcpy(void *dst, const void *src, uint32_t n);
void *memset(void *dst, int c, uint32_t n);
int memcmp(const void *a, const void *b, uint32_t n);
uint32_t strlen(const char *s);
int strcmp(const char *a, const char *b);

/* Whole-buffer write; returns 0 or a negative errno. */
int32_t write_all(int32_t fd, const void *buf, uint32_t n);

/* 64-by-32-bit unsigned division (keeps libgcc out); *rem may be NULL.  d != 0. */
uint64_t udiv64(uint64_t n, uint32_t d, uint32_t *rem);

/* Buffered text output to a file descriptor. */
struct text_out {
	int32_t fd;
	uint32_t used;
	char buf[1024];
};
extern struct text_out out_stdout, out_stderr;
void out_str(struct text_out *o, const char *s);
void out_char(struct text_out *o, char c);
void out_u32(struct text_out *o, uint32_t v);
void out_i32(struct text_out *o, int32_t v);
void out_hex32(struct text_out *o, uint32_t v);   /* always 8 digits */
void out_u64(struct text_out *o, uint64_t v);
void out_flush(struct text_out *o);

/* Bump allocator over brk; memory is never returned.  NULL when the kernel refuses. */
void *alloc_bytes(uint32_t n);

#endif
