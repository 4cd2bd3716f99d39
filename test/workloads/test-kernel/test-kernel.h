/* The test kernel's state, shared by the programs that drive the driver with it. */
#ifndef TEST_KERNEL_H
#define TEST_KERNEL_H

#include "../../../workloads/player/libc/libc.h"
#include "../../../workloads/include/gfx.h"
#include "../../../workloads/include/gfx_device.h"
#include "../../../workloads/include/kernel_api.h"

#define VRAM_SIZE (640u * 1024u)

struct test_device {
	uint32_t control, width, height, format, pitch, scanout, pending, flip_pending, frame, status_irq;
};

extern uint8_t vram[VRAM_SIZE];
extern struct test_device dev;
extern uint32_t now_ms;
extern int stalled;
extern const struct gfx_ops *ops;       /* set once register_gfx_driver's probe succeeded */
extern uint32_t user_base, user_size;   /* copy_*_user accept [user_base, user_base + user_size) */

int32_t gfx_init(void);

#endif
