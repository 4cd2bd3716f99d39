/*
 * YUV -> RGB, BT.601 limited range ("studio swing"), 8-bit fixed point.  Exact
 * definition (other implementations must match it bit for bit):
 *
 *   for output pixel (dx, dy):  sx = floor(dx * src_width / dst_width)
 *                               sy = floor(dy * src_height / dst_height)
 *   Y = Yplane[sy * src_width + sx]
 *   U = Uplane[(sy >> 1) * cw + (sx >> 1)], V likewise, cw = (src_width + 1) >> 1
 *   C = Y - 16,  D = U - 128,  E = V - 128
 *   R = clamp((298*C           + 409*E + 128) >> 8)
 *   G = clamp((298*C - 100*D   - 208*E + 128) >> 8)
 *   B = clamp((298*C + 516*D           + 128) >> 8)
 *   where >> 8 is floor division by 256 (arithmetic shift) and clamp limits to 0..255.
 *
 * Stored as XRGB8888 (bytes B, G, R, 0) or RGB565 (little-endian
 * (R >> 3) << 11 | (G >> 2) << 5 | (B >> 3)).  No scaling = the identity maps above.
 */
#include "convert.h"
#include "../include/gfx.h"

uint32_t convert_bytes_per_pixel(uint32_t format)
{
	return format == GFX_FMT_RGB565 ? 2 : 4;
}

/*
 * clamp(v) for v in [CLAMP_MIN, CLAMP_MIN + 1024): one table load instead of two
 * compares per channel.  The formulas stay within about -280..540.
 */
#define CLAMP_MIN (-384)
static uint8_t clamp_table[1024];

static void init_clamp_table(void)
{
	int32_t i;

	if (clamp_table[1023])
		return;
	for (i = 0; i < 1024; i++) {
		int32_t v = i + CLAMP_MIN;
		clamp_table[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
	}
}

void convert_frame(const struct convert_job *job)
{
	uint32_t sw = job->src_width, sh = job->src_height, dw = job->dst_width, dh = job->dst_height;
	uint32_t cw = (sw + 1) >> 1;
	const uint8_t *clamp = clamp_table - CLAMP_MIN;
	uint8_t *out = job->dst;
	uint32_t dx, dy;

	init_clamp_table();
	for (dx = 0; dx < dw; dx++)
		job->col_map[dx] = dx * sw / dw;
	for (dy = 0; dy < dh; dy++) {
		uint32_t sy = dy * sh / dh;
		const uint8_t *yl = job->y + sy * sw;
		const uint8_t *ul = job->u + (sy >> 1) * cw;
		const uint8_t *vl = job->v + (sy >> 1) * cw;
		for (dx = 0; dx < dw; dx++) {
			uint32_t sx = job->col_map[dx];
			int32_t c = 298 * ((int32_t)yl[sx] - 16) + 128;
			int32_t d = (int32_t)ul[sx >> 1] - 128;
			int32_t e = (int32_t)vl[sx >> 1] - 128;
			uint32_t r = clamp[(c + 409 * e) >> 8];
			uint32_t g = clamp[(c - 100 * d - 208 * e) >> 8];
			uint32_t b = clamp[(c + 516 * d) >> 8];
			if (job->format == GFX_FMT_RGB565) {
				uint32_t p = ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3);
				out[0] = (uint8_t)p;
				out[1] = (uint8_t)(p >> 8);
				out += 2;
			} else {
				/* One aligned 32-bit store: bytes B, G, R, 0 on a little-endian CPU. */
				*(uint32_t *)out = (r << 16) | (g << 8) | b;
				out += 4;
			}
		}
	}
}
