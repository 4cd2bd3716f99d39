/*
 * player: the mplayer stand-in.  Reads a YUV4MPEG2 4:2:0 file, converts each
 * frame to RGB in user space (convert.c gives the exact arithmetic), optionally
 * scales it, and shows it through the /dev/gfx driver (gfx.h), paced to the
 * stream's frame rate; or writes the converted frames to a file (-o).
 *
 *   player [-f N] [-b] [-w] [-p FORMAT] [-s WxH | -z] [-m WxH] [-M FORMAT] [-o FILE] VIDEO.y4m
 *     -f N       play at most N frames (N >= 1)
 *     -b         benchmark: no pacing, as fast as possible
 *     -w         FLIP waits for vsync
 *     -p FORMAT  pixel format the player produces: xrgb8888 (default) or rgb565
 *     -s WxH     scale frames to WxH (nearest neighbour)
 *     -z         scale frames to the display mode (not with -o)
 *     -m WxH     set the display mode size first (not with -o)
 *     -M FORMAT  set the display mode format first: xrgb8888 or rgb565 (not with -o)
 *     -o FILE    write the converted frames, back to back and unpadded, to FILE
 *                ("-" = standard output) instead of using /dev/gfx; implies -b
 *
 * Output (standard output; standard error when -o -): one line per frame,
 * "frame <n> fnv1a <8 hex digits>", the 32-bit FNV-1a hash of the frame's
 * converted bytes, then a summary line starting with "played".
 *
 * Exit status: 0 success; 1 bad usage; 2 cannot open/read the video; 3 malformed
 * YUV4MPEG2; 4 unsupported stream (chroma other than 4:2:0 8-bit); 5 frame over
 * 1920x1088; 6 /dev/gfx failure; 7 cannot write the output file; 8 out of memory.
 * Every error is one line on standard error starting with "player: ".
 *
 * System calls used: open, read, write, close, ioctl, brk, clock_gettime,
 * nanosleep, exit.
 */
#include "libc/libc.h"
#include "y4m.h"
#include "convert.h"
#include "../include/gfx.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_USAGE = 1,
	EXIT_INPUT = 2,
	EXIT_MALFORMED = 3,
	EXIT_UNSUPPORTED = 4,
	EXIT_TOO_LARGE = 5,
	EXIT_DEVICE = 6,
	EXIT_OUTPUT = 7,
	EXIT_MEMORY = 8,
};

struct options {
	uint32_t max_frames;          /* 0 = all */
	int benchmark, wait_vsync, zoom;
	uint32_t format;
	uint32_t scale_w, scale_h;    /* 0 = no -s */
	uint32_t mode_w, mode_h;      /* 0 = no -m */
	uint32_t mode_format;         /* 0 = no -M */
	const char *output;           /* -o */
	const char *video;
};

static struct text_out *report = &out_stdout;

static __attribute__((noreturn)) void die(enum exit_code code)
{
	out_flush(&out_stdout);
	out_flush(&out_stderr);
	sys_exit(code);
}

static __attribute__((noreturn)) void usage_error(const char *what, const char *arg)
{
	out_str(&out_stderr, "player: ");
	out_str(&out_stderr, what);
	if (arg) {
		out_str(&out_stderr, ": ");
		out_str(&out_stderr, arg);
	}
	out_str(&out_stderr, "\nusage: player [-f N] [-b] [-w] [-p FORMAT] [-s WxH | -z] [-m WxH] [-M FORMAT] [-o FILE] VIDEO.y4m\n");
	die(EXIT_USAGE);
}

static __attribute__((noreturn)) void device_error(const char *what, int32_t err)
{
	out_str(&out_stderr, "player: " GFX_DEVICE_PATH ": ");
	out_str(&out_stderr, what);
	out_str(&out_stderr, " failed (errno ");
	out_i32(&out_stderr, -err);
	out_str(&out_stderr, ")\n");
	die(EXIT_DEVICE);
}

static void *alloc_or_die(uint32_t n)
{
	void *p = alloc_bytes(n);

	if (!p) {
		out_str(&out_stderr, "player: out of memory (wanted ");
		out_u32(&out_stderr, n);
		out_str(&out_stderr, " bytes)\n");
		die(EXIT_MEMORY);
	}
	return p;
}

static int parse_number(const char *s, uint32_t *out)
{
	uint32_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000u)
			return -1;
		v = v * 10 + (uint32_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* "WxH" with 1 <= W, H <= the player's maximum frame size. */
static int parse_size(const char *s, uint32_t *w, uint32_t *h)
{
	char part[12];
	uint32_t i = 0;

	while (s[i] && s[i] != 'x' && i < sizeof(part) - 1) {
		part[i] = s[i];
		i++;
	}
	if (s[i] != 'x')
		return -1;
	part[i] = 0;
	if (parse_number(part, w) || parse_number(s + i + 1, h))
		return -1;
	return *w && *h && *w <= Y4M_MAX_WIDTH && *h <= Y4M_MAX_HEIGHT ? 0 : -1;
}

static uint32_t parse_format(const char *s)
{
	if (strcmp(s, "xrgb8888") == 0)
		return GFX_FMT_XRGB8888;
	if (strcmp(s, "rgb565") == 0)
		return GFX_FMT_RGB565;
	return 0;
}

static const char *format_name(uint32_t format)
{
	return format == GFX_FMT_RGB565 ? "rgb565" : format == GFX_FMT_XRGB8888 ? "xrgb8888" : "unknown";
}

static void parse_options(int argc, char **argv, struct options *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->format = GFX_FMT_XRGB8888;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : 0;
		if (a[0] != '-' || a[1] == 0) {
			if (o->video)
				usage_error("more than one video given", a);
			o->video = a;
			continue;
		}
		if (a[2] != 0)
			usage_error("unknown option", a);
		switch (a[1]) {
		case 'b':
			o->benchmark = 1;
			continue;
		case 'w':
			o->wait_vsync = 1;
			continue;
		case 'z':
			o->zoom = 1;
			continue;
		case 'f': case 'p': case 's': case 'm': case 'M': case 'o':
			break;
		default:
			usage_error("unknown option", a);
		}
		if (!val)
			usage_error("option needs a value", a);
		i++;
		switch (a[1]) {
		case 'f':
			if (parse_number(val, &o->max_frames) || o->max_frames == 0)
				usage_error("-f wants a frame count >= 1", val);
			break;
		case 'p':
			if (!(o->format = parse_format(val)))
				usage_error("-p wants xrgb8888 or rgb565", val);
			break;
		case 'M':
			if (!(o->mode_format = parse_format(val)))
				usage_error("-M wants xrgb8888 or rgb565", val);
			break;
		case 's':
			if (parse_size(val, &o->scale_w, &o->scale_h))
				usage_error("-s wants WxH within 1920x1088", val);
			break;
		case 'm':
			if (parse_size(val, &o->mode_w, &o->mode_h))
				usage_error("-m wants WxH within 1920x1088", val);
			break;
		default:
			o->output = val;
			break;
		}
	}
	if (!o->video)
		usage_error("no video file given", 0);
	if (o->zoom && o->scale_w)
		usage_error("-s and -z exclude each other", 0);
	if (o->output && (o->zoom || o->mode_w || o->mode_format || o->wait_vsync))
		usage_error("-z, -m, -M and -w need the display, not -o", 0);
	if (o->output)
		o->benchmark = 1;
}

static __attribute__((noreturn)) void video_error(const char *path, struct y4m_stream *s, enum y4m_status st)
{
	out_str(&out_stderr, "player: ");
	out_str(&out_stderr, path);
	out_str(&out_stderr, ": byte ");
	out_u64(&out_stderr, s->error_offset);
	out_str(&out_stderr, ": ");
	out_str(&out_stderr, s->error);
	if (st == Y4M_IO_ERROR) {
		out_str(&out_stderr, " (errno ");
		out_i32(&out_stderr, s->io_errno);
		out_char(&out_stderr, ')');
	}
	if (st == Y4M_UNSUPPORTED) {
		out_str(&out_stderr, ": C");
		out_str(&out_stderr, s->chroma);
	}
	if (st == Y4M_TOO_LARGE) {
		out_str(&out_stderr, ": ");
		out_u32(&out_stderr, s->width);
		out_char(&out_stderr, 'x');
		out_u32(&out_stderr, s->height);
	}
	if (st == Y4M_MALFORMED && s->frames_read) {
		out_str(&out_stderr, " (after frame ");
		out_u32(&out_stderr, s->frames_read - 1);
		out_char(&out_stderr, ')');
	}
	out_char(&out_stderr, '\n');
	die(st == Y4M_IO_ERROR ? EXIT_INPUT : st == Y4M_UNSUPPORTED ? EXIT_UNSUPPORTED :
	    st == Y4M_TOO_LARGE ? EXIT_TOO_LARGE : EXIT_MALFORMED);
}

static uint32_t fnv1a(const uint8_t *p, uint32_t n)
{
	uint32_t h = 0x811C9DC5u;

	while (n--)
		h = (h ^ *p++) * 0x01000193u;
	return h;
}

static uint64_t now_ns(void)
{
	struct k_timespec ts;

	if (sys_clock_gettime(K_CLOCK_MONOTONIC, &ts) < 0)
		return 0;
	return (uint64_t)(uint32_t)ts.tv_sec * 1000000000u + (uint32_t)ts.tv_nsec;
}

static void sleep_until(uint64_t deadline)
{
	for (;;) {
		uint64_t now = now_ns(), left;
		struct k_timespec ts;
		uint32_t ns;
		if (now >= deadline)
			return;
		left = deadline - now;
		ts.tv_sec = (int32_t)udiv64(left, 1000000000u, &ns);
		ts.tv_nsec = (int32_t)ns;
		if (sys_nanosleep(&ts, 0) < 0 && now_ns() < deadline)
			continue;
	}
}

struct display {
	int32_t fd;
	struct gfx_info info;
};

static void display_ioctl(struct display *d, uint32_t request, void *arg, const char *what)
{
	int32_t r = sys_ioctl(d->fd, request, (uint32_t)arg);

	if (r < 0)
		device_error(what, r);
}

static void display_open(struct display *d, const struct options *o)
{
	uint32_t i;

	d->fd = sys_open(GFX_DEVICE_PATH, K_OPEN_RDWR);
	if (d->fd < 0)
		device_error("open", d->fd);
	display_ioctl(d, GFX_IOC_GET_INFO, &d->info, "GET_INFO");
	if (o->mode_w || o->mode_format) {
		struct gfx_mode m;
		m.width = o->mode_w ? o->mode_w : d->info.width;
		m.height = o->mode_h ? o->mode_h : d->info.height;
		m.format = o->mode_format ? o->mode_format : d->info.format;
		m.reserved = 0;
		display_ioctl(d, GFX_IOC_SET_MODE, &m, "SET_MODE");
		display_ioctl(d, GFX_IOC_GET_INFO, &d->info, "GET_INFO");
	}
	/* Black borders in every buffer. */
	for (i = 0; i < d->info.num_buffers; i++) {
		struct gfx_fill f = { 0, 0, d->info.width, d->info.height, 0, 0 };
		struct gfx_flip fl = { 0, 0 };
		display_ioctl(d, GFX_IOC_FILL, &f, "FILL");
		display_ioctl(d, GFX_IOC_FLIP, &fl, "FLIP");
	}
}

int main(int argc, char **argv)
{
	struct options o;
	struct display disp;
	static struct y4m_stream stream;
	struct convert_job job;
	enum y4m_status st;
	uint8_t *planes;
	uint32_t out_w, out_h, bpp, frame_bytes, n = 0, late = 0, all_hash = 0x811C9DC5u;
	int32_t in_fd, out_fd = -1, r;
	uint64_t t0, frame_ns, elapsed;

	parse_options(argc, argv, &o);
	if (o.output && strcmp(o.output, "-") == 0)
		report = &out_stderr;
	in_fd = sys_open(o.video, K_OPEN_READ);
	if (in_fd < 0) {
		out_str(&out_stderr, "player: cannot open ");
		out_str(&out_stderr, o.video);
		out_str(&out_stderr, " (errno ");
		out_i32(&out_stderr, -in_fd);
		out_str(&out_stderr, ")\n");
		die(EXIT_INPUT);
	}
	st = y4m_open(&stream, in_fd);
	if (st != Y4M_OK)
		video_error(o.video, &stream, st);

	out_w = stream.width;
	out_h = stream.height;
	if (o.scale_w) {
		out_w = o.scale_w;
		out_h = o.scale_h;
	}
	if (o.output) {
		out_fd = strcmp(o.output, "-") == 0 ? 1 : sys_open(o.output, K_OPEN_CREATE);
		if (out_fd < 0) {
			out_str(&out_stderr, "player: cannot create ");
			out_str(&out_stderr, o.output);
			out_str(&out_stderr, " (errno ");
			out_i32(&out_stderr, -out_fd);
			out_str(&out_stderr, ")\n");
			die(EXIT_OUTPUT);
		}
	} else {
		display_open(&disp, &o);
		if (o.zoom) {
			out_w = disp.info.width;
			out_h = disp.info.height;
		}
	}
	bpp = convert_bytes_per_pixel(o.format);
	frame_bytes = out_w * out_h * bpp;
	planes = alloc_or_die(stream.frame_size);
	job.src_width = stream.width;
	job.src_height = stream.height;
	job.y = planes;
	job.u = planes + stream.width * stream.height;
	job.v = job.u + ((stream.width + 1) / 2) * ((stream.height + 1) / 2);
	job.dst = alloc_or_die(frame_bytes);
	job.dst_width = out_w;
	job.dst_height = out_h;
	job.format = o.format;
	job.col_map = alloc_or_die(out_w * 4);

	out_str(report, "video ");
	out_str(report, o.video);
	out_str(report, ": ");
	out_u32(report, stream.width);
	out_char(report, 'x');
	out_u32(report, stream.height);
	out_str(report, " C");
	out_str(report, stream.chroma);
	out_str(report, " F");
	out_u32(report, stream.rate_num);
	out_char(report, ':');
	out_u32(report, stream.rate_den);
	out_str(report, " I");
	out_char(report, stream.interlace);
	out_str(report, "\noutput: ");
	out_u32(report, out_w);
	out_char(report, 'x');
	out_u32(report, out_h);
	out_char(report, ' ');
	out_str(report, format_name(o.format));
	if (o.output) {
		out_str(report, " to ");
		out_str(report, o.output);
	} else {
		out_str(report, " to display ");
		out_u32(report, disp.info.width);
		out_char(report, 'x');
		out_u32(report, disp.info.height);
		out_char(report, ' ');
		out_str(report, format_name(disp.info.format));
		out_str(report, " pitch ");
		out_u32(report, disp.info.pitch);
		out_str(report, " buffers ");
		out_u32(report, disp.info.num_buffers);
	}
	out_char(report, '\n');

	/* Frame i is due at t0 + i * frame_ns; frame_ns = floor(1e9 * F_den / F_num), at most 10 s. */
	frame_ns = udiv64((uint64_t)stream.rate_den * 1000000000u, stream.rate_num, 0);
	if (frame_ns > 10000000000ull)
		frame_ns = 10000000000ull;
	t0 = now_ns();
	while (!o.max_frames || n < o.max_frames) {
		uint32_t h;
		st = y4m_read_frame(&stream, planes);
		if (st == Y4M_END)
			break;
		if (st != Y4M_OK)
			video_error(o.video, &stream, st);
		convert_frame(&job);
		h = fnv1a(job.dst, frame_bytes);
		if (o.output) {
			r = write_all(out_fd, job.dst, frame_bytes);
			if (r < 0) {
				out_str(&out_stderr, "player: cannot write ");
				out_str(&out_stderr, o.output);
				out_str(&out_stderr, " (errno ");
				out_i32(&out_stderr, -r);
				out_str(&out_stderr, ")\n");
				die(EXIT_OUTPUT);
			}
		} else {
			struct gfx_blit b;
			struct gfx_flip fl;
			b.src = (uint32_t)job.dst;
			b.width = out_w;
			b.height = out_h;
			b.pitch = out_w * bpp;
			b.format = o.format;
			b.dst_x = ((int32_t)disp.info.width - (int32_t)out_w) / 2;
			b.dst_y = ((int32_t)disp.info.height - (int32_t)out_h) / 2;
			b.flags = 0;
			display_ioctl(&disp, GFX_IOC_BLIT, &b, "BLIT");
			fl.flags = o.wait_vsync ? GFX_FLIP_WAIT_VSYNC : 0;
			fl.frame_count = 0;
			display_ioctl(&disp, GFX_IOC_FLIP, &fl, "FLIP");
		}
		out_str(report, "frame ");
		out_u32(report, n);
		out_str(report, " fnv1a ");
		out_hex32(report, h);
		out_char(report, '\n');
		all_hash = (all_hash ^ h) * 0x01000193u;
		n++;
		if (!o.benchmark) {
			uint64_t due = t0 + frame_ns * n;
			if (now_ns() > due)
				late++;
			else
				sleep_until(due);
		}
	}
	elapsed = now_ns() - t0;
	if (out_fd > 1)
		sys_close(out_fd);
	if (!o.output)
		sys_close(disp.fd);
	sys_close(in_fd);

	out_str(report, "played ");
	out_u32(report, n);
	out_str(report, " frames ");
	out_u32(report, out_w);
	out_char(report, 'x');
	out_u32(report, out_h);
	out_char(report, ' ');
	out_str(report, format_name(o.format));
	out_str(report, " bytes ");
	out_u64(report, (uint64_t)n * frame_bytes);
	out_str(report, " fnv1a-of-frames ");
	out_hex32(report, all_hash);
	out_str(report, " late ");
	out_u32(report, late);
	out_str(report, " elapsed_us ");
	out_u64(report, udiv64(elapsed, 1000u, 0));
	out_char(report, '\n');
	die(EXIT_OK);
}
