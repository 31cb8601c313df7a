/*
 * dbg-vmx's guest: a near call (for the debugger's `next`), then four
 * instructions that cause VM exits, in order
 * (SDM 25.1.2 "Instructions That Cause VM Exits Unconditionally": CPUID,
 * VMCALL; 25.1.3 "Instructions That Cause VM Exits Conditionally": OUT
 * with "unconditional I/O exiting", HLT with "HLT exiting").
 */
    .section .text, "ax", @progbits
    .code64
    .globl dbg_guest_code
    .type dbg_guest_code, @function
dbg_guest_code:
    xorl    %eax, %eax
    .globl dbg_guest_call
dbg_guest_call:
    call    dbg_guest_sub
    .globl dbg_guest_cpuid
dbg_guest_cpuid:
    cpuid
    .globl dbg_guest_vmcall
dbg_guest_vmcall:
    vmcall
    movb    $0x5a, %al
    .globl dbg_guest_out
dbg_guest_out:
    outb    %al, $0x80
    .globl dbg_guest_hlt
dbg_guest_hlt:
    hlt
    jmp     dbg_guest_code
    .globl dbg_guest_sub
dbg_guest_sub:
    ret
    .size dbg_guest_code, . - dbg_guest_code

/* The host's deliberate #UD (ud=1): UD2 (SDM Vol. 2 UD2), which the trap
 * handler skips. */
    .globl dbg_raise_ud
    .type dbg_raise_ud, @function
dbg_raise_ud:
    .globl dbg_ud2
dbg_ud2:
    ud2
    ret
    .size dbg_raise_ud, . - dbg_raise_ud
    .section .note.GNU-stack, "", @progbits
