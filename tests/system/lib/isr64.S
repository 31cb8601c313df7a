/*
 * Exception and interrupt entry stubs for the tests/system guests: one
 * 16-byte stub per vector (systest_isr_stubs + 16 * vector).  Each pushes a
 * 0 in place of the error code when the CPU pushes none (SDM 6.3.1
 * Table 6-1: 8, 10-14, 17, 21, 29, 30 have one), then the vector, saves the
 * general registers and calls systest_trap(TrapFrame *).  The handler may
 * rewrite the frame; the stub then returns with IRETQ (SDM 6.14.3).
 */
    .section .text, "ax", @progbits
    .code64
    .balign 16
    .globl systest_isr_stubs
systest_isr_stubs:
    .set vec, 0
    .rept 256
    .balign 16
    .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
    .else
    pushq   $0
    .endif
    pushq   $vec
    jmp     isr_common
    .set vec, vec + 1
    .endr

isr_common:
    pushq   %r15
    pushq   %r14
    pushq   %r13
    pushq   %r12
    pushq   %r11
    pushq   %r10
    pushq   %r9
    pushq   %r8
    pushq   %rbp
    pushq   %rdi
    pushq   %rsi
    pushq   %rdx
    pushq   %rcx
    pushq   %rbx
    pushq   %rax
    movq    %rsp, %rdi
    cld
    call    systest_trap
    popq    %rax
    popq    %rbx
    popq    %rcx
    popq    %rdx
    popq    %rsi
    popq    %rdi
    popq    %rbp
    popq    %r8
    popq    %r9
    popq    %r10
    popq    %r11
    popq    %r12
    popq    %r13
    popq    %r14
    popq    %r15
    addq    $16, %rsp               /* vector and error code */
    iretq

    .section .note.GNU-stack, "", @progbits
