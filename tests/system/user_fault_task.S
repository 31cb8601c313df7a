/*
 * Code for user-fault-recover (user_fault.c): the CPL 3 task, the switch
 * into it, and kernel-mode instructions that fault on purpose.  Every
 * instruction expected to fault has a global label, and the label after it
 * is where the handler resumes.
 */
#include "lib/x86.h"

.macro POINT name
    .globl \name
\name:
.endm

    .section .text, "ax", @progbits
    .code64

/* void enter_user(uint64_t rip, uint64_t rsp): IRETQ to CPL 3 (CS 0x33,
 * SS 0x2b, RFLAGS.IF = 1).  The INT 0x80 handler comes back to kernel_resume
 * with RSP = kernel_resume_rsp, and enter_user returns. */
    .globl enter_user
enter_user:
    pushq   %rbx
    pushq   %rbp
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    movq    %rsp, kernel_resume_rsp(%rip)
    pushq   $SEL_UDATA
    pushq   %rsi
    pushq   $0x202
    pushq   $SEL_UCODE64
    pushq   %rdi
    iretq
POINT kernel_resume
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %rbp
    popq    %rbx
    ret

/* The user task (CPL 3).  Each POINT ut_X is a faulting instruction and
 * ut_X_next the instruction after it. */
POINT user_task
    movl    $1, %eax
    xorl    %edx, %edx
    xorl    %ecx, %ecx
POINT ut_de
    divl    %ecx                    /* #DE */
POINT ut_de_next
POINT ut_pf_read
    movq    0x401000, %rax          /* supervisor page: #PF P|U */
POINT ut_pf_read_next
POINT ut_pf_write
    movq    $1, 0x401000            /* supervisor page: #PF P|W|U */
POINT ut_pf_write_next
POINT ut_pf_np
    movq    0x402000, %rax          /* not present: #PF U; mapped, then restarted */
POINT ut_pf_np_next
    movq    %rax, ut_np_value(%rip)
POINT ut_pf_ro
    movq    $1, 0x403000            /* user read-only page: #PF P|W|U */
POINT ut_pf_ro_next
    movq    0x403000, %rax          /* user read-only page: reading is allowed */
    movq    %rax, ut_ro_value(%rip)
    movl    $0x401000, %eax
POINT ut_pf_fetch
    call    *%rax                   /* fetch from a supervisor page: #PF P|U|I at the target */
POINT ut_pf_fetch_next
POINT ut_gp_hlt
    hlt                             /* privileged: #GP(0) */
POINT ut_gp_hlt_next
POINT ut_gp_cr
    movq    %cr0, %rax              /* privileged: #GP(0) */
POINT ut_gp_cr_next
POINT ut_gp_cli
    cli                             /* CPL 3 > IOPL 0: #GP(0) */
POINT ut_gp_cli_next
    movl    $SEL_KDATA, %eax
POINT ut_gp_sel
    movw    %ax, %ds                /* DPL 0 data segment at CPL 3: #GP(0x10) */
POINT ut_gp_sel_next
POINT ut_gp_int
    int     $0x0e                   /* gate DPL 0 < CPL 3: #GP(0x0e * 8 + 2) */
POINT ut_gp_int_next
POINT ut_ud
    ud2                             /* #UD */
POINT ut_ud_next
    movl    $0x5eed, %eax
    int     $0x80                   /* DPL 3 trap gate: back to the kernel */
POINT ut_int80_next
    ud2                             /* never reached */

/* Kernel-mode faults (CPL 0), called from C.  kfault_rsp records RSP at the
 * faulting instruction. */
    .globl kfault_ud
kfault_ud:
    movq    %rsp, kfault_rsp(%rip)
POINT kfault_ud_insn
    ud2
POINT kfault_ud_next
    ret

    .globl kfault_int50
kfault_int50:
    movq    %rsp, kfault_rsp(%rip)
POINT kfault_int50_insn
    int     $0x50
POINT kfault_int50_next
    ret

    .globl kfault_gp
kfault_gp:
    movq    %rsp, kfault_rsp(%rip)
    movabsq $0x8000000000000000, %rax
POINT kfault_gp_insn
    movq    (%rax), %rax            /* non-canonical: #GP(0) */
POINT kfault_gp_next
    ret

    .section .data, "aw", @progbits
    .balign 8
    .globl kernel_resume_rsp, kfault_rsp, ut_ro_value, ut_np_value
kernel_resume_rsp: .quad 0
kfault_rsp:        .quad 0
ut_ro_value:       .quad 0
ut_np_value:       .quad 0

    .section .note.GNU-stack, "", @progbits
