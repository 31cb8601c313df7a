/*
 * Code for syscall-sysret (syscall.c): the IA32_LSTAR entry point and the
 * CPL 3 tasks.  The kernel side records what SYSCALL loaded and returns
 * with SYSRETQ; the user side records what SYSRET loaded.
 */
#include "lib/x86.h"

.macro POINT name
    .globl \name
\name:
.endm

    .section .text, "ax", @progbits
    .code64

/* IA32_LSTAR.  SYSCALL does not switch stacks: RSP is still the task's. */
POINT syscall_entry
    movq    %rsp, sc_k_rsp(%rip)
    movq    %rcx, sc_k_rcx(%rip)
    movq    %r11, sc_k_r11(%rip)
    movw    %cs, sc_k_cs(%rip)
    movw    %ss, sc_k_ss(%rip)
    movq    %rax, sc_k_rax(%rip)
    leaq    sc_kstack_top(%rip), %rsp
    pushfq
    popq    sc_k_rflags(%rip)
    movl    $0xbeef, %eax            /* the "system call" result */
    movq    sc_k_rsp(%rip), %rsp
    sysretq

/* Task 1: a SYSCALL round trip, then SYSRET at CPL 3, then INT 0x80. */
POINT syscall_task
    pushfq
    orq     $0x400, (%rsp)          /* DF = 1: IA32_FMASK must clear it in the kernel */
    popfq
    movl    $0x1234, %eax
    movl    $0x5555, %ecx
    movl    $0x6666, %r11d
POINT sc_insn
    syscall
POINT sc_next
    movw    %cs, sc_u_cs(%rip)
    movw    %ss, sc_u_ss(%rip)
    pushfq
    popq    sc_u_rflags(%rip)
    movq    %rax, sc_u_rax(%rip)
    movq    %rcx, sc_u_rcx(%rip)
    movq    %r11, sc_u_r11(%rip)
    movq    %rsp, sc_u_rsp(%rip)
    cld
POINT sr_insn
    sysretq                         /* CPL 3: #GP(0) */
POINT sr_next
    int     $0x80

/* Task 2: SYSCALL with IA32_EFER.SCE = 0. */
POINT syscall_ud_task
POINT scud_insn
    syscall                         /* #UD */
POINT scud_next
    int     $0x80

    .section .data, "aw", @progbits
    .balign 8
    .globl sc_k_rsp, sc_k_rcx, sc_k_r11, sc_k_cs, sc_k_ss, sc_k_rax, sc_k_rflags
    .globl sc_u_cs, sc_u_ss, sc_u_rflags, sc_u_rax, sc_u_rcx, sc_u_r11, sc_u_rsp
sc_k_rsp:    .quad 0
sc_k_rcx:    .quad 0
sc_k_r11:    .quad 0
sc_k_cs:     .quad 0
sc_k_ss:     .quad 0
sc_k_rax:    .quad 0
sc_k_rflags: .quad 0
sc_u_cs:     .quad 0
sc_u_ss:     .quad 0
sc_u_rflags: .quad 0
sc_u_rax:    .quad 0
sc_u_rcx:    .quad 0
sc_u_r11:    .quad 0
sc_u_rsp:    .quad 0

    .section .bss, "aw", @nobits
    .balign 16
sc_kstack:   .skip 4096
sc_kstack_top:

    .section .note.GNU-stack, "", @progbits
