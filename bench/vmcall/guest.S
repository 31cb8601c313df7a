/*
 * The guest of bench/vmcall: RCX VMCALLs (RCX >= 1), then one more with
 * RAX = VMCALL_GUEST_DONE.  Each VMCALL is a VM exit (SDM 25.1.2); the host
 * skips it and resumes the guest.
 */
#include "vmcall.h"

    .section .text, "ax", @progbits
    .code64
    .globl vmcall_guest
vmcall_guest:
1:  vmcall
    decq    %rcx
    jnz     1b
    movl    $VMCALL_GUEST_DONE, %eax
    vmcall
    ud2                             /* never resumed */

    .section .note.GNU-stack, "", @progbits
