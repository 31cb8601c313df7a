/*
 * vmx-basic: instructions that are expected to fault in VMX root operation
 * or outside VMX operation.  Each probe_X executes one instruction at
 * probe_X_insn; the exception handler (vmx_basic.c) resumes at probe_X_next.
 */
.macro POINT name
    .globl \name
\name:
.endm

    .section .text, "ax", @progbits
    .code64

/* void probe_vmxon(uint64_t pa): VMXON with the VMXON pointer pa. */
    .globl probe_vmxon
probe_vmxon:
    pushq   %rdi
POINT probe_vmxon_insn
    vmxon   (%rsp)
POINT probe_vmxon_next
    popq    %rdi
    ret

/* void probe_wrmsr(uint32_t msr, uint64_t value) */
    .globl probe_wrmsr
probe_wrmsr:
    movl    %edi, %ecx
    movl    %esi, %eax
    movq    %rsi, %rdx
    shrq    $32, %rdx
POINT probe_wrmsr_insn
    wrmsr
POINT probe_wrmsr_next
    ret

/* void probe_vmread(void): VMREAD of GUEST_RIP into RAX. */
    .globl probe_vmread
probe_vmread:
    movl    $0x681e, %edx
POINT probe_vmread_insn
    vmread  %rdx, %rax
POINT probe_vmread_next
    ret

/* The CPL 3 task, entered with enter_user() (user_fault_task.S) while the
 * CPU is in VMX root operation: three VMX instructions, each #GP(0), then
 * INT 0x80 back to the kernel. */
POINT user_vmx_task
    movl    $0x681e, %edx
POINT uv_vmread
    vmread  %rdx, %rax
POINT uv_vmread_next
    pushq   $0
POINT uv_vmxon
    vmxon   (%rsp)
POINT uv_vmxon_next
    popq    %rax
POINT uv_vmcall
    vmcall
POINT uv_vmcall_next
    int     $0x80
    ud2                             /* never reached */

    .section .note.GNU-stack, "", @progbits
