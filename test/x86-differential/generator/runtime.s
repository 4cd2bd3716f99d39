# Runtime shared by every generated differential program (prepended to the cases).
# A case loads a full state from its record (scratch memory, the 8 GPRs, EFLAGS),
# runs the code under test, then dumps GPRs + EFLAGS (and the scratch bytes when
# the case uses memory) to an output buffer that is written to stdout with int $0x80.
# Nothing between "popl %esp" and "movl %esp,saved_esp" touches the stack, so %esp
# may hold any value in cases that do not use the stack.
# Record layout (popal order): edi esi ebp pad ebx edx ecx eax eflags esp [64 scratch bytes]

        .section .note.GNU-stack,"",@progbits   # non-executable stack, no READ_IMPLIES_EXEC

        .set SCRATCH_SIZE, 64
        .set OUT_SIZE, 65536

        # Scratch sits across a page boundary (linked at 0x20000fe0), so half of
        # the accesses of the code under test cross into the next page.
        .section .scratch,"aw",@nobits
        .globl scratch
scratch:
        .space SCRATCH_SIZE

        .bss
        .balign 4
saved_esp:
        .space 4
dump_with_mem:
        .space 4
rt_stack:
        .space 1024
rt_stack_top:
outbuf:
        .space OUT_SIZE
outbuf_end:

        .data
        .balign 4
outptr:
        .long outbuf

        .text
        .globl _start
_start:
        movl $rt_stack_top, %esp
        jmp cases_begin

# Stack on entry: ret, then pushal's edi esi ebp esp ebx edx ecx eax, then eflags.
# Writes eax ecx edx ebx esp ebp esi edi eflags (register-number order), then for
# dump_regs_and_mem the scratch bytes.
dump_regs_and_mem:
        movl $1, dump_with_mem
        jmp 1f
dump_regs:
        movl $0, dump_with_mem
1:      cld
        movl outptr, %edi
        movl 32(%esp), %eax
        stosl
        movl 28(%esp), %eax
        stosl
        movl 24(%esp), %eax
        stosl
        movl 20(%esp), %eax
        stosl
        movl saved_esp, %eax
        stosl
        movl 12(%esp), %eax
        stosl
        movl 8(%esp), %eax
        stosl
        movl 4(%esp), %eax
        stosl
        movl 36(%esp), %eax
        stosl
        cmpl $0, dump_with_mem
        je 2f
        movl $scratch, %esi
        movl $SCRATCH_SIZE/4, %ecx
        rep movsl
2:      movl %edi, outptr
        cmpl $outbuf_end-256, %edi
        jb 1f
        call flush
1:      ret

flush:
        movl $outbuf, %ecx
        movl outptr, %edx
        subl %ecx, %edx
2:      testl %edx, %edx
        jz 3f
        movl $4, %eax
        movl $1, %ebx
        int $0x80
        testl %eax, %eax
        jle write_failed
        addl %eax, %ecx
        subl %eax, %edx
        jmp 2b
3:      movl $outbuf, outptr
        ret

write_failed:
        movl $1, %eax
        movl $99, %ebx
        int $0x80

finish:
        movl $rt_stack_top, %esp
        call flush
        movl $1, %eax
        xorl %ebx, %ebx
        int $0x80

        # Inline copies and a single call per dump keep each case one straight-line
        # run of code (an interpreter that compiles blocks compiles one per case).
        .macro LOAD id, mem
        .if \mem
        cld
        movl $.Lst\id+40, %esi
        movl $scratch, %edi
        movl $SCRATCH_SIZE/4, %ecx
        rep movsl
        .endif
        movl $.Lst\id, %esp
        popal
        popfl
        popl %esp
        .endm

        .macro DUMP id, mem
        movl %esp, saved_esp
        movl $rt_stack_top, %esp
        pushfl
        pushal
        .if \mem
        call dump_regs_and_mem
        .else
        call dump_regs
        .endif
        .pushsection .ukcf_cases,"",@progbits
        .long .Lb\id, .Le\id - .Lb\id
        .popsection
        .endm

cases_begin:
