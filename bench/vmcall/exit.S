/*
 * The measured hot path of bench/vmcall, in assembly so that it is exactly
 * what issue 5 describes: on each VM exit (SDM 27.5: the host resumes at
 * HOST_RIP with HOST_RSP, every other GPR still holding the guest's value)
 * read the exit reason and the VM-exit instruction length, advance
 * GUEST_RIP and VMRESUME.  The guest (guest.S) only uses RAX and RCX, so
 * the handler uses RDX, RSI, RDI and R8 without saving anything.
 *
 * uint64_t vmcall_run(uint64_t iterations): VMLAUNCH the current VMCS
 * (HOST_RIP = vmcall_exit, HOST_RSP = the stack at the call) and return the
 * number of VMCALL exits resumed, or ~0 when an entry failed or an exit was
 * not the expected VMCALL.
 */
#include "vmcall.h"

#define EXIT_REASON_ENC 0x4402
#define EXIT_INSTRUCTION_LENGTH_ENC 0x440c
#define GUEST_RIP_ENC 0x681e
#define HOST_RSP_ENC 0x6c14
#define HOST_RIP_ENC 0x6c16
#define EXIT_REASON_VMCALL 18

    .section .text, "ax", @progbits
    .code64
    .globl vmcall_run
vmcall_run:
    push    %rbx
    push    %rbp
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    mov     $HOST_RSP_ENC, %edx
    vmwrite %rsp, %rdx
    lea     vmcall_exit(%rip), %rsi
    mov     $HOST_RIP_ENC, %edx
    vmwrite %rsi, %rdx
    mov     %rdi, %rcx              /* the guest's loop count */
    xor     %r8d, %r8d              /* exits resumed */
    xor     %eax, %eax
    vmlaunch
    jmp     .Lfailed                /* VMfailInvalid / VMfailValid */

vmcall_exit:
    mov     $EXIT_REASON_ENC, %edx
    vmread  %rdx, %rsi
    cmp     $EXIT_REASON_VMCALL, %esi
    jne     .Lfailed
    cmp     $VMCALL_GUEST_DONE, %eax
    je      .Ldone
    mov     $EXIT_INSTRUCTION_LENGTH_ENC, %edx
    vmread  %rdx, %rdi
    mov     $GUEST_RIP_ENC, %edx
    vmread  %rdx, %rsi
    add     %rdi, %rsi
    vmwrite %rsi, %rdx
    inc     %r8
    vmresume
.Lfailed:
    mov     $-1, %r8
.Ldone:
    mov     %r8, %rax
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %rbp
    pop     %rbx
    ret

    .section .note.GNU-stack, "", @progbits
