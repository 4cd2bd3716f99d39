/*
 * Reset entry, the general exception vector and the user/kernel crossings.
 *
 * The kernel runs with interrupts off (Status.IE = 0) at all times: system calls
 * and faults are the only ways in, and sleeping uses `wait` on the CP0 timer with
 * the interrupt masked in (it wakes `wait` without being taken).
 *
 * Two stacks: the boot stack (kernel_main and everything it calls, including the
 * driver's init) and the trap stack (one trap frame at its top for each entry from
 * user mode).  A process exit jumps back onto the boot stack (kernel_resume).
 */
#include "trap.h"

	.file	"entry.S"	/* the STT_FILE symbol; otherwise the temporary file name (not reproducible) */

	.set	noreorder
	.set	noat

	.section .text.vectors, "ax"
	.globl	_vectors
_vectors:
	.org	0x180
exc_general:
	/* From user mode (Status.KSU = user; EXL is already set by the exception) use the trap stack. */
	mfc0	$k0, $12
	andi	$k0, $k0, 0x18
	xori	$k0, $k0, 0x10
	bnez	$k0, 1f
	move	$k1, $sp
	lui	$k0, %hi(trap_stack_top)
	b	2f
	addiu	$k0, $k0, %lo(trap_stack_top)
1:	move	$k0, $sp
2:	addiu	$k0, $k0, -TF_SIZE
	sw	$1, 4($k0)
	sw	$2, 8($k0)
	sw	$3, 12($k0)
	sw	$4, 16($k0)
	sw	$5, 20($k0)
	sw	$6, 24($k0)
	sw	$7, 28($k0)
	sw	$8, 32($k0)
	sw	$9, 36($k0)
	sw	$10, 40($k0)
	sw	$11, 44($k0)
	sw	$12, 48($k0)
	sw	$13, 52($k0)
	sw	$14, 56($k0)
	sw	$15, 60($k0)
	sw	$16, 64($k0)
	sw	$17, 68($k0)
	sw	$18, 72($k0)
	sw	$19, 76($k0)
	sw	$20, 80($k0)
	sw	$21, 84($k0)
	sw	$22, 88($k0)
	sw	$23, 92($k0)
	sw	$24, 96($k0)
	sw	$25, 100($k0)
	sw	$28, 112($k0)
	sw	$k1, 116($k0)
	sw	$30, 120($k0)
	sw	$31, 124($k0)
	mfhi	$t0
	sw	$t0, TF_HI($k0)
	mflo	$t0
	sw	$t0, TF_LO($k0)
	mfc0	$t0, $14
	sw	$t0, TF_EPC($k0)
	mfc0	$t0, $12
	sw	$t0, TF_STATUS($k0)
	mfc0	$t0, $13
	sw	$t0, TF_CAUSE($k0)
	mfc0	$t0, $8
	sw	$t0, TF_BADVADDR($k0)
	/* Kernel mode proper (EXL = 0) while handling, so that a kernel fault is reported. */
	mtc0	$zero, $12
	move	$s0, $k0
	addiu	$sp, $k0, -24
	jal	exception_dispatch
	move	$a0, $k0
	move	$k0, $s0
	li	$t0, 0x12		/* back to user: KSU = user, EXL = 1 until eret */
	mtc0	$t0, $12
restore_frame:
	lw	$t0, TF_HI($k0)
	mthi	$t0
	lw	$t0, TF_LO($k0)
	mtlo	$t0
	lw	$t0, TF_EPC($k0)
	mtc0	$t0, $14
	lw	$1, 4($k0)
	lw	$2, 8($k0)
	lw	$3, 12($k0)
	lw	$4, 16($k0)
	lw	$5, 20($k0)
	lw	$6, 24($k0)
	lw	$7, 28($k0)
	lw	$8, 32($k0)
	lw	$9, 36($k0)
	lw	$10, 40($k0)
	lw	$11, 44($k0)
	lw	$12, 48($k0)
	lw	$13, 52($k0)
	lw	$14, 56($k0)
	lw	$15, 60($k0)
	lw	$16, 64($k0)
	lw	$17, 68($k0)
	lw	$18, 72($k0)
	lw	$19, 76($k0)
	lw	$20, 80($k0)
	lw	$21, 84($k0)
	lw	$22, 88($k0)
	lw	$23, 92($k0)
	lw	$24, 96($k0)
	lw	$25, 100($k0)
	lw	$28, 112($k0)
	lw	$29, 116($k0)
	lw	$30, 120($k0)
	lw	$31, 124($k0)
	eret

	.text
	.globl	_start
_start:
	lui	$sp, %hi(boot_stack_top)
	addiu	$sp, $sp, %lo(boot_stack_top)
	lui	$t0, %hi(_vectors)
	addiu	$t0, $t0, %lo(_vectors)
	mtc0	$t0, $15, 1		/* EBase */
	mtc0	$zero, $12		/* BEV = ERL = EXL = IE = 0, kernel mode */
	lui	$t0, 0x2000		/* HWREna: user rdhwr of CPUNum, SYNCI_Step, CC, CCRes, UserLocal */
	ori	$t0, $t0, 0xf
	mtc0	$t0, $7
	lui	$t0, %hi(__bss_start)
	addiu	$t0, $t0, %lo(__bss_start)
	lui	$t1, %hi(__bss_end)
	addiu	$t1, $t1, %lo(__bss_end)
1:	beq	$t0, $t1, 2f
	nop
	sw	$zero, 0($t0)
	b	1b
	addiu	$t0, $t0, 4
2:	jal	kernel_main
	addiu	$sp, $sp, -24
3:	b	3b
	nop

/* int32_t user_enter(struct trap_frame *frame): runs the process until it exits; returns its status. */
	.globl	user_enter
user_enter:
	lui	$t0, %hi(kernel_context)
	addiu	$t0, $t0, %lo(kernel_context)
	sw	$s0, 0($t0)
	sw	$s1, 4($t0)
	sw	$s2, 8($t0)
	sw	$s3, 12($t0)
	sw	$s4, 16($t0)
	sw	$s5, 20($t0)
	sw	$s6, 24($t0)
	sw	$s7, 28($t0)
	sw	$fp, 32($t0)
	sw	$sp, 36($t0)
	sw	$ra, 40($t0)
	li	$t0, 0x12
	mtc0	$t0, $12
	b	restore_frame
	move	$k0, $a0

/* void kernel_resume(int32_t status): back onto the boot stack, user_enter returns status. */
	.globl	kernel_resume
kernel_resume:
	lui	$t0, %hi(kernel_context)
	addiu	$t0, $t0, %lo(kernel_context)
	lw	$s0, 0($t0)
	lw	$s1, 4($t0)
	lw	$s2, 8($t0)
	lw	$s3, 12($t0)
	lw	$s4, 16($t0)
	lw	$s5, 20($t0)
	lw	$s6, 24($t0)
	lw	$s7, 28($t0)
	lw	$fp, 32($t0)
	lw	$sp, 36($t0)
	lw	$ra, 40($t0)
	mtc0	$zero, $12
	jr	$ra
	move	$v0, $a0

/* void machine_shutdown(int32_t status, int32_t panic): the machine's power-off hypercall. */
	.globl	machine_shutdown
machine_shutdown:
	sdbbp	HYPERCALL_SHUTDOWN
4:	b	4b
	nop

/* Sleep primitive: idles until any unmasked interrupt is pending (IE stays 0). */
	.globl	cpu_wait
cpu_wait:
	wait
	jr	$ra
	nop

	.bss
	.align	4
kernel_context:
	.space	48
	.align	4
	.space	16384
	.globl	boot_stack_top
boot_stack_top:
	.space	16384
	.globl	trap_stack_top
trap_stack_top:
