/* Buffered text output and whole-buffer writes. */
#include "libc.h"

struct text_out out_stdout = { 1, 0, { 0 } };
struct text_out out_stderr = { 2, 0, { 0 } };

int32_t write_all(int32_t fd, const void *buf, uint32_t n)
{
	const uint8_t *p = buf;

	while (n) {
		int32_t r = sys_write(fd, p, n);
		if (r == -K_EINTR)
			continue;
		if (r < 0)
			return r;
		if (r == 0)
			return -5; /* EIO: no progress */
		p += r;
		n -= (uint32_t)r;
	}
	return 0;
}

void out_flush(struct text_out *o)
{
	if (o->used)
		write_all(o->fd, o->buf, o->used);
	o->used = 0;
}

void out_char(struct text_out *o, char c)
{
	if (o->used == sizeof(o->buf))
		out_flush(o);
	o->buf[o->used++] = c;
}

void out_str(struct text_out *o, const char *s)
{
	while (*s)
		out_char(o, *s++);
}

void out_u64(struct text_out *o, uint64_t v)
{
	char digits[20];
	int n = 0;

	do {
		uint32_t digit;
		v = udiv64(v, 10, &digit);
		digits[n++] = (char)('0' + digit);
	} while (v);
	while (n)
		out_char(o, digits[--n]);
}

void out_u32(struct text_out *o, uint32_t v)
{
	out_u64(o, v);
}

void out_i32(struct text_out *o, int32_t v)
{
	if (v < 0) {
		out_char(o, '-');
		out_u64(o, (uint32_t)0 - (uint32_t)v);
	} else {
		out_u64(o, (uint32_t)v);
	}
}

void out_hex32(struct text_out *o, uint32_t v)
{
	int shift;

	for (shift = 28; shift >= 0; shift -= 4)
		out_char(o, "0123456789abcdef"[(v >> shift) & 0xF]);
}
