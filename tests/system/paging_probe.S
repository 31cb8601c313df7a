/*
 * The access engine of paging-matrix (see paging_probe.h): switch to the
 * requested paging mode, perform one read, write or instruction fetch at
 * CPL 0 or CPL 3, record the exception (if any), and switch back.
 *
 * 4-level: stays in 64-bit mode; CR0.WP, IA32_EFER.NXE and CR3 are set for
 *   the access; exceptions go through the systest IDT (isr64.S) to
 *   systest_trap, which returns here at probe_resume64.
 * PAE and 32-bit: leaves IA-32e mode as SDM 9.8.5.4 "Switching Out of IA-32e
 *   Mode Operation" says (compatibility mode, CR0.PG = 0, IA32_EFER.LME = 0),
 *   then enables the requested paging (SDM 9.9.1, 4.1.2 Table 4-1: CR4.PAE
 *   selects PAE or 32-bit paging), with a 32-bit IDT (probe_idt32) whose
 *   stubs record the exception; afterwards it enters IA-32e mode again
 *   (SDM 9.8.5) and returns to 64-bit mode.
 */
#include "lib/x86.h"
#include "paging_probe.h"

#define PG 0x80000000
#define WP 0x10000
#define PAE 0x20
#define PSE 0x10
#define EFER 0xc0000080
#define LME 0x100
#define LMA 0x400
#define NXE 0x800
#define P(off) (probe + off)

    .section .text, "ax", @progbits
    .code64
    .globl probe_run
probe_run:
    pushq   %rbx
    pushq   %rbp
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    movq    %rsp, probe_saved_rsp(%rip)
    movq    %cr0, %rax
    movq    %rax, saved_cr0(%rip)
    movq    %cr3, %rax
    movq    %rax, saved_cr3(%rip)
    movq    %cr4, %rax
    movq    %rax, saved_cr4(%rip)
    movl    $EFER, %ecx
    rdmsr
    movl    %eax, saved_efer(%rip)
    movq    $PROBE_NONE, P(PROBE_OFF_VECTOR)
    movq    $0, P(PROBE_OFF_ERROR)
    xorl    %eax, %eax
    movq    %rax, %cr2              /* CR2 = 0: a fault must write it */
    movq    %rax, P(PROBE_OFF_CR2)
    cmpq    $PROBE_MODE_4LEVEL, P(PROBE_OFF_MODE)
    jne     legacy

/* ---- 4-level paging, 64-bit mode ---- */
    movq    P(PROBE_OFF_STACK), %rax
    movq    %rax, systest_tss + 4   /* TSS.RSP0 */
    call    set_nxe
    movq    %cr0, %rax
    andq    $~WP, %rax
    cmpq    $0, P(PROBE_OFF_WP)
    je      1f
    orq     $WP, %rax
1:  movq    %rax, %cr0
    movq    P(PROBE_OFF_CR3), %rax
    movq    %rax, %cr3
    call    record_mode
    movq    P(PROBE_OFF_ADDRESS), %rax
    movq    P(PROBE_OFF_ACCESS), %rbx
    cmpq    $3, P(PROBE_OFF_CPL)
    je      2f
    call    access64
    jmp     probe_done64
2:  pushq   $SEL_UDATA
    pushq   P(PROBE_OFF_USER_STACK)
    pushq   $0x2
    pushq   $SEL_UCODE64
    pushq   $user_access64
    iretq

    .globl probe_resume64
probe_resume64:                     /* from systest_trap, CPL 0, RSP = probe_saved_rsp */
probe_done64:
    movl    $SEL_KDATA, %eax
    movl    %eax, %ds
    movl    %eax, %es
    movl    %eax, %ss
    movq    probe_saved_rsp(%rip), %rsp
    movq    saved_cr3(%rip), %rax
    movq    %rax, %cr3
    movq    saved_cr0(%rip), %rax
    movq    %rax, %cr0
    movl    $EFER, %ecx
    movl    saved_efer(%rip), %eax
    xorl    %edx, %edx
    wrmsr
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %rbp
    popq    %rbx
    ret

/* probe.efer_in, probe.cr4_in: the mode the access runs in. */
record_mode:
    movl    $EFER, %ecx
    rdmsr
    movl    %eax, P(PROBE_OFF_EFER_IN)
    movq    %cr4, %rax
    movq    %rax, P(PROBE_OFF_CR4_IN)
    ret

/* IA32_EFER.NXE = probe.nxe (64-bit mode). */
set_nxe:
    movl    $EFER, %ecx
    rdmsr
    andl    $~NXE, %eax
    cmpq    $0, P(PROBE_OFF_NXE)
    je      1f
    orl     $NXE, %eax
1:  wrmsr
    ret

/* ---- PAE and 32-bit paging, 32-bit protected mode ---- */
legacy:
    pushq   $SEL_KCODE32
    leaq    compat32(%rip), %rax
    pushq   %rax
    lretq

    .code32
compat32:                           /* compatibility mode (IA32_EFER.LMA = 1) */
    movl    %cr0, %eax
    andl    $~PG, %eax
    movl    %eax, %cr0              /* IA-32e mode off: legacy protected mode */
    movl    $EFER, %ecx
    rdmsr
    andl    $~(LME | NXE), %eax
    cmpl    $0, P(PROBE_OFF_NXE)
    je      1f
    orl     $NXE, %eax
1:  wrmsr
    movl    %cr4, %eax
    andl    $~PAE, %eax
    orl     $PSE, %eax              /* 4 MiB pages under 32-bit paging (SDM 4.3) */
    cmpl    $PROBE_MODE_PAE, P(PROBE_OFF_MODE)
    jne     2f
    orl     $PAE, %eax
2:  movl    %eax, %cr4
    movl    P(PROBE_OFF_CR3), %eax
    movl    %eax, %cr3
    lidt    probe_idt32_ptr
    movl    P(PROBE_OFF_STACK), %eax
    movl    %eax, systest_tss + 4   /* 32-bit TSS: ESP0 at 4, SS0 at 8 (SDM 8.2.1) */
    movl    $SEL_KDATA, systest_tss + 8
    movl    %cr0, %eax
    andl    $~WP, %eax
    cmpl    $0, P(PROBE_OFF_WP)
    je      3f
    orl     $WP, %eax
3:  orl     $PG, %eax
    movl    %eax, %cr0              /* PAE or 32-bit paging on */
    movl    $EFER, %ecx
    rdmsr
    movl    %eax, P(PROBE_OFF_EFER_IN)
    movl    $0, P(PROBE_OFF_EFER_IN) + 4
    movl    %cr4, %eax
    movl    %eax, P(PROBE_OFF_CR4_IN)
    movl    $0, P(PROBE_OFF_CR4_IN) + 4
    movl    %esp, saved_esp32
    movl    P(PROBE_OFF_ADDRESS), %eax
    movl    P(PROBE_OFF_ACCESS), %ebx
    cmpl    $3, P(PROBE_OFF_CPL)
    je      4f
    call    access32
    jmp     legacy_done
4:  movl    $SEL_UDATA, %ecx        /* DS/ES usable at CPL 3 (IRET would null DPL 0 ones) */
    movl    %ecx, %ds
    movl    %ecx, %es
    pushl   $SEL_UDATA
    pushl   P(PROBE_OFF_USER_STACK)
    pushl   $0x2
    pushl   $SEL_UCODE32
    pushl   $user_access32
    iretl

/* 32-bit exception stubs: [push 0,] push vector, then record and leave. */
    .balign 16
    .globl probe_legacy_stubs
probe_legacy_stubs:
    .set vec, 0
    .rept 256
    .balign 16
    .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
    .else
    pushl   $0
    .endif
    pushl   $vec
    jmp     legacy_trap
    .set vec, vec + 1
    .endr

legacy_trap:
    movl    $SEL_KDATA, %eax
    movl    %eax, %ds
    movl    %eax, %es
    popl    %eax
    movl    %eax, P(PROBE_OFF_VECTOR)
    popl    %eax
    movl    %eax, P(PROBE_OFF_ERROR)
    movl    %cr2, %eax
    movl    %eax, P(PROBE_OFF_CR2)
    movl    $SEL_KDATA, %eax
    movl    %eax, %ss
    movl    saved_esp32, %esp
legacy_done:
    movl    $SEL_KDATA, %eax
    movl    %eax, %ds
    movl    %eax, %es
    /* SDM 9.8.5: paging off, PAE, CR3, LME, paging on: IA-32e mode again. */
    movl    %cr0, %eax
    andl    $~PG, %eax
    movl    %eax, %cr0
    movl    %cr4, %eax
    orl     $PAE, %eax
    movl    %eax, %cr4
    movl    saved_cr3, %eax
    movl    %eax, %cr3
    movl    $EFER, %ecx
    movl    saved_efer, %eax
    andl    $~LMA, %eax
    xorl    %edx, %edx
    wrmsr
    movl    saved_cr0, %eax
    movl    %eax, %cr0
    ljmp    $SEL_KCODE64, $back64

    .code64
back64:
    movq    saved_cr4(%rip), %rax
    movq    %rax, %cr4
    jmp     probe_done64

/* ---- CPL 3 code: its own pages, mapped user-accessible.  The access
 * routines live here too: CPL 0 runs them as well (no SMEP). ---- */
    .section .text.user, "ax", @progbits
    .balign 4096
    .globl probe_user_start
probe_user_start:
    .code64
user_access64:
    call    access64
    int     $PROBE_RETURN

/* RAX = address, RBX = kind.  A write stores 0xc3, the byte already there
 * (the test page holds RET, so a fetch returns at once). */
access64:
    cmpq    $PROBE_WRITE, %rbx
    je      1f
    cmpq    $PROBE_EXEC, %rbx
    je      2f
    movb    (%rax), %cl
    ret
1:  movb    $0xc3, (%rax)
    ret
2:  jmp     *%rax

    .code32
user_access32:
    call    access32
    int     $PROBE_RETURN

/* EAX = address, EBX = kind (as access64). */
access32:
    cmpl    $PROBE_WRITE, %ebx
    je      1f
    cmpl    $PROBE_EXEC, %ebx
    je      2f
    movb    (%eax), %cl
    ret
1:  movb    $0xc3, (%eax)
    ret
2:  jmp     *%eax

    .balign 4096
    .globl probe_user_end
probe_user_end:

    .section .data, "aw", @progbits
    .balign 8
    .globl probe_saved_rsp
probe_saved_rsp: .quad 0
saved_cr0:       .quad 0
saved_cr3:       .quad 0
saved_cr4:       .quad 0
saved_efer:      .quad 0
saved_esp32:     .quad 0
    .balign 8
    .globl probe_idt32
probe_idt32:     .fill 256, 8, 0
probe_idt32_ptr:
    .word   256 * 8 - 1
    .long   probe_idt32

    .section .note.GNU-stack, "", @progbits
