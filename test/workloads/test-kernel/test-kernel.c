/*
 * A stand-in kernel for testing the committed graphics driver object on a real
 * CPU: kernel_api.h over a software model of the gfx device (gfx_device.h) and a
 * configurable user-memory window.  Time advances only in msleep(); a vsync
 * happens every 16 ms (unless stalled) and latches a pending flip; CONTROL
 * without ENABLE cancels a pending flip.
 */
#include "test-kernel.h"

#define HEAP_SIZE (64u * 1024u)

uint8_t vram[VRAM_SIZE] __attribute__((aligned(16)));
struct test_device dev;
uint32_t now_ms;
int stalled;
const struct gfx_ops *ops;
uint32_t user_base, user_size;

static uint8_t regs[GFX_DEV_REGS_SIZE] __attribute__((aligned(16)));
static uint8_t heap[HEAP_SIZE] __attribute__((aligned(16)));
static uint32_t heap_used;

/* ---- kernel API ---- */

void *kmalloc(uint32_t size, uint32_t gfp_flags)
{
	uint32_t start = (heap_used + 7u) & ~7u;

	(void)gfp_flags;
	if (size > HEAP_SIZE - start)
		return 0;
	heap_used = start + size;
	return heap + start;
}

void kfree(const void *ptr)
{
	(void)ptr; /* the heap is a bump arena; nothing to return */
}

static int user_range_ok(const void *p, uint32_t n)
{
	uint32_t a = (uint32_t)p;

	return a >= user_base && a - user_base <= user_size && n <= user_size - (a - user_base);
}

uint32_t copy_from_user(void *to, const void *from_user, uint32_t n)
{
	if (!user_range_ok(from_user, n))
		return n;
	memcpy(to, from_user, n);
	return 0;
}

uint32_t copy_to_user(void *to_user, const void *from, uint32_t n)
{
	if (!user_range_ok(to_user, n))
		return n;
	memcpy(to_user, from, n);
	return 0;
}

int32_t printk(const char *fmt, int32_t a, int32_t b)
{
	/* Only the format is echoed: enough to see that the driver spoke. */
	(void)a;
	(void)b;
	out_str(&out_stdout, "printk ");
	for (; *fmt; fmt++)
		if (*fmt != '\n')
			out_char(&out_stdout, *fmt);
	out_char(&out_stdout, '\n');
	return 0;
}

void *gfx_device_base(void)
{
	return regs;
}

void *ioremap(uint32_t phys_addr, uint32_t size)
{
	return phys_addr == GFX_DEV_VRAM_PHYS && size <= VRAM_SIZE ? vram : 0;
}

static uint32_t format_bpp(uint32_t f)
{
	return f == GFX_FMT_RGB565 ? 2 : f == GFX_FMT_XRGB8888 ? 4 : 0;
}

static int mode_valid(void)
{
	uint32_t bpp = format_bpp(dev.format);

	return bpp && dev.width && dev.height && dev.width <= GFX_DEV_MAX_WIDTH && dev.height <= GFX_DEV_MAX_HEIGHT &&
	       dev.pitch >= dev.width * bpp && dev.scanout <= VRAM_SIZE &&
	       (uint64_t)dev.pitch * dev.height <= VRAM_SIZE - dev.scanout;
}

uint32_t ioread32(const void *addr)
{
	uint32_t off = (uint32_t)addr - (uint32_t)regs;

	switch (off) {
	case GFX_REG_ID: return GFX_DEV_ID_VALUE;
	case GFX_REG_VERSION: return GFX_DEV_VERSION_1;
	case GFX_REG_CONTROL: return dev.control;
	case GFX_REG_STATUS:
		return (dev.control & GFX_CTRL_ENABLE && mode_valid() ? GFX_STATUS_MODE_VALID : 0) |
		       (dev.flip_pending ? GFX_STATUS_FLIP_PENDING : 0) | (dev.status_irq ? GFX_STATUS_VSYNC_IRQ : 0);
	case GFX_REG_WIDTH: return dev.width;
	case GFX_REG_HEIGHT: return dev.height;
	case GFX_REG_FORMAT: return dev.format;
	case GFX_REG_PITCH: return dev.pitch;
	case GFX_REG_FB_BASE: return GFX_DEV_VRAM_PHYS;
	case GFX_REG_VRAM_SIZE: return VRAM_SIZE;
	case GFX_REG_SCANOUT: return dev.scanout;
	case GFX_REG_FLIP: return dev.pending;
	case GFX_REG_FRAME_COUNT: return dev.frame;
	case GFX_REG_MAX_WIDTH: return GFX_DEV_MAX_WIDTH;
	case GFX_REG_MAX_HEIGHT: return GFX_DEV_MAX_HEIGHT;
	default:
		out_str(&out_stdout, "bad-register-read ");
		out_u32(&out_stdout, off);
		out_char(&out_stdout, '\n');
		return 0;
	}
}

void iowrite32(uint32_t value, void *addr)
{
	uint32_t off = (uint32_t)addr - (uint32_t)regs;

	switch (off) {
	case GFX_REG_CONTROL:
		dev.control = value;
		if (!(value & GFX_CTRL_ENABLE))
			dev.flip_pending = 0;
		return;
	case GFX_REG_WIDTH: dev.width = value; return;
	case GFX_REG_HEIGHT: dev.height = value; return;
	case GFX_REG_FORMAT: dev.format = value; return;
	case GFX_REG_PITCH: dev.pitch = value; return;
	case GFX_REG_SCANOUT: dev.scanout = value; return;
	case GFX_REG_FLIP:
		dev.pending = value;
		dev.flip_pending = 1;
		return;
	case GFX_REG_IRQ_ACK:
		if (value & GFX_STATUS_VSYNC_IRQ)
			dev.status_irq = 0;
		return;
	default:
		out_str(&out_stdout, "bad-register-write ");
		out_u32(&out_stdout, off);
		out_char(&out_stdout, '\n');
	}
}

void msleep(uint32_t ms)
{
	while (ms--) {
		now_ms++;
		if (now_ms % 16 == 0 && !stalled) {
			dev.frame++;
			dev.status_irq = 1;
			if (dev.flip_pending) {
				dev.scanout = dev.pending;
				dev.flip_pending = 0;
			}
		}
	}
}

uint32_t ktime_get_ms(void)
{
	return now_ms;
}

int32_t register_gfx_driver(const struct gfx_ops *driver_ops)
{
	int32_t rc;

	if (ops)
		return -EBUSY;
	rc = driver_ops->probe();
	if (rc == 0)
		ops = driver_ops;
	return rc;
}

