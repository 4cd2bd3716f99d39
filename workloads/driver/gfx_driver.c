/*
 * Graphics driver for the simulated graphics device (gfx_device.h), written the
 * way a small framebuffer/overlay driver is: probe finds and initialises the
 * device, ioctls copy user images into VRAM with format conversion and clipping.
 *
 * Built as an i386 relocatable object (the x86 driver UKCF translates inside
 * the MIPS host kernel) and as a mipsel one (the same driver compiled natively
 * for the host).  It calls nothing but kernel_api.h.
 *
 * Pixel conversions (exact):
 *   XRGB8888 -> RGB565:   r5 = r >> 3, g6 = g >> 2, b5 = b >> 3 (truncation)
 *   RGB565 -> XRGB8888:   r = r5 << 3 | r5 >> 2, g = g6 << 2 | g6 >> 4, b = b5 << 3 | b5 >> 2, x = 0
 *   XRGB8888 -> XRGB8888: x byte cleared to 0;  RGB565 -> RGB565: unchanged
 */
#include "gfx.h"
#include "gfx_device.h"
#include "kernel_api.h"

#define GFX_DEFAULT_WIDTH  320u
#define GFX_DEFAULT_HEIGHT 240u
#define GFX_DEFAULT_FORMAT GFX_FMT_XRGB8888
#define GFX_PITCH_ALIGN    64u      /* bytes; VRAM lines start on 64-byte boundaries */
#define GFX_VSYNC_TIMEOUT_MS 100u

/*
 * Registers are accessed with ioread32/iowrite32; VRAM, like a framebuffer's
 * screen memory, with plain stores through the ioremap()ed pointer.
 */

/* Entry points (global so that they keep their names for debuggers and tests). */
int32_t gfx_probe(void);
int32_t gfx_open(struct gfx_file *file);
int32_t gfx_ioctl(struct gfx_file *file, uint32_t cmd, uint32_t arg);
int32_t gfx_release(struct gfx_file *file);
int32_t gfx_init(void);

struct gfx_dev {
	uint8_t *regs;                  /* register block (MMIO) */
	uint8_t *vram;                  /* mapped VRAM */
	uint32_t vram_phys;
	uint32_t vram_size;
	uint32_t max_width;
	uint32_t max_height;
	uint32_t width;
	uint32_t height;
	uint32_t format;
	uint32_t bpp;                   /* bytes per pixel of the mode */
	uint32_t pitch;
	uint32_t buffer_size;           /* pitch * height */
	uint32_t num_buffers;           /* 1 or 2 */
	uint32_t back;                  /* index of the buffer BLIT/FILL draw into */
	uint32_t open_count;
	uint8_t *bounce;                /* one visible source line, copied from user space */
	uint32_t bounce_size;
};

static struct gfx_dev *gfx_dev;

static uint32_t gfx_read(struct gfx_dev *dev, uint32_t reg)
{
	return ioread32(dev->regs + reg);
}

static void gfx_write(struct gfx_dev *dev, uint32_t reg, uint32_t value)
{
	iowrite32(value, dev->regs + reg);
}

static uint32_t gfx_format_bpp(uint32_t format)
{
	if (format == GFX_FMT_RGB565)
		return 2;
	if (format == GFX_FMT_XRGB8888)
		return 4;
	return 0;
}

static uint32_t gfx_back_offset(struct gfx_dev *dev)
{
	return dev->back * dev->buffer_size;
}

/* Program the device for a mode (limits already checked against MAX_WIDTH/HEIGHT). */
static int32_t gfx_apply_mode(struct gfx_dev *dev, uint32_t width, uint32_t height, uint32_t format)
{
	uint32_t bpp = gfx_format_bpp(format);
	uint32_t pitch = (width * bpp + GFX_PITCH_ALIGN - 1) & ~(GFX_PITCH_ALIGN - 1);
	uint32_t size = pitch * height;

	if (size == 0 || size > dev->vram_size)
		return -EINVAL;
	gfx_write(dev, GFX_REG_CONTROL, 0);
	gfx_write(dev, GFX_REG_WIDTH, width);
	gfx_write(dev, GFX_REG_HEIGHT, height);
	gfx_write(dev, GFX_REG_FORMAT, format);
	gfx_write(dev, GFX_REG_PITCH, pitch);
	gfx_write(dev, GFX_REG_SCANOUT, 0);
	dev->width = width;
	dev->height = height;
	dev->format = format;
	dev->bpp = bpp;
	dev->pitch = pitch;
	dev->buffer_size = size;
	dev->num_buffers = dev->vram_size / size >= 2 ? 2 : 1;
	dev->back = dev->num_buffers - 1;
	/* A new mode starts black in every buffer. */
	memset(dev->vram, 0, size * dev->num_buffers);
	gfx_write(dev, GFX_REG_CONTROL, GFX_CTRL_ENABLE);
	if (!(gfx_read(dev, GFX_REG_STATUS) & GFX_STATUS_MODE_VALID)) {
		printk("gfx: device rejected mode %ux%u\n", (int32_t)width, (int32_t)height);
		return -EIO;
	}
	return 0;
}

int32_t gfx_probe(void)
{
	uint8_t *regs = gfx_device_base();
	struct gfx_dev *dev;
	uint32_t id;
	int32_t err;

	if (!regs)
		return -ENODEV;
	id = ioread32(regs + GFX_REG_ID);
	if (id != GFX_DEV_ID_VALUE) {
		printk("gfx: unknown device id %08x (want %08x)\n", (int32_t)id, (int32_t)GFX_DEV_ID_VALUE);
		return -ENODEV;
	}
	dev = kmalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	memset(dev, 0, sizeof(*dev));
	dev->regs = regs;
	dev->vram_phys = gfx_read(dev, GFX_REG_FB_BASE);
	dev->vram_size = gfx_read(dev, GFX_REG_VRAM_SIZE);
	dev->max_width = gfx_read(dev, GFX_REG_MAX_WIDTH);
	dev->max_height = gfx_read(dev, GFX_REG_MAX_HEIGHT);
	if (dev->max_width == 0 || dev->max_height == 0 || dev->max_width > GFX_BLIT_MAX_WIDTH ||
	    dev->max_height > GFX_BLIT_MAX_HEIGHT) {
		err = -ENODEV;
		goto fail_free;
	}
	dev->vram = ioremap(dev->vram_phys, dev->vram_size);
	if (!dev->vram) {
		err = -ENOMEM;
		goto fail_free;
	}
	/* Widest visible line: max_width pixels of the widest source format. */
	dev->bounce_size = dev->max_width * 4;
	dev->bounce = kmalloc(dev->bounce_size, GFP_KERNEL);
	if (!dev->bounce) {
		err = -ENOMEM;
		goto fail_free;
	}
	err = gfx_apply_mode(dev, GFX_DEFAULT_WIDTH, GFX_DEFAULT_HEIGHT, GFX_DEFAULT_FORMAT);
	if (err)
		goto fail_bounce;
	gfx_dev = dev;
	printk("gfx: mode %ux%u xrgb8888\n", (int32_t)dev->width, (int32_t)dev->height);
	printk("gfx: vram %u KiB, %u buffers\n", (int32_t)(dev->vram_size >> 10), (int32_t)dev->num_buffers);
	return 0;

fail_bounce:
	kfree(dev->bounce);
fail_free:
	kfree(dev);
	return err;
}

int32_t gfx_open(struct gfx_file *file)
{
	if (!gfx_dev)
		return -ENODEV;
	gfx_dev->open_count++;
	file->private_data = gfx_dev;
	return 0;
}

int32_t gfx_release(struct gfx_file *file)
{
	struct gfx_dev *dev = file->private_data;

	if (dev && dev->open_count)
		dev->open_count--;
	file->private_data = 0;
	return 0;
}

static uint32_t gfx_color_from_xrgb(uint32_t format, uint32_t xrgb)
{
	if (format == GFX_FMT_RGB565)
		return ((xrgb >> 8) & 0xF800u) | ((xrgb >> 5) & 0x07E0u) | ((xrgb >> 3) & 0x001Fu);
	return xrgb & 0x00FFFFFFu;
}

static uint32_t gfx_xrgb_from_rgb565(uint32_t p)
{
	uint32_t r = (p >> 11) & 0x1Fu, g = (p >> 5) & 0x3Fu, b = p & 0x1Fu;

	r = (r << 3) | (r >> 2);
	g = (g << 2) | (g >> 4);
	b = (b << 3) | (b >> 2);
	return (r << 16) | (g << 8) | b;
}

/* Convert `count` pixels of one line from `src` (format sfmt) into VRAM at `dst` (mode format). */
static void gfx_convert_line(struct gfx_dev *dev, uint8_t *dst, const uint8_t *src, uint32_t sfmt, uint32_t count)
{
	uint32_t i;

	if (dev->format == GFX_FMT_XRGB8888) {
		uint32_t *d = (uint32_t *)dst;
		if (sfmt == GFX_FMT_XRGB8888) {
			const uint32_t *s = (const uint32_t *)src;
			for (i = 0; i < count; i++)
				d[i] = s[i] & 0x00FFFFFFu;
		} else {
			const uint16_t *s = (const uint16_t *)src;
			for (i = 0; i < count; i++)
				d[i] = gfx_xrgb_from_rgb565(s[i]);
		}
	} else {
		uint16_t *d = (uint16_t *)dst;
		if (sfmt == GFX_FMT_XRGB8888) {
			const uint32_t *s = (const uint32_t *)src;
			for (i = 0; i < count; i++)
				d[i] = (uint16_t)gfx_color_from_xrgb(GFX_FMT_RGB565, s[i]);
		} else {
			const uint16_t *s = (const uint16_t *)src;
			for (i = 0; i < count; i++)
				d[i] = s[i];
		}
	}
}

/*
 * Clip the rectangle (x, y, w, h) to the screen.  On return *skip_x and *skip_y are
 * the clipped-off leading columns/lines and *vis_w and *vis_h the visible size
 * (0 = nothing visible).  w and h are at most GFX_BLIT_MAX_*, so no overflow.
 */
static void gfx_clip(struct gfx_dev *dev, int32_t x, int32_t y, uint32_t w, uint32_t h,
		     uint32_t *skip_x, uint32_t *skip_y, uint32_t *vis_w, uint32_t *vis_h)
{
	*skip_x = *skip_y = *vis_w = *vis_h = 0;
	if (x <= -(int32_t)w || y <= -(int32_t)h || x >= (int32_t)dev->width || y >= (int32_t)dev->height)
		return;
	if (x < 0) {
		*skip_x = (uint32_t)-x;
		x = 0;
	}
	if (y < 0) {
		*skip_y = (uint32_t)-y;
		y = 0;
	}
	*vis_w = w - *skip_x;
	if (*vis_w > dev->width - (uint32_t)x)
		*vis_w = dev->width - (uint32_t)x;
	*vis_h = h - *skip_y;
	if (*vis_h > dev->height - (uint32_t)y)
		*vis_h = dev->height - (uint32_t)y;
}

static int32_t gfx_ioctl_blit(struct gfx_dev *dev, uint32_t arg)
{
	struct gfx_blit req;
	uint32_t sbpp, skip_x, skip_y, vis_w, vis_h, row;
	int32_t x, y;
	uint8_t *dst;

	if (copy_from_user(&req, (const void *)arg, sizeof(req)))
		return -EFAULT;
	sbpp = gfx_format_bpp(req.format);
	if (!sbpp || req.flags || req.width > GFX_BLIT_MAX_WIDTH || req.height > GFX_BLIT_MAX_HEIGHT ||
	    req.pitch > GFX_BLIT_MAX_PITCH || req.pitch < req.width * sbpp)
		return -EINVAL;
	gfx_clip(dev, req.dst_x, req.dst_y, req.width, req.height, &skip_x, &skip_y, &vis_w, &vis_h);
	if (!vis_w || !vis_h)
		return 0;
	x = req.dst_x < 0 ? 0 : req.dst_x;
	y = req.dst_y < 0 ? 0 : req.dst_y;
	dst = dev->vram + gfx_back_offset(dev) + (uint32_t)y * dev->pitch + (uint32_t)x * dev->bpp;
	for (row = 0; row < vis_h; row++) {
		uint32_t src = req.src + (skip_y + row) * req.pitch + skip_x * sbpp;
		/* Only the visible part of the line crosses into the kernel. */
		if (copy_from_user(dev->bounce, (const void *)src, vis_w * sbpp))
			return -EFAULT;
		gfx_convert_line(dev, dst, dev->bounce, req.format, vis_w);
		dst += dev->pitch;
	}
	return 0;
}

static int32_t gfx_ioctl_fill(struct gfx_dev *dev, uint32_t arg)
{
	struct gfx_fill req;
	uint32_t skip_x, skip_y, vis_w, vis_h, row, i, color;
	int32_t x, y;
	uint8_t *dst;

	if (copy_from_user(&req, (const void *)arg, sizeof(req)))
		return -EFAULT;
	if (req.reserved || req.width > GFX_BLIT_MAX_WIDTH || req.height > GFX_BLIT_MAX_HEIGHT)
		return -EINVAL;
	gfx_clip(dev, req.x, req.y, req.width, req.height, &skip_x, &skip_y, &vis_w, &vis_h);
	if (!vis_w || !vis_h)
		return 0;
	color = gfx_color_from_xrgb(dev->format, req.color);
	x = req.x < 0 ? 0 : req.x;
	y = req.y < 0 ? 0 : req.y;
	dst = dev->vram + gfx_back_offset(dev) + (uint32_t)y * dev->pitch + (uint32_t)x * dev->bpp;
	for (row = 0; row < vis_h; row++) {
		if (dev->bpp == 4) {
			uint32_t *d = (uint32_t *)dst;
			for (i = 0; i < vis_w; i++)
				d[i] = color;
		} else {
			uint16_t *d = (uint16_t *)dst;
			for (i = 0; i < vis_w; i++)
				d[i] = (uint16_t)color;
		}
		dst += dev->pitch;
	}
	return 0;
}

/* Poll until FRAME_COUNT moves past `start` (and, if `flip`, the flip has landed). */
static int32_t gfx_wait_vsync(struct gfx_dev *dev, uint32_t start, int32_t flip)
{
	uint32_t t0 = ktime_get_ms();

	for (;;) {
		uint32_t frame = gfx_read(dev, GFX_REG_FRAME_COUNT);
		uint32_t pending = gfx_read(dev, GFX_REG_STATUS) & GFX_STATUS_FLIP_PENDING;
		if (frame != start && !(flip && pending))
			return 0;
		if (ktime_get_ms() - t0 >= GFX_VSYNC_TIMEOUT_MS) {
			printk("gfx: vsync timeout at frame %u\n", (int32_t)frame, 0);
			return -EIO;
		}
		msleep(1);
	}
}

static int32_t gfx_ioctl_flip(struct gfx_dev *dev, uint32_t arg)
{
	struct gfx_flip req;
	uint32_t start;
	int32_t err;

	if (copy_from_user(&req, (const void *)arg, sizeof(req)))
		return -EFAULT;
	if (req.flags & ~GFX_FLIP_WAIT_VSYNC)
		return -EINVAL;
	start = gfx_read(dev, GFX_REG_FRAME_COUNT);
	if (dev->num_buffers == 2) {
		gfx_write(dev, GFX_REG_FLIP, gfx_back_offset(dev));
		dev->back ^= 1;
	}
	if (req.flags & GFX_FLIP_WAIT_VSYNC) {
		err = gfx_wait_vsync(dev, start, dev->num_buffers == 2);
		if (err)
			return err;
	}
	req.frame_count = gfx_read(dev, GFX_REG_FRAME_COUNT);
	if (copy_to_user((void *)arg, &req, sizeof(req)))
		return -EFAULT;
	return 0;
}

static int32_t gfx_ioctl_get_info(struct gfx_dev *dev, uint32_t arg)
{
	struct gfx_info info;

	info.device_id = gfx_read(dev, GFX_REG_ID);
	info.width = dev->width;
	info.height = dev->height;
	info.format = dev->format;
	info.pitch = dev->pitch;
	info.bytes_per_pixel = dev->bpp;
	info.vram_size = dev->vram_size;
	info.num_buffers = dev->num_buffers;
	info.frame_count = gfx_read(dev, GFX_REG_FRAME_COUNT);
	info.max_width = dev->max_width;
	info.max_height = dev->max_height;
	info.reserved = 0;
	if (copy_to_user((void *)arg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static int32_t gfx_ioctl_set_mode(struct gfx_dev *dev, uint32_t arg)
{
	struct gfx_mode mode;

	if (copy_from_user(&mode, (const void *)arg, sizeof(mode)))
		return -EFAULT;
	if (mode.reserved || !gfx_format_bpp(mode.format) || mode.width == 0 || mode.height == 0 ||
	    mode.width > dev->max_width || mode.height > dev->max_height)
		return -EINVAL;
	return gfx_apply_mode(dev, mode.width, mode.height, mode.format);
}

int32_t gfx_ioctl(struct gfx_file *file, uint32_t cmd, uint32_t arg)
{
	struct gfx_dev *dev = file->private_data;
	uint32_t frame;
	int32_t err;

	if (!dev)
		return -ENODEV;
	switch (cmd) {
	case GFX_IOC_GET_INFO:
		return gfx_ioctl_get_info(dev, arg);
	case GFX_IOC_SET_MODE:
		return gfx_ioctl_set_mode(dev, arg);
	case GFX_IOC_BLIT:
		return gfx_ioctl_blit(dev, arg);
	case GFX_IOC_FILL:
		return gfx_ioctl_fill(dev, arg);
	case GFX_IOC_FLIP:
		return gfx_ioctl_flip(dev, arg);
	case GFX_IOC_WAIT_VSYNC:
		err = gfx_wait_vsync(dev, gfx_read(dev, GFX_REG_FRAME_COUNT), 0);
		if (err)
			return err;
		frame = gfx_read(dev, GFX_REG_FRAME_COUNT);
		if (copy_to_user((void *)arg, &frame, sizeof(frame)))
			return -EFAULT;
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct gfx_ops gfx_driver_ops = {
	.probe = gfx_probe,
	.open = gfx_open,
	.ioctl = gfx_ioctl,
	.release = gfx_release,
};

/* Module init: called once by the kernel after loading; registration runs probe. */
int32_t gfx_init(void)
{
	return register_gfx_driver(&gfx_driver_ops);
}
