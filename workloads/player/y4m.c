/*
 * YUV4MPEG2 parsing.  Stream header: "YUV4MPEG2" then space-separated parameters
 * (W<width> H<height> F<num>:<den> I<p|t|b|m|?> A<num>:<den> C<chroma> X<anything>),
 * ended by '\n'; each frame: "FRAME" [parameters] '\n' then the planes.
 * W and H are required.  Accepted chroma tags: 420jpeg, 420paldv, 420mpeg2, 420
 * (all 8-bit 4:2:0; the differences in chroma siting are ignored).  Unknown
 * parameter letters are ignored, as the format allows.
 */
#include "y4m.h"
#include "libc/libc.h"

static int32_t fill(struct y4m_stream *s)
{
	int32_t r;

	s->offset += s->pos;
	s->pos = 0;
	s->len = 0;
	do
		r = sys_read(s->fd, s->buf, sizeof(s->buf));
	while (r == -K_EINTR);
	if (r < 0) {
		s->io_errno = -r;
		return r;
	}
	s->len = (uint32_t)r;
	return r;
}

static enum y4m_status fail(struct y4m_stream *s, enum y4m_status status, const char *msg, uint64_t at)
{
	s->error = msg;
	s->error_offset = at;
	return status;
}

/*
 * Read one '\n'-terminated line into line[] (NUL-terminated, without the '\n');
 * *got = bytes consumed including the '\n'.  On failure *got = bytes stored in line[].
 */
static enum y4m_status read_line(struct y4m_stream *s, char *line, uint32_t *got, uint64_t *start)
{
	uint32_t n = 0;

	*start = s->offset + s->pos;
	for (;;) {
		char c;
		if (s->pos == s->len) {
			int32_t r = fill(s);
			if (r < 0)
				return fail(s, Y4M_IO_ERROR, "read error", s->offset);
			if (r == 0) {
				*got = n;
				return n ? fail(s, Y4M_MALFORMED, "header line not ended by a newline", *start) : Y4M_END;
			}
		}
		c = (char)s->buf[s->pos++];
		if (c == '\n') {
			line[n] = 0;
			*got = n + 1;
			return Y4M_OK;
		}
		*got = n;
		if (n + 2 > Y4M_MAX_LINE)
			return fail(s, Y4M_MALFORMED, "header line longer than 1024 bytes", *start);
		if (c == 0)
			return fail(s, Y4M_MALFORMED, "NUL byte in header line", s->offset + s->pos - 1);
		line[n++] = c;
	}
}

/* Decimal number at *p, advanced past it; 0 on success. */
static int parse_u32(const char **p, uint32_t *out)
{
	uint32_t v = 0;
	const char *q = *p;

	if (*q < '0' || *q > '9')
		return -1;
	for (; *q >= '0' && *q <= '9'; q++) {
		if (v > (0xFFFFFFFFu - (uint32_t)(*q - '0')) / 10)
			return -1;
		v = v * 10 + (uint32_t)(*q - '0');
	}
	*p = q;
	*out = v;
	return 0;
}

/* "<num>:<den>" filling the whole token. */
static int parse_ratio(const char *p, uint32_t *num, uint32_t *den)
{
	if (parse_u32(&p, num) || *p++ != ':' || parse_u32(&p, den))
		return -1;
	return *p ? -1 : 0;
}

static int token_is(const char *tok, const char *word)
{
	return strcmp(tok, word) == 0;
}

enum y4m_status y4m_open(struct y4m_stream *s, int32_t fd)
{
	char line[Y4M_MAX_LINE];
	uint32_t got, cw, ch;
	uint64_t start;
	enum y4m_status st;
	char *p;
	int have_w = 0, have_h = 0;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->rate_num = 25;
	s->rate_den = 1;
	s->interlace = '?';
	memcpy(s->chroma, "420jpeg", 8);
	st = read_line(s, line, &got, &start);
	if (st == Y4M_END)
		return fail(s, Y4M_MALFORMED, "empty file (no YUV4MPEG2 header)", 0);
	if (st != Y4M_OK) {
		if (st == Y4M_MALFORMED && (got == 0 || memcmp(line, "YUV4MPEG2", got < 9 ? got : 9) != 0))
			return fail(s, Y4M_MALFORMED, "not a YUV4MPEG2 file (bad signature)", 0);
		return st;
	}
	if (memcmp(line, "YUV4MPEG2", 9) != 0 || (line[9] != ' ' && line[9] != 0))
		return fail(s, Y4M_MALFORMED, "not a YUV4MPEG2 file (bad signature)", 0);
	p = line + 9;
	while (*p) {
		char *tok, tag;
		const char *val;
		uint64_t at;
		if (*p == ' ') {
			p++;
			continue;
		}
		tok = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = 0;
		at = start + (uint32_t)(tok - line);
		tag = tok[0];
		val = tok + 1;
		switch (tag) {
		case 'W':
			if (parse_u32(&val, &s->width) || *val || s->width == 0)
				return fail(s, Y4M_MALFORMED, "bad width parameter W", at);
			have_w = 1;
			break;
		case 'H':
			if (parse_u32(&val, &s->height) || *val || s->height == 0)
				return fail(s, Y4M_MALFORMED, "bad height parameter H", at);
			have_h = 1;
			break;
		case 'F':
			if (parse_ratio(val, &s->rate_num, &s->rate_den) || !s->rate_num || !s->rate_den)
				return fail(s, Y4M_MALFORMED, "bad frame rate parameter F (want F<num>:<den>, both > 0)", at);
			break;
		case 'A':
			if (parse_ratio(val, &s->aspect_num, &s->aspect_den))
				return fail(s, Y4M_MALFORMED, "bad aspect parameter A (want A<num>:<den>)", at);
			break;
		case 'I':
			if (!(val[0] == 'p' || val[0] == 't' || val[0] == 'b' || val[0] == 'm' || val[0] == '?') || val[1])
				return fail(s, Y4M_MALFORMED, "bad interlace parameter I (want p, t, b, m or ?)", at);
			s->interlace = val[0];
			break;
		case 'C':
			if (strlen(val) >= sizeof(s->chroma))
				return fail(s, Y4M_UNSUPPORTED, "unsupported chroma format (only 420jpeg, 420paldv, 420mpeg2, 420)", at);
			memcpy(s->chroma, val, strlen(val) + 1);
			if (!(token_is(val, "420jpeg") || token_is(val, "420paldv") || token_is(val, "420mpeg2") ||
			      token_is(val, "420")))
				return fail(s, Y4M_UNSUPPORTED, "unsupported chroma format (only 420jpeg, 420paldv, 420mpeg2, 420)", at);
			break;
		default:
			break; /* X comments and future parameters */
		}
	}
	if (!have_w || !have_h)
		return fail(s, Y4M_MALFORMED, "stream header lacks W or H", start);
	if (s->width > Y4M_MAX_WIDTH || s->height > Y4M_MAX_HEIGHT)
		return fail(s, Y4M_TOO_LARGE, "frame larger than 1920x1088", start);
	cw = (s->width + 1) / 2;
	ch = (s->height + 1) / 2;
	s->frame_size = s->width * s->height + 2 * cw * ch;
	return Y4M_OK;
}

enum y4m_status y4m_read_frame(struct y4m_stream *s, uint8_t *planes)
{
	char line[Y4M_MAX_LINE];
	uint32_t got, done = 0;
	uint64_t start;
	enum y4m_status st = read_line(s, line, &got, &start);

	if (st == Y4M_END)
		return Y4M_END;
	if (st == Y4M_MALFORMED && got < 6 && memcmp(line, "FRAME", got) == 0)
		return fail(s, Y4M_MALFORMED, "truncated FRAME header", start);
	if (st == Y4M_OK && (memcmp(line, "FRAME", 5) != 0 || (line[5] != ' ' && line[5] != 0)))
		st = fail(s, Y4M_MALFORMED, "expected a FRAME header", start);
	if (st != Y4M_OK)
		return st;
	/* Buffered bytes first, then straight into the planes. */
	while (done < s->frame_size) {
		uint32_t n = s->len - s->pos;
		if (n) {
			if (n > s->frame_size - done)
				n = s->frame_size - done;
			memcpy(planes + done, s->buf + s->pos, n);
			s->pos += n;
			done += n;
		} else if (s->frame_size - done >= sizeof(s->buf)) {
			int32_t r;
			s->offset += s->pos;
			s->pos = s->len = 0;
			r = sys_read(s->fd, planes + done, s->frame_size - done);
			if (r == -K_EINTR)
				continue;
			if (r < 0) {
				s->io_errno = -r;
				return fail(s, Y4M_IO_ERROR, "read error", s->offset + s->pos);
			}
			if (r == 0)
				return fail(s, Y4M_MALFORMED, "truncated frame data", start);
			s->offset += (uint32_t)r;
			done += (uint32_t)r;
		} else {
			int32_t r = fill(s);
			if (r < 0)
				return fail(s, Y4M_IO_ERROR, "read error", s->offset);
			if (r == 0)
				return fail(s, Y4M_MALFORMED, "truncated frame data", start);
		}
	}
	s->frames_read++;
	return Y4M_OK;
}
