/*
 * bench/loop: a tight integer ALU/branch loop of a known instruction count.
 * Direct-boot ELF64 (the runtime's _start is not used: this file is the
 * whole program).  ITERATIONS iterations of a 10-instruction body, plus 7
 * set-up instructions and 3 to exit: 10 * ITERATIONS + 10 instructions.
 */
#define ITERATIONS 50000000

    .section .text
    .globl _start
_start:
    mov $ITERATIONS, %ecx
    xor %eax, %eax
    mov $1, %ebx
    xor %edx, %edx
    mov $0x9e3779b9, %esi
    xor %edi, %edi
    xor %r8d, %r8d
1:
    add %rbx, %rax
    xor %rax, %rdx
    lea 3(%rdx,%rbx,2), %rbx
    sub %rsi, %rdi
    and $0xffff, %rbx
    or %rdx, %r8
    shr $1, %r8
    cmp %rdi, %rax
    dec %ecx
    jnz 1b
    xor %eax, %eax
    mov $0xf4, %edx
    out %eax, (%dx)
