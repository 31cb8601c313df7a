/*
 * The guests of vmx-toolkit.  tk_guest32 runs in 32-bit protected mode
 * (vmx_guest_state_32): byte 40H is INC EAX there, but a REX prefix in
 * 64-bit mode (SDM Vol. 2 2.2.1 "REX Prefixes"), so EBX = 1 at the VMCALL
 * proves the mode.  CR4 is read without an exit (guest/host mask 0).
 */
#include "vmx_toolkit.h"

    .section .text, "ax", @progbits
    .code32
    .globl tk_guest32
tk_guest32:
    xorl    %eax, %eax
    cpuid                           /* exit 10 */
    outb    %al, $TK_PORT           /* exit 30 */
    xorl    %eax, %eax
    .byte   0x40                    /* INC EAX (32-bit); REX (64-bit) */
    nop
    movl    %eax, %ebx
    movl    %cr4, %ecx
    movl    $TK_DONE32, %eax
    vmcall                          /* exit 18 */
1:  jmp     1b

    .code64
    .globl tk_guest64
tk_guest64:
    hlt                             /* exit 12, no handler: the dispatch ends */
1:  jmp     1b

    .section .note.GNU-stack, "", @progbits
