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

static uint32_t clamp255(int32_t v)
{
	return v < 0 ? 0 : v > 255 ? 255 : (uint32_t)v;
}

void convert_frame(const struct convert_job *job)
{
	uint32_t sw = job->src_width, sh = job->src_height, dw = job->dst_width, dh = job->dst_height;
	uint32_t cw = (sw + 1) >> 1;
	uint32_t bpp = convert_bytes_per_pixel(job->format);
	uint8_t *out = job->dst;
	uint32_t dx, dy;

	for (dx = 0; dx < dw; dx++)
		job->col_map[dx] = dx * sw / dw;
	for (dy = 0; dy < dh; dy++) {
		uint32_t sy = dy * sh / dh;
		const uint8_t *yl = job->y + sy * sw;
		const uint8_t *ul = job->u + (sy >> 1) * cw;
		const uint8_t *vl = job->v + (sy >> 1) * cw;
		for (dx = 0; dx < dw; dx++) {
			uint32_t sx = job->col_map[dx];
			int32_t c = 298 * ((int32_t)yl[sx] - 16);
			int32_t d = (int32_t)ul[sx >> 1] - 128;
			int32_t e = (int32_t)vl[sx >> 1] - 128;
			uint32_t r = clamp255((c + 409 * e + 128) >> 8);
			uint32_t g = clamp255((c - 100 * d - 208 * e + 128) >> 8);
			uint32_t b = clamp255((c + 516 * d + 128) >> 8);
			if (bpp == 4) {
				out[0] = (uint8_t)b;
				out[1] = (uint8_t)g;
				out[2] = (uint8_t)r;
				out[3] = 0;
			} else {
				uint32_t p = ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3);
				out[0] = (uint8_t)p;
				out[1] = (uint8_t)(p >> 8);
			}
			out += bpp;
		}
	}
}
