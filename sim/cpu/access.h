/*
 * Guest memory access from instructions: segmentation (SDM Vol. 3A 3.4,
 * 5.3), then paging through the software TLB.  The fast path is a tag
 * compare and a host load or store; everything else goes to the slow path,
 * which walks page tables, raises #GP/#SS/#PF, and writes through the memory
 * layer so decoded code is invalidated.
 */
#ifndef VMXSIM_CPU_ACCESS_H
#define VMXSIM_CPU_ACCESS_H

#include <string.h>

#include "sim/cpu/cpu.h"

typedef enum AccessKind {
    ACC_READ = 0,
    ACC_WRITE = 1,
    ACC_EXEC = 2,
} AccessKind;

/* Linear address of seg:offset with the segment checks of the current mode. */
SimStatus cpu_seg_linear(CpuState *cpu, unsigned seg, uint64_t offset, unsigned size,
                         AccessKind kind, uint64_t *lin) SIM_MUST_CHECK;

/* Slow paths: page walk, faults, MMIO, page-crossing accesses.
 * `supervisor` forces a supervisor-mode access (descriptor tables, TSS, IDT). */
SimStatus cpu_lin_read_slow(CpuState *cpu, uint64_t lin, unsigned size, uint64_t *value,
                            bool supervisor) SIM_MUST_CHECK;
SimStatus cpu_lin_write_slow(CpuState *cpu, uint64_t lin, unsigned size, uint64_t value,
                             bool supervisor) SIM_MUST_CHECK;
/* Translate for an access of the given kind; raises #PF on failure. */
SimStatus cpu_translate(CpuState *cpu, uint64_t lin, AccessKind kind, bool supervisor,
                        uint64_t *phys) SIM_MUST_CHECK;

/* A permission no TLB entry is ever given (tlb_perms in access.c). */
#define TLB_NEVER (1u << 31)

/* The permissions a fast-path access needs, by CpuEvents.tlb_row (events.h):
 * supervisor or user (CPL 3), and whether data accesses are checked (#AC,
 * data breakpoints).  Checked rows ask data accesses for TLB_NEVER, so they
 * take the slow path, where the checks are; the fast path does no extra work. */
static inline uint32_t tlb_need(const CpuState *cpu, AccessKind kind)
{
    static const uint32_t need[4][3] = {
        {TLB_READ_SUP | TLB_HOST_READ, TLB_WRITE_SUP | TLB_HOST_WRITE, TLB_EXEC_SUP},
        {TLB_READ_USER | TLB_HOST_READ, TLB_WRITE_USER | TLB_HOST_WRITE, TLB_EXEC_USER},
        {TLB_NEVER, TLB_NEVER, TLB_EXEC_SUP},
        {TLB_NEVER, TLB_NEVER, TLB_EXEC_USER},
    };
    return need[cpu->ev.tlb_row][kind];
}

static inline __attribute__((always_inline)) SimStatus SIM_MUST_CHECK cpu_lin_read(CpuState *cpu, uint64_t lin, unsigned size,
                                                    uint64_t *value)
{
    TlbEntry *e = mem_tlb_slot(&cpu->tlb, lin);
    uint32_t need = tlb_need(cpu, ACC_READ);
    if (SIM_LIKELY(e->tag == mem_tlb_tag(&cpu->tlb, lin) && (e->perm & need) == need &&
                   (lin & (PAGE_SIZE - 1)) <= PAGE_SIZE - size)) {
        uint64_t v = 0;
        memcpy(&v, e->host + (lin & (PAGE_SIZE - 1)), size);
        *value = v;
        return SIM_OK;
    }
    return cpu_lin_read_slow(cpu, lin, size, value, false);
}

static inline __attribute__((always_inline)) SimStatus SIM_MUST_CHECK cpu_lin_write(CpuState *cpu, uint64_t lin, unsigned size,
                                                     uint64_t value)
{
    TlbEntry *e = mem_tlb_slot(&cpu->tlb, lin);
    uint32_t need = tlb_need(cpu, ACC_WRITE);
    if (SIM_LIKELY(e->tag == mem_tlb_tag(&cpu->tlb, lin) && (e->perm & need) == need &&
                   (lin & (PAGE_SIZE - 1)) <= PAGE_SIZE - size)) {
        memcpy(e->host + (lin & (PAGE_SIZE - 1)), &value, size);
        return SIM_OK;
    }
    return cpu_lin_write_slow(cpu, lin, size, value, false);
}

/* Accesses of any size (x87 80-bit values, XMM 128-bit values, FXSAVE's 512
 * bytes): all pages are checked before anything is read or written, so a
 * fault leaves memory and the destination unchanged. */
SimStatus cpu_mem_read_block(CpuState *cpu, unsigned seg, uint64_t offset, void *buf,
                             unsigned size) SIM_MUST_CHECK;
SimStatus cpu_mem_write_block(CpuState *cpu, unsigned seg, uint64_t offset, const void *buf,
                              unsigned size) SIM_MUST_CHECK;

/* Linear address in 64-bit mode without a call (SDM 3.4.4: only FS and GS
 * bases apply); false when it is not canonical (the caller takes the slow
 * path, which raises #GP or #SS).  The last byte of a non-page-crossing
 * access is then canonical too. */
static inline bool cpu_linear64(const CpuState *cpu, unsigned seg, uint64_t offset, uint64_t *lin)
{
    uint64_t a = offset + (seg >= SEG_FS ? cpu->seg[seg].base : 0);
    unsigned shift = (cpu->cr4 & CR4_LA57) ? 7 : 16;
    *lin = a;
    return (uint64_t)((int64_t)(a << shift) >> shift) == a;
}

/* seg:offset accesses, as instructions make them. */
static inline __attribute__((always_inline)) SimStatus SIM_MUST_CHECK cpu_mem_read(CpuState *cpu, unsigned seg, uint64_t offset,
                                                    unsigned size, uint64_t *value)
{
    uint64_t lin;
    if (SIM_LIKELY(cpu->mode == MODE_LONG64 && cpu_linear64(cpu, seg, offset, &lin)))
        return cpu_lin_read(cpu, lin, size, value);
    if (SIM_UNLIKELY(cpu_seg_linear(cpu, seg, offset, size, ACC_READ, &lin) != SIM_OK))
        return SIM_FAULT;
    return cpu_lin_read(cpu, lin, size, value);
}

static inline __attribute__((always_inline)) SimStatus SIM_MUST_CHECK cpu_mem_write(CpuState *cpu, unsigned seg, uint64_t offset,
                                                     unsigned size, uint64_t value)
{
    uint64_t lin;
    if (SIM_LIKELY(cpu->mode == MODE_LONG64 && cpu_linear64(cpu, seg, offset, &lin)))
        return cpu_lin_write(cpu, lin, size, value);
    if (SIM_UNLIKELY(cpu_seg_linear(cpu, seg, offset, size, ACC_WRITE, &lin) != SIM_OK))
        return SIM_FAULT;
    return cpu_lin_write(cpu, lin, size, value);
}

#endif
