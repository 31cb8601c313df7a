/*
 * Multiboot v1 header and entry, shared by every MULTIBOOT guest
 * (vmxsim_add_guest(... MULTIBOOT)).
 *
 * The loader enters multiboot_entry in 32-bit protected mode, paging off,
 * EAX = 0x2BADB002, EBX = physical address of the multiboot information
 * (Multiboot Specification 0.6.96, 3.2 "Machine state").  This code checks
 * EAX, clears .bss, identity-maps the first 1 GiB with 2 MiB pages, enters
 * IA-32e mode (SDM Vol. 3A 10.8.5 "Initializing IA-32e Mode": CR4.PAE, CR3,
 * IA32_EFER.LME, then CR0.PG), far-jumps to 64-bit code and calls
 * int guest_mb_main(uint32_t mb_info), then guest_exit(its result).
 */
#include "guest/asm.h"

#define MB_HEADER_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* bit 0: page-align modules; bit 1: memory info */
#define MB_LOADER_MAGIC 0x2BADB002
#define MB_BAD_MAGIC_EXIT 0x7f

#define SEL_CODE64 0x08
#define SEL_DATA 0x10

#define CR0_PE 0x00000001
#define CR0_PG 0x80000000
#define CR4_PAE 0x00000020
#define MSR_IA32_EFER 0xC0000080
#define EFER_LME 0x00000100
#define PTE_P_RW 0x003
#define PDE_P_RW_PS 0x083 /* present, writable, 2 MiB page */
#define PAGE_2M_SHIFT 21
#define STACK_SIZE 16384

/* Placed first by link.ld: the loader scans the first 8 KiB of the file. */
    .section .multiboot, "a", @progbits
    .balign 4
multiboot_header:
    .long   MB_HEADER_MAGIC
    .long   MB_FLAGS
    .long   -(MB_HEADER_MAGIC + MB_FLAGS)

    .section .text.multiboot, "ax", @progbits
    .code32
    .globl multiboot_entry
    .type multiboot_entry, @function
multiboot_entry:
    cli
    cld
    cmpl    $MB_LOADER_MAGIC, %eax
    je      1f
    movl    $MB_BAD_MAGIC_EXIT, %eax
    outl    %eax, $GUEST_ASM_DEBUG_EXIT_PORT
0:  hlt
    jmp     0b

1:  movl    %ebx, mb_info_phys      /* in .data: the .bss clear below keeps it */
    lgdt    gdt_desc
    movw    $SEL_DATA, %ax
    movw    %ax, %ds
    movw    %ax, %es
    movw    %ax, %ss
    movw    %ax, %fs
    movw    %ax, %gs

    movl    $__bss_start, %edi      /* page tables and stack live in .bss */
2:  cmpl    $__bss_end, %edi
    jae     3f
    movl    $0, (%edi)
    addl    $4, %edi
    jmp     2b

3:  xorl    %ecx, %ecx              /* pd[i] = i * 2 MiB | P | RW | PS */
4:  movl    %ecx, %eax
    shll    $PAGE_2M_SHIFT, %eax
    orl     $PDE_P_RW_PS, %eax
    movl    %eax, pd(, %ecx, 8)
    incl    %ecx
    cmpl    $512, %ecx
    jb      4b
    movl    $(pd + PTE_P_RW), pdpt
    movl    $(pdpt + PTE_P_RW), pml4

    movl    %cr4, %eax
    orl     $CR4_PAE, %eax
    movl    %eax, %cr4
    movl    $pml4, %eax
    movl    %eax, %cr3
    movl    $MSR_IA32_EFER, %ecx
    rdmsr
    orl     $EFER_LME, %eax
    wrmsr
    movl    %cr0, %eax
    orl     $(CR0_PG | CR0_PE), %eax
    movl    %eax, %cr0              /* IA-32e mode, compatibility mode */
    ljmp    $SEL_CODE64, $long_mode
    .size multiboot_entry, . - multiboot_entry

    .code64
long_mode:
    movl    $SEL_DATA, %eax
    movw    %ax, %ds
    movw    %ax, %es
    movw    %ax, %ss
    movw    %ax, %fs
    movw    %ax, %gs
    movq    $stack_top, %rsp
    xorl    %ebp, %ebp
    call    guest_serial_init
    movl    mb_info_phys(%rip), %edi
    call    guest_mb_main
    movl    %eax, %edi
    call    guest_exit
5:  cli
    hlt
    jmp     5b

    .section .data, "aw", @progbits
    .balign 8
gdt:
    .quad   0                       /* null */
    .quad   0x00af9b000000ffff      /* 0x08: 64-bit code, DPL 0, accessed */
    .quad   0x00cf93000000ffff      /* 0x10: flat data, writable, accessed */
gdt_end:
    .balign 8
    .word   0                       /* pad: keeps the base 8-aligned */
    .word   0
    .word   0
gdt_desc:
    .word   gdt_end - gdt - 1
    .quad   gdt
mb_info_phys:
    .long   0

    .section .bss, "aw", @nobits
    .balign 4096
pml4:
    .skip   4096
pdpt:
    .skip   4096
pd:
    .skip   4096
    .balign 16
stack:
    .skip   STACK_SIZE
stack_top:

    .section .note.GNU-stack, "", @progbits
