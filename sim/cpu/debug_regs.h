/*
 * Debug registers DR0-DR7 as breakpoints (SDM Vol. 3B 17.2 "Debug
 * Registers", 17.3 "Debug Exceptions"): the DR6/DR7 bit layout, matching of
 * instruction, data and I/O breakpoints, and the DR6 update a debug
 * exception makes.  MOV DR (and DR7.GD) belongs to the MOV DR handler; this
 * file only reads the registers.
 */
#ifndef VMXSIM_CPU_DEBUG_REGS_H
#define VMXSIM_CPU_DEBUG_REGS_H

#include "sim/cpu/cpu.h"

/* SDM 17.2.3 "Debug Status Register (DR6)". */
enum {
    DR6_B_MASK = 0xfu,     /* B0-B3: breakpoint condition detected */
    DR6_BD = 1u << 13,     /* debug-register access detected (MOV DR with DR7.GD) */
    DR6_BS = 1u << 14,     /* single step */
    DR6_BT = 1u << 15,     /* task switch */
    DR6_STICKY = DR6_BD | DR6_BS | DR6_BT,
};

/* SDM 17.2.4 "Debug Control Register (DR7)". */
enum {
    DR7_ENABLE_MASK = 0xffu, /* L0, G0, L1, G1, L2, G2, L3, G3 */
    DR7_LOCAL_MASK = 0x55u,  /* L0-L3: cleared on every task switch */
    DR7_GD = 1u << 13,
    DR7_RW_SHIFT = 16, /* R/Wn at bit 16 + 4n, LENn at bit 18 + 4n */
};

/* SDM 17.2.4: the R/Wn field. */
typedef enum DrCondition {
    DR_EXEC = 0,  /* instruction execution */
    DR_WRITE = 1, /* data writes */
    DR_IO = 2,    /* I/O reads or writes (CR4.DE = 1; undefined otherwise) */
    DR_RW = 3,    /* data reads or writes */
} DrCondition;

/* B bits of the enabled instruction breakpoints at linear address lin. */
uint32_t cpu_dr_match_exec(const CpuState *cpu, uint64_t lin);
/* B bits of the enabled data breakpoints a size-byte access at lin meets. */
uint32_t cpu_dr_match_data(const CpuState *cpu, uint64_t lin, unsigned size, bool write);
/* B bits of the enabled I/O breakpoints an access to ports port..port+size-1 meets. */
uint32_t cpu_dr_match_io(const CpuState *cpu, uint16_t port, unsigned size);
/* True when an enabled breakpoint watches data accesses (R/W 01 or 11). */
bool cpu_dr_data_armed(const CpuState *cpu);
/* Record the conditions of a debug exception in DR6 (SDM 17.2.3). */
void cpu_dr6_report(CpuState *cpu, uint32_t conditions);

/* I/O instructions call this after the access (SDM 17.3.1.2): the match
 * becomes a trap after the instruction.  One test when no breakpoint is on. */
static inline void cpu_dr_note_io(CpuState *cpu, uint16_t port, unsigned size)
{
    if (SIM_UNLIKELY((cpu->dr[7] & DR7_ENABLE_MASK) && (cpu->cr4 & CR4_DE)))
        cpu->ev.dr_hits |= cpu_dr_match_io(cpu, port, size);
}

#endif
