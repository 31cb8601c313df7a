/*
 * reset-boot: a 128 KiB firmware image run with `vmxsim run --firmware`.
 * It starts at the reset vector and walks the whole x86 boot path in
 * assembly: real mode -> 32-bit protected mode -> IA-32e mode (64-bit).
 * Every check prints one line on COM1; a failed check prints "FAIL: ..."
 * and exits through the debug-exit port with its own code (status 2k+1).
 *
 * SDM Vol. 3A rules checked:
 *   9.1.1 "Processor State After Reset" (Table 9-1): EAX, EBX, ECX, ESI, EDI,
 *         EBP, ESP = 0; EDX = the processor signature (= CPUID.01H:EAX);
 *         EFLAGS = 0x2; CR0 = 0x60000010; CR2, CR3, CR4 = 0; IA32_EFER = 0;
 *         CS selector 0xF000, DS ES SS FS GS = 0.
 *   9.1.4 "First Instruction Executed": the first fetch is at 0xFFFFFFF0
 *         (the image's reset vector runs at all), CS.base 0xFFFF0000 until
 *         the first far jump, which loads base = selector << 4.
 *   20.1.1 "Address Translation in Real-Address Mode": linear = sel << 4 + offset
 *         (the low BIOS window at 0xE0000 is reached as E000:0000).
 *   9.9.1 "Switching to Protected Mode": LGDT, MOV CR0 (PE), far JMP.
 *   9.8.5 "Initializing IA-32e Mode": PAE, CR3, IA32_EFER.LME, then CR0.PG
 *         sets IA32_EFER.LMA; a far jump to an L=1 code segment enters
 *         64-bit mode.
 * and vmxsim's firmware mapping (docs/boot.md "Firmware boot"): the ROM ends
 * at 0xFFFFFFFF, its last 128 KiB read the same at 0xE0000-0xFFFFF, writes
 * to either window are ignored, and an unbacked address below the ROM reads
 * all-ones.
 *
 * Layout (linked at 0xFFFE0000 by firmware.ld, flattened by objcopy):
 *   0x00000  a signature, to find the lower 64 KiB again at 0xE0000
 *   0x10000  everything else (CS = 0xF000 in real mode reaches 0xF0000-0xFFFFF)
 *   0x1FFF0  the reset vector
 */
#define ROM_BASE 0xFFFE0000
#define OFF16(sym) ((sym) - rom_start - 0x10000) /* offset from F000:0000 */
#define COM1 0x3f8
#define EXIT_PORT 0xf4
#define STACK_TOP 0x7000
#define PML4 0x10000 /* page tables in RAM, built in protected mode */
#define PDPT 0x11000
#define PD_LOW 0x12000
#define PD_TOP 0x13000
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_LMA (1 << 10)

    .section .rom, "ax", @progbits
rom_start:
low_signature:
    .ascii "vmxsim reset-boot: low 64 KiB of the ROM\0"
low_signature_end:

    .org 0x10000
/* ------------------------------------------------------------------ */
/* 16-bit real mode                                                    */
/* ------------------------------------------------------------------ */
    .code16
/* FAIL16 code, message: print "FAIL: message" and exit with code. */
.macro FAIL16 code, msg
    mov     $OFF16(\msg), %si
    mov     $\code, %bx
    jmp     fail16
.endm

entry16:
    /* SDM 9.1.1 Table 9-1: the registers after RESET.  Nothing has touched
     * them yet (the reset vector's far jump changes only CS and IP).  PUSHF
     * comes first, before any instruction changes the flags; with SS:SP =
     * 0:0 it wraps to 0:FFFC (a 16-bit stack), so ESP = 0xFFFC afterwards
     * shows that ESP was 0. */
    pushfl
    or      %ebx, %eax
    or      %ecx, %eax
    mov     %esp, %ebx
    xor     $0xfffc, %ebx
    or      %ebx, %eax
    or      %esi, %eax
    or      %edi, %eax
    or      %ebp, %eax
    popl    %edi                    /* EFLAGS at reset */
    mov     %edx, %ebp              /* the processor signature */
    mov     %ds, %dx                /* DX = DS | ES | SS | FS | GS */
    mov     %es, %bx
    or      %bx, %dx
    mov     %ss, %bx
    or      %bx, %dx
    mov     %fs, %bx
    or      %bx, %dx
    mov     %gs, %bx
    or      %bx, %dx
    mov     $STACK_TOP, %sp         /* SS = 0 (checked below): the stack is in RAM */
    push    %dx
    mov     %cs, %cx
    mov     %cx, %ds                /* strings are CS-relative */
    test    %eax, %eax
    jz      2f
    FAIL16  1, msg_gprs
2:  mov     %ebp, %esi
    mov     $1, %eax
    cpuid
    cmp     %eax, %esi
    je      3f
    FAIL16  2, msg_edx
3:  mov     $OFF16(ok_gprs), %si
    call    puts16

    cmp     $0x2, %edi
    je      4f
    FAIL16  3, msg_eflags
4:  mov     %cr0, %eax
    cmp     $0x60000010, %eax
    je      5f
    FAIL16  4, msg_cr0
5:  mov     %cr2, %eax
    mov     %cr3, %ebx
    or      %ebx, %eax
    mov     %cr4, %ebx
    or      %ebx, %eax
    jz      6f
    FAIL16  5, msg_cr234
6:  mov     $MSR_EFER, %ecx
    rdmsr
    or      %edx, %eax
    jz      7f
    FAIL16  6, msg_efer
7:  mov     $OFF16(ok_ctl), %si
    call    puts16

    mov     %cs, %ax
    cmp     $0xf000, %ax
    je      8f
    FAIL16  7, msg_cs
8:  pop     %ax                     /* DS | ES | SS | FS | GS at reset */
    test    %ax, %ax
    jz      9f
    FAIL16  8, msg_sregs
9:  mov     $OFF16(ok_sregs), %si
    call    puts16

    /* SDM 20.1.1: E000:0000 is linear 0xE0000, the low window's first byte,
     * which is the ROM's first byte (a 128 KiB ROM is aliased whole). */
    mov     $0xe000, %ax
    mov     %ax, %es
    xor     %di, %di
    mov     $OFF16(signature_copy), %si
    mov     $(low_signature_end - low_signature), %cx
    cld
    repe cmpsb
    je      10f
    FAIL16  9, msg_alias16
10: mov     $OFF16(ok_alias16), %si
    call    puts16

    /* SDM 9.9.1: GDT, CR0.PE, far jump.  LGDT with a 32-bit operand size
     * loads all 32 bits of the base (the GDT is in the ROM at 0xFFFFxxxx). */
    lgdtl   %cs:OFF16(gdt_ptr)
    mov     %cr0, %eax
    or      $1, %eax
    mov     %eax, %cr0
    ljmpl   $0x08, $entry32

/* DS:SI -> NUL-terminated string to COM1, polling LSR.THRE. */
puts16:
    push    %ax
    push    %dx
1:  lodsb
    test    %al, %al
    jz      3f
    mov     %al, %ah
    mov     $(COM1 + 5), %dx
2:  in      %dx, %al
    test    $0x20, %al
    jz      2b
    mov     $COM1, %dx
    mov     %ah, %al
    out     %al, %dx
    jmp     1b
3:  pop     %dx
    pop     %ax
    ret

/* SI = message, BX = exit code. */
fail16:
    push    %si
    mov     $OFF16(msg_fail), %si
    call    puts16
    pop     %si
    call    puts16
    mov     $OFF16(msg_nl), %si
    call    puts16
    movzwl  %bx, %eax
    outl    %eax, $EXIT_PORT
1:  hlt
    jmp     1b

/* ------------------------------------------------------------------ */
/* 32-bit protected mode (flat segments, paging off, then compatibility mode) */
/* ------------------------------------------------------------------ */
    .code32
.macro FAIL32 code, msg
    mov     $\msg, %esi
    mov     $\code, %ebx
    jmp     fail32
.endm

entry32:
    mov     $0x10, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    mov     %ax, %fs
    mov     %ax, %gs
    mov     $STACK_TOP, %esp
    mov     %cr0, %eax
    and     $0x80000001, %eax
    cmp     $1, %eax                /* PE = 1, PG = 0 */
    je      1f
    FAIL32  10, msg_pe
1:  mov     %cs, %ax
    cmp     $0x08, %ax
    je      2f
    FAIL32  11, msg_cs32
2:  mov     $ok_pe, %esi
    call    puts32

    /* The ROM's last 128 KiB (here: all of it) read the same at 0xE0000. */
    mov     $0xe0000, %esi
    mov     $ROM_BASE, %edi
    mov     $(0x20000 / 4), %ecx
    cld
    repe cmpsl
    je      3f
    FAIL32  12, msg_alias32
3:  mov     $ok_alias32, %esi
    call    puts32

    /* Writes to either window are ignored (the ROM is read-only). */
    mov     $(ROM_BASE + 0x1ff00), %edi
    mov     (%edi), %eax
    notl    (%edi)
    cmp     (%edi), %eax
    je      4f
    FAIL32  13, msg_rom_write
4:  mov     $0xfff00, %edi
    mov     (%edi), %eax
    notl    (%edi)
    cmp     (%edi), %eax
    je      5f
    FAIL32  14, msg_alias_write
5:  cmpl    $0xffffffff, ROM_BASE - 4 /* nothing below the ROM (RAM < 4 GiB) */
    je      6f
    FAIL32  15, msg_below_rom
6:  mov     $ok_rom_ro, %esi
    call    puts32

    /* SDM 9.8.5 step 1-2: page tables (4-level) identity-mapping the first
     * 1 GiB and the top 2 MiB (this ROM) with 2 MiB pages. */
    mov     $PML4, %edi
    mov     $(4 * 4096 / 4), %ecx
    xor     %eax, %eax
    rep stosl
    movl    $(PDPT + 3), PML4
    movl    $(PD_LOW + 3), PDPT
    movl    $(PD_TOP + 3), PDPT + 3 * 8
    movl    $0xffe00083, PD_TOP + 511 * 8
    mov     $PD_LOW, %edi
    mov     $0x83, %eax             /* P, R/W, PS */
7:  mov     %eax, (%edi)
    add     $8, %edi
    add     $0x200000, %eax
    cmp     $(PD_LOW + 4096), %edi
    jb      7b

    mov     %cr4, %eax
    or      $0x20, %eax             /* CR4.PAE */
    mov     %eax, %cr4
    mov     $PML4, %eax
    mov     %eax, %cr3
    mov     $MSR_EFER, %ecx
    rdmsr
    or      $EFER_LME, %eax
    wrmsr
    rdmsr
    and     $(EFER_LME | EFER_LMA), %eax
    cmp     $EFER_LME, %eax         /* LME set, LMA still clear */
    je      8f
    FAIL32  16, msg_lme
8:  mov     %cr0, %eax
    or      $0x80000000, %eax       /* CR0.PG: activates IA-32e mode */
    mov     %eax, %cr0
    /* Compatibility mode now: CS is still the 32-bit segment. */
    mov     $MSR_EFER, %ecx
    rdmsr
    and     $(EFER_LME | EFER_LMA), %eax
    cmp     $(EFER_LME | EFER_LMA), %eax
    je      9f
    FAIL32  17, msg_lma
9:  mov     $ok_lma, %esi
    call    puts32
    ljmp    $0x18, $entry64

puts32:
    push    %eax
    push    %edx
1:  lodsb
    test    %al, %al
    jz      3f
    mov     %al, %ah
    mov     $(COM1 + 5), %dx
2:  in      %dx, %al
    test    $0x20, %al
    jz      2b
    mov     $COM1, %dx
    mov     %ah, %al
    out     %al, %dx
    jmp     1b
3:  pop     %edx
    pop     %eax
    ret

fail32:
    push    %esi
    mov     $msg_fail, %esi
    call    puts32
    pop     %esi
    call    puts32
    mov     $msg_nl, %esi
    call    puts32
    mov     %ebx, %eax
    out     %eax, $EXIT_PORT
1:  hlt
    jmp     1b

/* ------------------------------------------------------------------ */
/* 64-bit mode                                                         */
/* ------------------------------------------------------------------ */
    .code64
entry64:
    mov     $0x10, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    mov     $STACK_TOP, %esp
    /* 64-bit operand size works (in compatibility mode 0x48 is DEC EAX). */
    movabs  $0x123456789abcdef0, %rax
    shr     $32, %rax
    cmp     $0x12345678, %eax
    je      1f
    lea     msg_64bit(%rip), %rsi
    mov     $18, %ebx
    jmp     fail64
1:  mov     %cs, %ax
    cmp     $0x18, %ax
    je      2f
    lea     msg_cs64(%rip), %rsi
    mov     $19, %ebx
    jmp     fail64
2:  lea     ok_long(%rip), %rsi
    call    puts64
    xor     %eax, %eax
    out     %eax, $EXIT_PORT
3:  hlt
    jmp     3b

puts64:
1:  lodsb
    test    %al, %al
    jz      3f
    mov     %al, %ah
    mov     $(COM1 + 5), %dx
2:  in      %dx, %al
    test    $0x20, %al
    jz      2b
    mov     $COM1, %dx
    mov     %ah, %al
    out     %al, %dx
    jmp     1b
3:  ret

fail64:
    push    %rsi
    lea     msg_fail(%rip), %rsi
    call    puts64
    pop     %rsi
    call    puts64
    lea     msg_nl(%rip), %rsi
    call    puts64
    mov     %ebx, %eax
    out     %eax, $EXIT_PORT
1:  hlt
    jmp     1b

/* ------------------------------------------------------------------ */
/* Data (read-only: it is in the ROM)                                  */
/* ------------------------------------------------------------------ */
    .balign 8
gdt:
    .quad   0
    .quad   0x00cf9b000000ffff      /* 0x08 32-bit code, accessed preset (no GDT writes) */
    .quad   0x00cf93000000ffff      /* 0x10 data */
    .quad   0x00af9b000000ffff      /* 0x18 64-bit code (L = 1) */
gdt_end:
gdt_ptr:
    .word   gdt_end - gdt - 1
    .long   gdt

signature_copy:
    .ascii "vmxsim reset-boot: low 64 KiB of the ROM\0"

msg_fail:       .asciz "FAIL: "
msg_nl:         .asciz "\n"
msg_gprs:       .asciz "reset: EAX EBX ECX ESI EDI EBP ESP are not all 0 (SDM 9.1.1)"
msg_edx:        .asciz "reset: EDX is not the processor signature CPUID.01H:EAX (SDM 9.1.1)"
ok_gprs:        .asciz "reset: general registers 0, EDX = CPUID.01H:EAX: ok\n"
msg_eflags:     .asciz "reset: EFLAGS is not 0x00000002 (SDM 9.1.1)"
msg_cr0:        .asciz "reset: CR0 is not 0x60000010 (SDM 9.1.1)"
msg_cr234:      .asciz "reset: CR2, CR3, CR4 are not all 0 (SDM 9.1.1)"
msg_efer:       .asciz "reset: IA32_EFER is not 0 (SDM 9.1.1)"
ok_ctl:         .asciz "reset: EFLAGS 0x2, CR0 0x60000010, CR2 CR3 CR4 0, EFER 0: ok\n"
msg_cs:         .asciz "reset: CS selector is not 0xF000 (SDM 9.1.1)"
msg_sregs:      .asciz "reset: DS ES SS FS GS are not all 0 (SDM 9.1.1)"
ok_sregs:       .asciz "reset: CS F000, DS ES SS FS GS 0, first fetch at 0xFFFFFFF0: ok\n"
msg_alias16:    .asciz "real mode: E000:0000 does not hold the ROM's first bytes"
ok_alias16:     .asciz "real mode: E000:0000 reads the ROM's first bytes: ok\n"
msg_pe:         .asciz "protected mode: CR0.PE is not 1 or CR0.PG is not 0"
msg_cs32:       .asciz "protected mode: CS is not 0x08 after the far jump"
ok_pe:          .asciz "protected mode: CR0.PE 1, CS 0x08: ok\n"
msg_alias32:    .asciz "firmware: 0xE0000-0xFFFFF differs from 0xFFFE0000-0xFFFFFFFF"
ok_alias32:     .asciz "firmware: 0xE0000-0xFFFFF = 0xFFFE0000-0xFFFFFFFF: ok\n"
msg_rom_write:  .asciz "firmware: a write to the ROM below 4 GiB changed it"
msg_alias_write: .asciz "firmware: a write to the ROM at 0xFFF00 changed it"
msg_below_rom:  .asciz "firmware: 0xFFFDFFFC (below the ROM) does not read all-ones"
ok_rom_ro:      .asciz "firmware: ROM writes ignored, nothing below the ROM: ok\n"
msg_lme:        .asciz "IA-32e: EFER.LME is not 1 or EFER.LMA is not 0 before CR0.PG"
msg_lma:        .asciz "IA-32e: EFER.LMA is not 1 after CR0.PG (SDM 9.8.5)"
ok_lma:         .asciz "IA-32e: EFER.LMA 0 before CR0.PG, 1 after: ok\n"
msg_64bit:      .asciz "64-bit mode: a 64-bit MOV/SHR did not give 64-bit results"
msg_cs64:       .asciz "64-bit mode: CS is not 0x18"
ok_long:        .asciz "long mode reached\n"

/* ------------------------------------------------------------------ */
/* SDM 9.1.4: the first instruction is fetched from 0xFFFFFFF0.        */
/* ------------------------------------------------------------------ */
    .org 0x1fff0
    .code16
reset_vector:
    .globl reset_vector
    ljmp    $0xf000, $OFF16(entry16) /* CS.base becomes 0xF0000: the low window */
    .org 0x20000, 0xf4               /* pad with HLT */

    .section .note.GNU-stack, "", @progbits
