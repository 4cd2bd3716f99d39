/*
 * /dev/gfx ioctl ABI, shared by the video player (user space) and the graphics
 * driver (kernel space).
 *
 * The same header is compiled for i386 (the guest: player and driver) and for
 * mipsel o32 (the host kernel, and host-native builds).  Both are ILP32 and
 * little-endian, and every structure below uses only fixed-size 32-bit fields,
 * so the layout is byte-for-byte identical on both ABIs (checked by the static
 * asserts at the end).  User pointers travel as uint32_t, not as C pointers.
 *
 * Request numbers are built like Linux's generic _IOC() (dir<<30 | size<<16 |
 * type<<8 | nr, with WRITE=1 and READ=2, as on x86).  MIPS Linux encodes the
 * direction differently (3 bits, WRITE=4), so the numbers are spelled out here
 * as constants and checked: i386 and mipsel agree on every value.
 */
#ifndef UKCF_GFX_H
#define UKCF_GFX_H

#include <stdint.h>

#define GFX_DEVICE_PATH "/dev/gfx"

/* Pixel formats, both of the display mode and of a blit source. */
#define GFX_FMT_RGB565   1u  /* 16 bits, little-endian: r[15:11] g[10:5] b[4:0]     */
#define GFX_FMT_XRGB8888 2u  /* 32 bits, little-endian: x[31:24] r[23:16] g[15:8] b[7:0]; bytes B,G,R,X */

/* Largest blit source the driver accepts (the visible part is clipped to the mode). */
#define GFX_BLIT_MAX_WIDTH  4096u
#define GFX_BLIT_MAX_HEIGHT 4096u
#define GFX_BLIT_MAX_PITCH  65536u  /* bytes */

/* GFX_IOC_GET_INFO: the current mode and device facts. */
struct gfx_info {
	uint32_t device_id;    /* value of the device's ID register (GFX_DEV_ID_VALUE) */
	uint32_t width;        /* current mode, pixels */
	uint32_t height;
	uint32_t format;       /* GFX_FMT_* */
	uint32_t pitch;        /* bytes from one line to the next in VRAM */
	uint32_t bytes_per_pixel;
	uint32_t vram_size;    /* bytes */
	uint32_t num_buffers;  /* 2 = double-buffered (BLIT/FILL draw to the back buffer, FLIP shows it), 1 = single */
	uint32_t frame_count;  /* vsync counter at the time of the call */
	uint32_t max_width;    /* largest mode the device accepts */
	uint32_t max_height;
	uint32_t reserved;     /* 0 */
};

/* GFX_IOC_SET_MODE: change the mode; pitch is chosen by the driver (see GET_INFO). */
struct gfx_mode {
	uint32_t width;
	uint32_t height;
	uint32_t format;       /* GFX_FMT_* */
	uint32_t reserved;     /* must be 0 */
};

/*
 * GFX_IOC_BLIT: copy a user-space image into the back buffer at (dst_x, dst_y),
 * converting from `format` to the mode's format.  The destination rectangle is
 * clipped to the screen (dst_x/dst_y may be negative; the clipped-off source
 * columns/lines are skipped).  Only the visible part of each source line is read.
 */
struct gfx_blit {
	uint32_t src;          /* user address of the first source line */
	uint32_t width;        /* source size, pixels (0 = nothing to do) */
	uint32_t height;
	uint32_t pitch;        /* bytes between source lines, width * bytes per pixel .. GFX_BLIT_MAX_PITCH */
	uint32_t format;       /* GFX_FMT_* of the source */
	int32_t dst_x;
	int32_t dst_y;
	uint32_t flags;        /* must be 0 */
};

/* GFX_IOC_FILL: fill a rectangle of the back buffer (clipped like BLIT). */
struct gfx_fill {
	int32_t x;
	int32_t y;
	uint32_t width;
	uint32_t height;
	uint32_t color;        /* XRGB8888, converted to the mode's format */
	uint32_t reserved;     /* must be 0 */
};

/* GFX_IOC_FLIP: show the back buffer (double-buffered) and optionally wait for vsync. */
#define GFX_FLIP_WAIT_VSYNC 1u
struct gfx_flip {
	uint32_t flags;        /* in: GFX_FLIP_* */
	uint32_t frame_count;  /* out: vsync counter after the flip */
};

/* Generic Linux _IOC encoding (x86 flavour), fixed for both ABIs. */
#define GFX_IOC_NONE  0u
#define GFX_IOC_WRITE 1u
#define GFX_IOC_READ  2u
#define GFX_IOC_TYPE  0x47u /* 'G' */
#define GFX_IOC(dir, nr, size) \
	(((uint32_t)(dir) << 30) | ((uint32_t)(size) << 16) | (GFX_IOC_TYPE << 8) | (uint32_t)(nr))

#define GFX_IOC_GET_INFO   0x80304701u /* _IOR ('G', 1, struct gfx_info)  */
#define GFX_IOC_SET_MODE   0x40104702u /* _IOW ('G', 2, struct gfx_mode)  */
#define GFX_IOC_BLIT       0x40204703u /* _IOW ('G', 3, struct gfx_blit)  */
#define GFX_IOC_FILL       0x40184704u /* _IOW ('G', 4, struct gfx_fill)  */
#define GFX_IOC_WAIT_VSYNC 0x80044705u /* _IOR ('G', 5, uint32_t): frame counter after the next vsync */
#define GFX_IOC_FLIP       0xC0084706u /* _IOWR('G', 6, struct gfx_flip) */

#define GFX_ABI_ASSERT(cond, name) typedef char gfx_abi_assert_##name[(cond) ? 1 : -1]
GFX_ABI_ASSERT(sizeof(struct gfx_info) == 48, info_size);
GFX_ABI_ASSERT(sizeof(struct gfx_mode) == 16, mode_size);
GFX_ABI_ASSERT(sizeof(struct gfx_blit) == 32, blit_size);
GFX_ABI_ASSERT(sizeof(struct gfx_fill) == 24, fill_size);
GFX_ABI_ASSERT(sizeof(struct gfx_flip) == 8, flip_size);
GFX_ABI_ASSERT(__builtin_offsetof(struct gfx_info, max_height) == 40, info_max_height);
GFX_ABI_ASSERT(__builtin_offsetof(struct gfx_blit, dst_x) == 20, blit_dst_x);
GFX_ABI_ASSERT(__builtin_offsetof(struct gfx_blit, flags) == 28, blit_flags);
GFX_ABI_ASSERT(__builtin_offsetof(struct gfx_fill, color) == 16, fill_color);
GFX_ABI_ASSERT(GFX_IOC_GET_INFO == GFX_IOC(GFX_IOC_READ, 1, sizeof(struct gfx_info)), get_info_nr);
GFX_ABI_ASSERT(GFX_IOC_SET_MODE == GFX_IOC(GFX_IOC_WRITE, 2, sizeof(struct gfx_mode)), set_mode_nr);
GFX_ABI_ASSERT(GFX_IOC_BLIT == GFX_IOC(GFX_IOC_WRITE, 3, sizeof(struct gfx_blit)), blit_nr);
GFX_ABI_ASSERT(GFX_IOC_FILL == GFX_IOC(GFX_IOC_WRITE, 4, sizeof(struct gfx_fill)), fill_nr);
GFX_ABI_ASSERT(GFX_IOC_WAIT_VSYNC == GFX_IOC(GFX_IOC_READ, 5, sizeof(uint32_t)), wait_vsync_nr);
GFX_ABI_ASSERT(GFX_IOC_FLIP == GFX_IOC(GFX_IOC_READ | GFX_IOC_WRITE, 6, sizeof(struct gfx_flip)), flip_nr);

#endif
