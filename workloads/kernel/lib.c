/* Strings, memory, the console and printk. */
#include "kernel.h"

void *memcpy(void *dst, const void *src, uint32_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if ((((uintptr_t)d | (uintptr_t)s | n) & 3) == 0) {
		uint32_t *dw = dst;
		const uint32_t *sw = src;
		for (n >>= 2; n; n--)
			*dw++ = *sw++;
		return dst;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int32_t byte, uint32_t n)
{
	uint8_t *d = dst;

	if ((((uintptr_t)d | n) & 3) == 0) {
		uint32_t v = (uint8_t)byte * 0x01010101u;
		uint32_t *dw = dst;
		for (n >>= 2; n; n--)
			*dw++ = v;
		return dst;
	}
	while (n--)
		*d++ = (uint8_t)byte;
	return dst;
}

uint32_t strlen(const char *s)
{
	uint32_t n = 0;
	while (s[n])
		n++;
	return n;
}

int32_t strncmp(const char *a, const char *b, uint32_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (uint8_t)*a - (uint8_t)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

int32_t strcmp(const char *a, const char *b)
{
	return strncmp(a, b, 0xffffffffu);
}

void console_putc(char c)
{
	volatile uint32_t *data = phys_to_kseg1(boot_info->console_phys);
	*data = (uint8_t)c;
}

void console_write(const char *s, uint32_t n)
{
	while (n--)
		console_putc(*s++);
}

static int32_t put_number(uint32_t v, uint32_t base, int32_t negative, uint32_t width)
{
	char buf[12];
	uint32_t n = 0, count = 0;

	do {
		uint32_t digit = v % base;
		buf[n++] = (char)(digit < 10 ? '0' + digit : 'a' + digit - 10);
		v /= base;
	} while (v);
	while (n < width)
		buf[n++] = '0';
	if (negative) {
		console_putc('-');
		count++;
	}
	while (n) {
		console_putc(buf[--n]);
		count++;
	}
	return (int32_t)count;
}

int32_t printk(const char *fmt, int32_t a, int32_t b)
{
	int32_t args[2] = { a, b };
	uint32_t next = 0;
	int32_t count = 0;

	for (; *fmt; fmt++) {
		int32_t v;
		if (*fmt != '%') {
			console_putc(*fmt);
			count++;
			continue;
		}
		fmt++;
		if (*fmt == '%') {
			console_putc('%');
			count++;
			continue;
		}
		v = next < 2 ? args[next] : 0;
		next++;
		if (fmt[0] == '0' && fmt[1] == '8' && fmt[2] == 'x') {
			fmt += 2;
			count += put_number((uint32_t)v, 16, 0, 8);
		} else if (*fmt == 'd') {
			count += put_number(v < 0 ? 0u - (uint32_t)v : (uint32_t)v, 10, v < 0, 0);
		} else if (*fmt == 'u') {
			count += put_number((uint32_t)v, 10, 0, 0);
		} else if (*fmt == 'x') {
			count += put_number((uint32_t)v, 16, 0, 0);
		} else if (*fmt == 'c') {
			console_putc((char)v);
			count++;
		} else if (*fmt == 's') {
			const char *s = v ? (const char *)(uintptr_t)v : "(null)";
			uint32_t n = strlen(s);
			console_write(s, n);
			count += (int32_t)n;
		} else {
			/* Unknown conversion: print it as written. */
			console_putc('%');
			count++;
			if (!*fmt)
				break;
			console_putc(*fmt);
			count++;
		}
	}
	return count;
}

void panic(const char *fmt, int32_t a, int32_t b)
{
	printk("kernel panic: ", 0, 0);
	printk(fmt, a, b);
	printk("\n", 0, 0);
	machine_shutdown(255, 1);
}
