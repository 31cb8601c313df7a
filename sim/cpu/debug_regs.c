/* Breakpoint matching on DR0-DR3 and the DR6 update (SDM Vol. 3B 17.2, 17.3). */
#include "sim/cpu/debug_regs.h"

/* SDM 17.2.4: breakpoint n is enabled when Ln or Gn is set. */
static bool dr_enabled(uint64_t dr7, unsigned n)
{
    return (dr7 >> (2 * n)) & 3;
}

static DrCondition dr_condition(uint64_t dr7, unsigned n)
{
    return (DrCondition)((dr7 >> (DR7_RW_SHIFT + 4 * n)) & 3);
}

/* SDM 17.2.5 "Breakpoint Field Recognition": LENn 00 = 1 byte, 01 = 2,
 * 11 = 4, 10 = 8 bytes (the 8-byte encoding of processors with IA-32e mode;
 * vmxsim models one of those in every mode). */
static uint64_t dr_length(uint64_t dr7, unsigned n)
{
    static const uint64_t len[4] = {1, 2, 8, 4};
    return len[(dr7 >> (DR7_RW_SHIFT + 2 + 4 * n)) & 3];
}

/* SDM 17.2.5: the low bits of DRn below the length are ignored, and a data
 * breakpoint is met if any byte of the access lies in [DRn, DRn + LEN). */
static bool dr_overlaps(uint64_t dr, uint64_t len, uint64_t start, uint64_t size)
{
    uint64_t lo = dr & ~(len - 1), hi = lo + len - 1;
    return start <= hi && start + size - 1 >= lo;
}

/* Linear addresses outside 64-bit mode are 32 bits; so is the compared DRn
 * (SDM 17.2.1 "Debug Address Registers": DRn holds a linear address). */
static uint64_t dr_address(const CpuState *cpu, unsigned n)
{
    return cpu->mode == MODE_LONG64 ? cpu->dr[n] : (uint32_t)cpu->dr[n];
}

/* SDM 17.3.1.1: an instruction breakpoint (R/W 00) is met when the processor
 * is about to execute the instruction whose first byte is at DRn.  LENn must
 * be 00; other lengths are undefined and vmxsim compares the address only. */
uint32_t cpu_dr_match_exec(const CpuState *cpu, uint64_t lin)
{
    uint64_t dr7 = cpu->dr[7];
    uint32_t hits = 0;
    for (unsigned n = 0; n < 4; n++) {
        if (dr_enabled(dr7, n) && dr_condition(dr7, n) == DR_EXEC && dr_address(cpu, n) == lin)
            hits |= 1u << n;
    }
    return hits;
}

/* SDM 17.2.4 R/Wn: 01 breaks on data writes, 11 on data reads or writes. */
uint32_t cpu_dr_match_data(const CpuState *cpu, uint64_t lin, unsigned size, bool write)
{
    uint64_t dr7 = cpu->dr[7];
    uint32_t hits = 0;
    for (unsigned n = 0; n < 4; n++) {
        DrCondition c = dr_condition(dr7, n);
        if (!dr_enabled(dr7, n) || (c != DR_RW && !(c == DR_WRITE && write)))
            continue;
        if (dr_overlaps(dr_address(cpu, n), dr_length(dr7, n), lin, size))
            hits |= 1u << n;
    }
    return hits;
}

/* SDM 17.2.4 R/Wn = 10: I/O reads or writes, defined only when CR4.DE = 1
 * (SDM 2.5 "CR4.DE"); DRn holds the port number. */
uint32_t cpu_dr_match_io(const CpuState *cpu, uint16_t port, unsigned size)
{
    uint64_t dr7 = cpu->dr[7];
    uint32_t hits = 0;
    if (!(cpu->cr4 & CR4_DE))
        return 0;
    for (unsigned n = 0; n < 4; n++) {
        if (dr_enabled(dr7, n) && dr_condition(dr7, n) == DR_IO &&
            dr_overlaps(cpu->dr[n], dr_length(dr7, n), port, size))
            hits |= 1u << n;
    }
    return hits;
}

bool cpu_dr_data_armed(const CpuState *cpu)
{
    uint64_t dr7 = cpu->dr[7];
    for (unsigned n = 0; n < 4; n++) {
        DrCondition c = dr_condition(dr7, n);
        if (dr_enabled(dr7, n) && (c == DR_WRITE || c == DR_RW))
            return true;
    }
    return false;
}

/* SDM 17.2.3 "Debug Status Register (DR6)": a debug exception sets B0-B3 for
 * the breakpoint conditions it reports ("certain debug exceptions may clear
 * bits 0-3": every #DB vmxsim raises replaces them, as KVM models hardware);
 * BD, BS and BT are never cleared by the processor.  B0-B3 are reported for
 * enabled breakpoints only (the SDM lets them be set for others as well). */
void cpu_dr6_report(CpuState *cpu, uint32_t conditions)
{
    uint64_t dr6 = cpu->dr[6] & ~(uint64_t)DR6_B_MASK;
    cpu->dr[6] = dr6 | (conditions & (DR6_B_MASK | DR6_STICKY));
}
