/*
 * The player's system calls with /dev/gfx served in-process by the committed
 * driver object on the test kernel: the player, the driver and a "kernel" in one
 * program, so the player's display path runs end to end on a real CPU.
 *
 * Built with the ABI's syscall file compiled under renamed entry points
 * (-Dsys_open=host_sys_open etc.), which this file wraps.  User memory is the
 * whole address space.  Closing /dev/gfx writes vram.bin (all of VRAM) into the
 * current directory and prints "gfx-shim scanout <S> frame <F> flips-pending <P>"
 * on standard error.
 */
#include "test-kernel.h"

#define GFX_FD 1000

int32_t host_sys_open(const char *path, int32_t how);
int32_t host_sys_close(int32_t fd);
int32_t host_sys_ioctl(int32_t fd, uint32_t request, uint32_t arg);

static struct gfx_file file;
static int gfx_open_now;

int32_t sys_open(const char *path, int32_t how)
{
	int32_t rc;

	if (strcmp(path, GFX_DEVICE_PATH) != 0)
		return host_sys_open(path, how);
	user_base = 0;                  /* the player's whole address space */
	user_size = 0xFFFFFFFFu;
	if (!ops && (rc = gfx_init()) != 0)
		return rc;
	if (gfx_open_now)
		return -EBUSY;
	rc = ops->open(&file);
	if (rc)
		return rc;
	gfx_open_now = 1;
	return GFX_FD;
}

int32_t sys_ioctl(int32_t fd, uint32_t request, uint32_t arg)
{
	if (fd != GFX_FD || !gfx_open_now)
		return host_sys_ioctl(fd, request, arg);
	return ops->ioctl(&file, request, arg);
}

int32_t sys_close(int32_t fd)
{
	int32_t out;

	if (fd != GFX_FD || !gfx_open_now)
		return host_sys_close(fd);
	ops->release(&file);
	gfx_open_now = 0;
	out = host_sys_open("vram.bin", K_OPEN_CREATE);
	if (out >= 0) {
		write_all(out, vram, VRAM_SIZE);
		host_sys_close(out);
	}
	out_str(&out_stderr, "gfx-shim scanout ");
	out_u32(&out_stderr, dev.scanout);
	out_str(&out_stderr, " frame ");
	out_u32(&out_stderr, dev.frame);
	out_str(&out_stderr, " flips-pending ");
	out_u32(&out_stderr, dev.flip_pending);
	out_char(&out_stderr, '\n');
	return 0;
}
