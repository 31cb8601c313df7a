/*
 * The guest of vmx-basic: 64-bit code in the same image, run in VMX
 * non-root operation with the host's page tables and GDT.  Each POINT gx_X
 * is an instruction the host expects a VM exit at (vmx_basic_exits.c); the
 * VMCALLs at gx_*_done come after instructions that must not exit.
 * Registers the host looks at are noted; vmx_basic.h declares the values.
 */
#include "vmx_basic.h"

.macro POINT name
    .globl \name
\name:
.endm

    .section .text, "ax", @progbits
    .code64

POINT guest_entry
    xorl    %eax, %eax
POINT gx_cpuid
    cpuid                           /* exit 10, length 2 */
POINT gx_hlt
    hlt                             /* HLT exiting: exit 12, length 1 */
POINT gx_out_imm
    outb    %al, $PORT_IMM          /* bitmap A bit set: exit 30, immediate operand */
    movl    $PORT_WORD, %edx
POINT gx_out_word
    outw    %ax, %dx                /* bitmap A bit set: exit 30, 2 bytes, DX */
    movl    $PORT_IN, %edx
POINT gx_in_dword
    inl     %dx, %eax               /* bitmap B bit set: exit 30, IN, 4 bytes; the host emulates */
    movl    %eax, %r12d             /* r12: what the IN returned */
    movl    $PORT_STRADDLE, %edx
POINT gx_out_straddle
    outw    %ax, %dx                /* ports 7FFFH (A, clear) and 8000H (B, set): exit */
    movl    $0xffff, %edx
POINT gx_out_wrap
    outw    %ax, %dx                /* ports FFFFH and 0000H (both clear): wraps, exit */
    leaq    guest_message(%rip), %rsi
    call    guest_com1_puts         /* COM1 ports clear in bitmap A: no exits */
POINT gx_io_done
    vmcall

    movl    $MSR_READ_EXIT, %ecx
POINT gx_rdmsr
    rdmsr                           /* read bitmap (low) bit set: exit 31; the host emulates */
    movl    %eax, %r14d             /* r14: what RDMSR returned (EAX) */
    movl    $MSR_WRITE_EXIT, %ecx
    movl    $WRMSR_EXIT_EAX, %eax
    movl    $WRMSR_EXIT_EDX, %edx
POINT gx_wrmsr
    wrmsr                           /* write bitmap (high) bit set: exit 32 */
    movl    $MSR_OUTSIDE, %ecx
POINT gx_rdmsr_outside
    rdmsr                           /* outside both bitmap ranges: exit 31, not #GP */
    movl    $MSR_PASS, %ecx
    movl    $(SYSENTER_ESP_VALUE & 0xffffffff), %eax
    movl    $(SYSENTER_ESP_VALUE >> 32), %edx
    wrmsr                           /* bits clear: no exit */
    xorl    %eax, %eax
    xorl    %edx, %edx
    rdmsr                           /* no exit: EDX:EAX = the value written */
POINT gx_msr_done
    vmcall

    movq    %cr0, %r8               /* no exit: TS comes from the CR0 read shadow */
    movq    %r8, %rbx
    movq    %rbx, %cr0              /* TS = read shadow: no exit, host-owned TS unchanged */
    andq    $~CR0_TS, %rbx
POINT gx_mov_cr0
    movq    %rbx, %cr0              /* TS differs from the read shadow: exit 28 */
    movq    guest_cr3(%rip), %rax
POINT gx_mov_cr3
    movq    %rax, %cr3              /* not a CR3-target value: exit 28; the host emulates */
    movq    guest_alt_cr3(%rip), %rcx
    movq    %rcx, %cr3              /* CR3-target value 0: no exit */
POINT gx_cr_done
    vmcall
    movq    guest_cr3(%rip), %rax
POINT gx_mov_cr3_back
    movq    %rax, %cr3              /* exit 28 again; the host emulates */

POINT gx_ud2
    ud2                             /* exception bitmap bit 6: exit 0 */
POINT gx_int3
    int3                            /* exception bitmap bit 3: exit 0, software exception */
POINT gx_lock_cpuid
    .byte   0xf0                    /* LOCK CPUID: #UD has priority over the CPUID exit */
    cpuid

    movl    $GUEST_VMCALL_LOOPS, %ecx
POINT gx_loop
    vmcall                          /* exit 18, length 3, GUEST_VMCALL_LOOPS times */
    decl    %ecx
    jnz     gx_loop
    movl    $GUEST_DONE, %eax
POINT gx_done
    vmcall                          /* the host leaves VMX operation */
    ud2

/* Writes the NUL-terminated string at RSI to COM1, polling LSR.THRE
 * (bit 5 of port 3FDH) a bounded number of times per byte. */
guest_com1_puts:
    movzbl  (%rsi), %eax
    testl   %eax, %eax
    jz      3f
    movl    %eax, %edi
    movl    $100000, %ecx
    movl    $COM1_LSR, %edx
1:  inb     %dx, %al
    testb   $0x20, %al
    jnz     2f
    decl    %ecx
    jnz     1b
2:  movl    %edi, %eax
    movl    $COM1_THR, %edx
    outb    %al, %dx
    incq    %rsi
    jmp     guest_com1_puts
3:  ret

    .section .rodata, "a", @progbits
guest_message:
    .asciz  "# guest: this line was written to COM1 from VMX non-root operation\n"

    .section .note.GNU-stack, "", @progbits
