/*
 * System-architecture definitions for the tests/system guests: the GDT they
 * all share, descriptor and page-table bits, and control-register access.
 * Bit names follow SDM Vol. 3A (chapter 3 "Protected-Mode Memory
 * Management", chapter 4 "Paging", chapter 6 "Interrupt and Exception
 * Handling", chapter 8 "Task Management").
 */
#ifndef SYSTEST_X86_H
#define SYSTEST_X86_H

/* The GDT of every system guest (desc.c).  User code32, user data and user
 * code64 are consecutive so that SYSRET works with STAR[63:48] = 0x20
 * (SDM Vol. 2 SYSRET: CS = STAR[63:48] + 16, SS = STAR[63:48] + 8). */
#define SEL_KCODE64 0x08
#define SEL_KDATA 0x10
#define SEL_KCODE32 0x18
#define SEL_UCODE32 0x23 /* 0x20 | RPL 3 */
#define SEL_UDATA 0x2b   /* 0x28 | RPL 3 */
#define SEL_UCODE64 0x33 /* 0x30 | RPL 3 */
#define SEL_TSS 0x38     /* 16-byte 64-bit TSS descriptor (SDM 8.2.3) */
#define GDT_ENTRIES 9

#ifndef __ASSEMBLER__ /* selectors above are shared with .S files */
#include <stdint.h>

#include "guest/cr.h" /* read_cr0/2/3/4, write_cr0/2/3/4 */

/* Exception vectors (SDM 6.3.1 Table 6-1). */
enum {
    EXC_DE = 0,
    EXC_DB = 1,
    EXC_NMI = 2,
    EXC_BP = 3,
    EXC_OF = 4,
    EXC_BR = 5,
    EXC_UD = 6,
    EXC_NM = 7,
    EXC_DF = 8,
    EXC_TS = 10,
    EXC_NP = 11,
    EXC_SS = 12,
    EXC_GP = 13,
    EXC_PF = 14,
    EXC_MF = 16,
    EXC_AC = 17,
    EXC_MC = 18,
    EXC_XM = 19,
};

/* IDT gate types (SDM 6.14.1 Figure 6-8; 3.5 Table 3-2). */
#define GATE_INT 0xe
#define GATE_TRAP 0xf

/* Page-table entry bits (SDM 4.5 Tables 4-14 to 4-20; 4.3 for 32-bit paging). */
#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_XD (1ull << 63)

/* #PF error code (SDM 4.7 Figure 4-12). */
#define PFE_P (1u << 0)
#define PFE_W (1u << 1)
#define PFE_U (1u << 2)
#define PFE_RSVD (1u << 3)
#define PFE_I (1u << 4)

#define CR0_PE (1ull << 0)
#define CR0_WP (1ull << 16)
#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define MSR_EFER 0xc0000080u
#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)
#define RFLAGS_IF (1ull << 9)

/* 64-bit TSS (SDM 8.7 Figure 8-11). */
typedef struct __attribute__((packed)) Tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} Tss64;

/* 64-bit IDT gate (SDM 6.14.1 Figure 6-8). */
typedef struct IdtGate64 {
    uint64_t lo, hi;
} IdtGate64;

static inline uint64_t read_rflags(void) {
    uint64_t v;
    __asm__ __volatile__("pushfq; popq %0" : "=r"(v));
    return v;
}

static inline uint64_t read_rsp(void) {
    uint64_t v;
    __asm__ __volatile__("mov %%rsp, %0" : "=r"(v));
    return v;
}

#endif /* __ASSEMBLER__ */

#endif
