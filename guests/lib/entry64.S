/*
 * _start for the vmxsim direct-boot protocol (include/vmxsim/boot_info.h):
 * 64-bit mode, paging on, RSP valid, RDI = physical address of VmxsimBootInfo.
 * Clears .bss, records info in guest_boot_info, initialises COM1, calls
 * guest_main(info), then guest_exit(return value).
 */
    .section .text.entry, "ax", @progbits
    .code64
    .globl _start
    .type _start, @function
_start:
    xorl    %ebp, %ebp
    andq    $-16, %rsp              /* SysV ABI: 16-byte aligned before the call */
    movq    %rdi, %rbx              /* callee-saved: survives the calls below */

    movl    $__bss_start, %edi      /* the loader zeroes .bss too; do not rely on it */
    movl    $__bss_end, %ecx
1:  cmpq    %rcx, %rdi
    jae     2f
    movq    $0, (%rdi)
    addq    $8, %rdi
    jmp     1b
2:  movq    %rbx, guest_boot_info(%rip)
    call    guest_serial_init
    movq    %rbx, %rdi
    call    guest_main
    movl    %eax, %edi
    call    guest_exit
3:  cli
    hlt
    jmp     3b
    .size _start, . - _start

    .section .data, "aw", @progbits
    .balign 8
    .globl guest_boot_info
    .type guest_boot_info, @object
guest_boot_info:
    .quad   0
    .size guest_boot_info, 8

    .section .note.GNU-stack, "", @progbits
