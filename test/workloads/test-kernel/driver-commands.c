/*
 * Drives the committed graphics driver object, linked with test-kernel.c, on a
 * real CPU (i386 natively, mipsel under qemu-mipsel): runs commands read from
 * standard input, one per line, printing one result line each:
 *
 *   init                           gfx_init() (registers, which probes)
 *   open | release                 the driver's open/release on the one file
 *   info                           GET_INFO   -> "info RC <12 fields>"
 *   mode W H FMT RESERVED          SET_MODE   -> "mode RC"
 *   blit SRCOFF W H PITCH FMT X Y FLAGS SEED
 *                                  fill user memory at SRCOFF .. SRCOFF+min(H*PITCH, 1 MiB)
 *                                  with xorshift32(SEED) bytes (the part inside user memory
 *                                  and not below offset 64, where requests live),
 *                                  then BLIT from there -> "blit RC"
 *   fill X Y W H COLOR RESERVED    FILL       -> "fill RC"
 *   flip FLAGS                     FLIP       -> "flip RC FRAME"
 *   vsync                          WAIT_VSYNC -> "vsync RC FRAME"
 *   ioctl CMD ARGOFF               raw ioctl with arg = user base + ARGOFF -> "ioctl RC"
 *   sleep MS                       advance time -> "sleep TIME"
 *   stall 0|1                      stop/restart the vsync clock -> "stall N"
 *   dump PATH                      write VRAM to PATH -> "dump SCANOUT PENDING FRAME"
 *
 * Numbers are decimal, optionally negative (taken modulo 2^32).  Request structures
 * live at user offset 0.  A user range outside the user memory array fails
 * copy_*_user.
 */
#include "test-kernel.h"

#define USER_SIZE (1u << 20)

static uint8_t user_mem[USER_SIZE] __attribute__((aligned(16)));
static struct gfx_file file;

static uint32_t xorshift32(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static int parse_word(char **p, uint32_t *out)
{
	uint32_t v = 0;
	int neg = 0, digits = 0;

	while (**p == ' ')
		(*p)++;
	if (**p == '-') {
		neg = 1;
		(*p)++;
	}
	for (; **p >= '0' && **p <= '9'; (*p)++, digits++)
		v = v * 10 + (uint32_t)(**p - '0');
	*out = neg ? 0u - v : v;
	return digits ? 0 : -1;
}

static void put_rc(const char *name, int32_t rc)
{
	out_str(&out_stdout, name);
	out_char(&out_stdout, ' ');
	out_i32(&out_stdout, rc);
}

static int32_t do_ioctl(uint32_t cmd, uint32_t arg_off)
{
	if (!ops)
		return -ENODEV;
	return ops->ioctl(&file, cmd, (uint32_t)user_mem + arg_off);
}

static void store_words(const uint32_t *w, uint32_t n)
{
	memcpy(user_mem, w, n * 4);
}

static void run(char *line)
{
	char *p = line, *name = line;
	uint32_t a[9] = { 0 };
	uint32_t n = 0, i;
	int32_t rc;

	while (*p && *p != ' ')
		p++;
	if (*p)
		*p++ = 0;
	if (strcmp(name, "dump") == 0) {
		int32_t fd;
		while (*p == ' ')
			p++;
		fd = sys_open(p, K_OPEN_CREATE);
		if (fd < 0 || write_all(fd, vram, VRAM_SIZE) < 0)
			out_str(&out_stdout, "dump-failed");
		else {
			sys_close(fd);
			out_str(&out_stdout, "dump ");
			out_u32(&out_stdout, dev.scanout);
			out_char(&out_stdout, ' ');
			out_u32(&out_stdout, dev.flip_pending);
			out_char(&out_stdout, ' ');
			out_u32(&out_stdout, dev.frame);
		}
		out_char(&out_stdout, '\n');
		return;
	}
	while (n < 9 && parse_word(&p, &a[n]) == 0)
		n++;
	if (strcmp(name, "init") == 0) {
		put_rc("init", gfx_init());
	} else if (strcmp(name, "open") == 0) {
		put_rc("open", ops ? ops->open(&file) : -ENODEV);
	} else if (strcmp(name, "release") == 0) {
		put_rc("release", ops ? ops->release(&file) : -ENODEV);
	} else if (strcmp(name, "info") == 0) {
		memset(user_mem, 0xEE, sizeof(struct gfx_info));
		put_rc("info", do_ioctl(GFX_IOC_GET_INFO, 0));
		for (i = 0; i < sizeof(struct gfx_info) / 4; i++) {
			uint32_t w;
			memcpy(&w, user_mem + 4 * i, 4);
			out_char(&out_stdout, ' ');
			out_u32(&out_stdout, w);
		}
	} else if (strcmp(name, "mode") == 0) {
		store_words(a, 4);
		put_rc("mode", do_ioctl(GFX_IOC_SET_MODE, 0));
	} else if (strcmp(name, "blit") == 0) {
		uint32_t x = a[8] ? a[8] : 1, start = a[0], len = a[2] * a[3], k;
		if (len > USER_SIZE)
			len = USER_SIZE;
		for (k = 0; k < len; k++) {
			uint32_t off = start + k;
			uint8_t byte = (uint8_t)xorshift32(&x);
			if (off >= 64 && off < USER_SIZE)
				user_mem[off] = byte;
		}
		a[0] = (uint32_t)user_mem + start;
		store_words(a, 8);
		put_rc("blit", do_ioctl(GFX_IOC_BLIT, 0));
	} else if (strcmp(name, "fill") == 0) {
		store_words(a, 6);
		put_rc("fill", do_ioctl(GFX_IOC_FILL, 0));
	} else if (strcmp(name, "flip") == 0) {
		uint32_t w[2] = { a[0], 0xDEAD };
		store_words(w, 2);
		put_rc("flip", rc = do_ioctl(GFX_IOC_FLIP, 0));
		memcpy(&w[1], user_mem + 4, 4);
		out_char(&out_stdout, ' ');
		out_u32(&out_stdout, w[1]);
	} else if (strcmp(name, "vsync") == 0) {
		uint32_t w = 0xDEAD;
		store_words(&w, 1);
		put_rc("vsync", do_ioctl(GFX_IOC_WAIT_VSYNC, 0));
		memcpy(&w, user_mem, 4);
		out_char(&out_stdout, ' ');
		out_u32(&out_stdout, w);
	} else if (strcmp(name, "ioctl") == 0) {
		put_rc("ioctl", do_ioctl(a[0], a[1]));
	} else if (strcmp(name, "sleep") == 0) {
		msleep(a[0]);
		out_str(&out_stdout, "sleep ");
		out_u32(&out_stdout, now_ms);
	} else if (strcmp(name, "stall") == 0) {
		stalled = a[0] != 0;
		out_str(&out_stdout, "stall ");
		out_u32(&out_stdout, (uint32_t)stalled);
	} else {
		out_str(&out_stdout, "unknown-command ");
		out_str(&out_stdout, name);
	}
	out_char(&out_stdout, '\n');
}

int main(int argc, char **argv)
{
	uint32_t cap = 4u << 20, len = 0;
	char *input = alloc_bytes(cap), *line;
	int32_t r;

	(void)argc;
	(void)argv;
	user_base = (uint32_t)user_mem;
	user_size = USER_SIZE;
	if (!input)
		return 2;
	while (len < cap - 1 && (r = sys_read(0, input + len, cap - 1 - len)) > 0)
		len += (uint32_t)r;
	input[len] = 0;
	for (line = input; *line;) {
		char *end = line;
		while (*end && *end != '\n')
			end++;
		if (*end)
			*end++ = 0;
		if (*line)
			run(line);
		line = end;
	}
	out_flush(&out_stdout);
	return 0;
}
