/*
 * The kernel API a graphics driver may use: the driver's only view of the host
 * kernel.  A driver is an ELF relocatable object; every undefined symbol in it
 * must be one of the functions below (the kernel's export table: name, address,
 * argument count), and its entry points are reached only through the callbacks it
 * registers with register_gfx_driver().
 *
 * Calling convention across the boundary: every argument and every return value
 * is one 32-bit word (int32_t, uint32_t or a pointer; ILP32 on i386 and mipsel).
 * No varargs, no 64-bit values, no structures by value, so an x86 cdecl call maps
 * onto an o32 call word for word (the argument count is in the export table).
 *
 * Errors are returned as negative errno values.  Only errno numbers below 35 are
 * used; those are the same on i386 and MIPS Linux.
 */
#ifndef UKCF_KERNEL_API_H
#define UKCF_KERNEL_API_H

#include <stdint.h>

#define EIO     5
#define ENOMEM 12
#define EFAULT 14
#define EBUSY  16
#define ENODEV 19
#define EINVAL 22
#define ENOTTY 25

/* One open of /dev/gfx (the kernel owns it; the driver may set private_data in open). */
struct gfx_file {
	uint32_t f_flags;      /* the open() flags */
	void *private_data;    /* driver's per-open pointer, NULL before open */
};

/*
 * The driver's callbacks.  The kernel calls them (through UKCF's shells) as:
 *   probe   once, from register_gfx_driver(); 0 = device found and initialised
 *   open    on each open("/dev/gfx")
 *   ioctl   on each ioctl() on such a file; `arg` is the user-space argument word
 *           (for every GFX_IOC_* request: the user address of the argument);
 *           the return value is the ioctl() result (negative errno on failure)
 *   release when the last reference to the open file goes away (close or exit)
 */
struct gfx_ops {
	int32_t (*probe)(void);
	int32_t (*open)(struct gfx_file *file);
	int32_t (*ioctl)(struct gfx_file *file, uint32_t cmd, uint32_t arg);
	int32_t (*release)(struct gfx_file *file);
};

/*
 * Driver registration.  The kernel records `ops` (the pointer, not a copy: the
 * table must stay valid), calls ops->probe() and returns its result; on a
 * non-zero result the driver is not registered and /dev/gfx opens fail with
 * -ENODEV.  A second registration returns -EBUSY.  The driver's own init
 * function (gfx_init for ours, taking no arguments and returning int32_t) is
 * called by the kernel once, after loading and relocating the driver.
 */
int32_t register_gfx_driver(const struct gfx_ops *ops);

/* Memory.  kmalloc returns NULL on failure; alignment is at least 8 bytes. */
#define GFP_KERNEL 0u
void *kmalloc(uint32_t size, uint32_t gfp_flags);
void kfree(const void *ptr);               /* kfree(NULL) is a no-op */
void *memcpy(void *dst, const void *src, uint32_t n);
void *memset(void *dst, int32_t byte, uint32_t n);

/*
 * User memory of the process making the call.  Both return the number of bytes
 * NOT copied (0 = success), as in Linux; a bad or unmapped user range copies
 * nothing useful and the driver answers -EFAULT.
 */
uint32_t copy_from_user(void *to, const void *from_user, uint32_t n);
uint32_t copy_to_user(void *to_user, const void *from, uint32_t n);

/*
 * Kernel log.  Fixed arity instead of varargs: `fmt` may contain up to two
 * conversions, taking a then b; supported: %d %u %x %08x %c %s (a pointer to a
 * NUL-terminated kernel string) and %%.  Unused arguments are ignored (pass 0).
 * Returns the number of characters written.
 */
int32_t printk(const char *fmt, int32_t a, int32_t b);

/* Device access. */
void *gfx_device_base(void);               /* kernel address of the register block (gfx_device.h); NULL = no device */
void *ioremap(uint32_t phys_addr, uint32_t size); /* kernel address for a physical range (uncached), NULL on failure */
uint32_t ioread32(const void *addr);       /* 32-bit MMIO read  (little-endian) */
void iowrite32(uint32_t value, void *addr); /* 32-bit MMIO write (little-endian) */

/* Time (simulated, monotonic). */
void msleep(uint32_t ms);                  /* sleep at least ms milliseconds */
uint32_t ktime_get_ms(void);               /* milliseconds since boot, wraps at 2^32 */

#endif
