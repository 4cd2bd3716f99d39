/*
 * Register map of the simulated graphics device (the hardware the driver drives).
 *
 * All registers are 32 bits wide, little-endian, at byte offsets from the
 * register block's base (which the kernel hands out: gfx_device_base()).  VRAM
 * is a separate physical range; its address and size are read from FB_BASE and
 * VRAM_SIZE and mapped with ioremap().
 *
 * Scan-out: when CONTROL.ENABLE is set the device displays WIDTH x HEIGHT pixels
 * of FORMAT, line n starting at VRAM + SCANOUT + n * PITCH.  Writing FLIP latches
 * a new scan-out offset which becomes SCANOUT at the next vsync (STATUS.FLIP_PENDING
 * is set until then).  FRAME_COUNT increments once per vsync (simulated time; the
 * rate is the device's business, e.g. 60 Hz).
 *
 * Mode registers are only sampled while CONTROL.ENABLE is 0: a driver disables
 * scan-out, writes WIDTH/HEIGHT/FORMAT/PITCH/SCANOUT, then enables it.  An invalid
 * combination (zero or above MAX_*, unknown format, PITCH < WIDTH * bpp, or the
 * frame running past VRAM_SIZE) leaves STATUS.MODE_VALID clear and shows nothing.
 * Clearing CONTROL.ENABLE also cancels a pending flip.
 */
#ifndef UKCF_GFX_DEVICE_H
#define UKCF_GFX_DEVICE_H

#define GFX_DEV_ID_VALUE     0x55474658u /* "UGFX" read as a big-endian number */
#define GFX_DEV_VERSION_1    1u

/* Suggested placement and size; the kernel may put the device elsewhere. */
#define GFX_DEV_REGS_PHYS    0x1F000000u  /* register block, 4 KiB */
#define GFX_DEV_REGS_SIZE    0x1000u
#define GFX_DEV_VRAM_PHYS    0x1E000000u  /* VRAM */
#define GFX_DEV_VRAM_SIZE    0x00400000u  /* 4 MiB */
#define GFX_DEV_MAX_WIDTH    1024u
#define GFX_DEV_MAX_HEIGHT   768u

/* Register offsets (bytes). RO = read-only, RW = read/write, WO = write-only. */
#define GFX_REG_ID           0x00u /* RO: GFX_DEV_ID_VALUE */
#define GFX_REG_VERSION      0x04u /* RO: GFX_DEV_VERSION_1 */
#define GFX_REG_CONTROL      0x08u /* RW: GFX_CTRL_* */
#define GFX_REG_STATUS       0x0Cu /* RO: GFX_STATUS_* */
#define GFX_REG_WIDTH        0x10u /* RW: mode width, pixels */
#define GFX_REG_HEIGHT       0x14u /* RW: mode height, lines */
#define GFX_REG_FORMAT       0x18u /* RW: GFX_FMT_* (gfx.h: 1 = RGB565, 2 = XRGB8888) */
#define GFX_REG_PITCH        0x1Cu /* RW: bytes per VRAM line */
#define GFX_REG_FB_BASE      0x20u /* RO: physical address of VRAM */
#define GFX_REG_VRAM_SIZE    0x24u /* RO: VRAM size, bytes */
#define GFX_REG_SCANOUT      0x28u /* RW: byte offset in VRAM of the displayed buffer (takes effect at once) */
#define GFX_REG_FLIP         0x2Cu /* WO: byte offset to show from the next vsync on; RO read: pending offset */
#define GFX_REG_FRAME_COUNT  0x30u /* RO: vsync counter, wraps at 2^32 */
#define GFX_REG_MAX_WIDTH    0x34u /* RO */
#define GFX_REG_MAX_HEIGHT   0x38u /* RO */
#define GFX_REG_IRQ_ACK      0x3Cu /* WO: write 1s to clear STATUS.VSYNC_IRQ */

#define GFX_CTRL_ENABLE        0x1u /* scan-out on */
#define GFX_CTRL_VSYNC_IRQ     0x2u /* raise an interrupt at each vsync (unused by the driver: it polls) */

#define GFX_STATUS_MODE_VALID   0x1u /* the mode registers describe a displayable frame */
#define GFX_STATUS_FLIP_PENDING 0x2u /* a FLIP write waits for the next vsync */
#define GFX_STATUS_VSYNC_IRQ    0x4u /* a vsync happened since the last IRQ_ACK */

#endif
