/*
 * VM entry and the VM-exit landing pad (guest/vmx.h).
 *
 * VmxResult vmx_run(VmxGuestRegs *regs, bool resume)
 *   Saves the callee-saved registers and regs on the stack, writes HOST_RSP
 *   (SDM 24.5 "Host-State Area"), loads the guest's general-purpose
 *   registers and executes VMLAUNCH or VMRESUME.
 *   - The instruction fails (SDM 30.3 "VMLAUNCH/VMRESUME": VMfailInvalid,
 *     VMfailValid): execution continues after it; returns 1 (CF = 1) or 2.
 *   - A VM exit, or a VM-entry failure during or after loading guest state
 *     (26.7), loads RIP = HOST_RIP = vmx_exit_stub and RSP = HOST_RSP
 *     (27.5.3): the stub saves the guest registers into regs and returns 0
 *     from vmx_run.  RFLAGS is 2 after a VM exit (27.5.3), so DF = 0 as the
 *     ABI requires.
 */
#include "guest/vmx.h"

    .section .text, "ax", @progbits
    .code64

    .globl vmx_run
    .type vmx_run, @function
vmx_run:
    pushq   %rbx
    pushq   %rbp
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    pushq   %rdi                    /* regs: at HOST_RSP for the stub */
    movl    $VMX_HOST_RSP_ENCODING, %eax
    vmwrite %rsp, %rax
    testl   %esi, %esi              /* ZF survives the MOVs below */
    movq    VMX_REGS_RAX(%rdi), %rax
    movq    VMX_REGS_RCX(%rdi), %rcx
    movq    VMX_REGS_RDX(%rdi), %rdx
    movq    VMX_REGS_RBX(%rdi), %rbx
    movq    VMX_REGS_RBP(%rdi), %rbp
    movq    VMX_REGS_RSI(%rdi), %rsi
    movq    VMX_REGS_R8(%rdi), %r8
    movq    VMX_REGS_R9(%rdi), %r9
    movq    VMX_REGS_R10(%rdi), %r10
    movq    VMX_REGS_R11(%rdi), %r11
    movq    VMX_REGS_R12(%rdi), %r12
    movq    VMX_REGS_R13(%rdi), %r13
    movq    VMX_REGS_R14(%rdi), %r14
    movq    VMX_REGS_R15(%rdi), %r15
    movq    VMX_REGS_RDI(%rdi), %rdi
    jnz     1f
    vmlaunch
    jmp     2f
1:  vmresume
2:  movl    $1, %eax                /* VMX_FAIL_INVALID when CF = 1 */
    jc      3f
    movl    $2, %eax                /* VMX_FAIL_VALID */
3:  addq    $8, %rsp                /* regs */
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %rbp
    popq    %rbx
    ret
    .size vmx_run, . - vmx_run

    .globl vmx_exit_stub
    .type vmx_exit_stub, @function
vmx_exit_stub:
    pushq   %rdi
    movq    8(%rsp), %rdi           /* regs */
    movq    %rax, VMX_REGS_RAX(%rdi)
    movq    %rcx, VMX_REGS_RCX(%rdi)
    movq    %rdx, VMX_REGS_RDX(%rdi)
    movq    %rbx, VMX_REGS_RBX(%rdi)
    movq    %rbp, VMX_REGS_RBP(%rdi)
    movq    %rsi, VMX_REGS_RSI(%rdi)
    movq    %r8, VMX_REGS_R8(%rdi)
    movq    %r9, VMX_REGS_R9(%rdi)
    movq    %r10, VMX_REGS_R10(%rdi)
    movq    %r11, VMX_REGS_R11(%rdi)
    movq    %r12, VMX_REGS_R12(%rdi)
    movq    %r13, VMX_REGS_R13(%rdi)
    movq    %r14, VMX_REGS_R14(%rdi)
    movq    %r15, VMX_REGS_R15(%rdi)
    popq    VMX_REGS_RDI(%rdi)      /* the guest's RDI */
    addq    $8, %rsp                /* regs */
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %rbp
    popq    %rbx
    xorl    %eax, %eax              /* VMX_SUCCEED: host state loaded */
    ret
    .size vmx_exit_stub, . - vmx_exit_stub

    .section .note.GNU-stack, "", @progbits
