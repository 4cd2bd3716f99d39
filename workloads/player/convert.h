/* YUV 4:2:0 -> RGB conversion with nearest-neighbour scaling. */
#ifndef PLAYER_CONVERT_H
#define PLAYER_CONVERT_H

#include <stdint.h>

struct convert_job {
	const uint8_t *y, *u, *v;     /* planes; u and v are ((sw+1)/2) wide */
	uint32_t src_width, src_height;
	uint8_t *dst;                 /* dst_height lines of dst_width pixels, no padding */
	uint32_t dst_width, dst_height;
	uint32_t format;              /* GFX_FMT_XRGB8888 or GFX_FMT_RGB565 */
	uint32_t *col_map;            /* scratch of dst_width entries */
};

uint32_t convert_bytes_per_pixel(uint32_t format);
void convert_frame(const struct convert_job *job);

#endif
