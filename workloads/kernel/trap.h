/* Trap frame layout (shared by entry.S and C) and the kernel's hypercall codes. */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#define TF_HI        128
#define TF_LO        132
#define TF_EPC       136
#define TF_STATUS    140
#define TF_CAUSE     144
#define TF_BADVADDR  148
#define TF_SIZE      152

/* sdbbp code: power off; a0 = exit status, a1 = 1 after a kernel panic. */
#define HYPERCALL_SHUTDOWN 0x4b0

#ifndef __ASSEMBLER__
#include <stdint.h>
struct trap_frame {
	uint32_t regs[32];
	uint32_t hi, lo, epc, status, cause, badvaddr;
};
#endif
#endif
