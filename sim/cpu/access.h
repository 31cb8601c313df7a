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

/*
 * Linear address of seg:offset with the checks of the current mode, in the
 * Intel core's order (the SDM leaves the order within Table 6-2's class 10
 * to the implementation; docs/differential-testing.md).  In 64-bit mode: a
 * canonical first byte (#GP, #SS through SS), the alignment check of a
 * word, doubleword or quadword operand (#AC), a canonical last byte.  In
 * the other modes: the segment's usability and type (a write to a code
 * segment is #GP before #AC), the alignment check, the limit (after #AC by
 * analogy with the last byte's canonical check: the host cannot show it).
 * The page walk (#PF) comes after.
 */
SimStatus cpu_seg_linear(CpuState *cpu, unsigned seg, uint64_t offset, unsigned size,
                         AccessKind kind, uint64_t *lin) SIM_MUST_CHECK;
/* seg:offset as a linear address, without any check. */
uint64_t cpu_seg_linear_unchecked(const CpuState *cpu, unsigned seg, uint64_t offset);
/* The first check of cpu_seg_linear, for callers whose own alignment rule
 * comes next: in 64-bit mode a canonical first byte (#GP, #SS through SS). */
SimStatus cpu_seg_check_base(CpuState *cpu, unsigned seg, uint64_t offset) SIM_MUST_CHECK;
/* SDM 6.15 "Interrupt 17—Alignment Check Exception (#AC)": with alignment
 * checking on (CPL 3, CR0.AM = RFLAGS.AC = 1: events.h CHECK_AC), #AC(0)
 * when lin is not a multiple of `align` (a power of two), the requirement
 * of the operand's data type (Table 6-7).  Only accesses an instruction
 * makes at CPL 3 are checked; those that default to privilege level 0
 * (descriptor tables, TSS, delivery frames on an inner stack) are not.
 * Operands of 16 bytes and more are not checked piece by piece (an unaligned
 * MOVUPS/MOVUPD/MOVDQU does not fault, as on Intel cores); the x87 images
 * and m80 are checked by their instructions. */
SimStatus cpu_check_alignment(CpuState *cpu, uint64_t lin, unsigned align) SIM_MUST_CHECK;

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

/* The fast path of a read: a TLB entry that grants what `kind` needs and
 * holds the whole access.  ACC_WRITE is the read of a read-modify-write
 * destination, which needs the write permissions. */
static inline __attribute__((always_inline)) bool cpu_tlb_read(CpuState *cpu, uint64_t lin,
                                                               unsigned size, AccessKind kind,
                                                               uint64_t *value)
{
    TlbEntry *e = mem_tlb_slot(&cpu->tlb, lin);
    uint32_t need = tlb_need(cpu, kind);
    if (SIM_LIKELY(e->tag == mem_tlb_tag(&cpu->tlb, lin) && (e->perm & need) == need &&
                   (lin & (PAGE_SIZE - 1)) <= PAGE_SIZE - size)) {
        uint64_t v = 0;
        memcpy(&v, e->host + (lin & (PAGE_SIZE - 1)), size);
        *value = v;
        return true;
    }
    return false;
}

static inline __attribute__((always_inline)) bool cpu_tlb_write(CpuState *cpu, uint64_t lin,
                                                                unsigned size, uint64_t value)
{
    TlbEntry *e = mem_tlb_slot(&cpu->tlb, lin);
    uint32_t need = tlb_need(cpu, ACC_WRITE);
    if (SIM_LIKELY(e->tag == mem_tlb_tag(&cpu->tlb, lin) && (e->perm & need) == need &&
                   (lin & (PAGE_SIZE - 1)) <= PAGE_SIZE - size)) {
        memcpy(e->host + (lin & (PAGE_SIZE - 1)), &value, size);
        return true;
    }
    return false;
}

static inline __attribute__((always_inline)) SimStatus SIM_MUST_CHECK cpu_lin_read(CpuState *cpu, uint64_t lin, unsigned size,
                                                    uint64_t *value)
{
    if (SIM_LIKELY(cpu_tlb_read(cpu, lin, size, ACC_READ, value)))
        return SIM_OK;
    return cpu_lin_read_slow(cpu, lin, size, value, false);
}

static inline __attribute__((always_inline)) SimStatus SIM_MUST_CHECK cpu_lin_write(CpuState *cpu, uint64_t lin, unsigned size,
                                                     uint64_t value)
{
    if (SIM_LIKELY(cpu_tlb_write(cpu, lin, size, value)))
        return SIM_OK;
    return cpu_lin_write_slow(cpu, lin, size, value, false);
}

/*
 * The first accesses the Intel core makes to an x87 or SSE state image
 * (FLDENV, FNSTENV, FRSTOR, FNSAVE, FXSAVE, FXRSTOR) or to a segment
 * register's stack slot (PUSH Sreg): its first field (`first` bytes), then
 * its last byte, each with the checks of a `kind` access (segment and
 * canonical checks, then the page walk).  So a fault on the image's last
 * page reports its last byte in CR2 unless the first field already reaches
 * that page, and a #PF on the first page comes before the #GP of a last
 * byte beyond the canonical boundary.  The SDM is silent (SDM 4.7: CR2 is
 * "the linear address that generated the exception"); this is the Intel
 * core's order (docs/differential-testing.md).  An image is at most a page,
 * so nothing in between can fault after.
 */
SimStatus cpu_mem_probe_image(CpuState *cpu, unsigned seg, uint64_t offset, unsigned size,
                              unsigned first, AccessKind kind) SIM_MUST_CHECK;

/* Accesses of any size (x87 80-bit values, XMM 128-bit values, FXSAVE's 512
 * bytes): all pages are checked before anything is read or written, so a
 * fault leaves memory and the destination unchanged. */
SimStatus cpu_mem_read_block(CpuState *cpu, unsigned seg, uint64_t offset, void *buf,
                             unsigned size) SIM_MUST_CHECK;
SimStatus cpu_mem_write_block(CpuState *cpu, unsigned seg, uint64_t offset, const void *buf,
                              unsigned size) SIM_MUST_CHECK;

/* Linear address in 64-bit mode without a call (SDM 3.4.4: only FS and GS
 * bases apply); false when it is not canonical.  The last byte of an access
 * that does not cross a page is then canonical too; one that crosses a page
 * misses the TLB fast path, and the slow path checks its last byte. */
static inline bool cpu_linear64(const CpuState *cpu, unsigned seg, uint64_t offset, uint64_t *lin)
{
    uint64_t a = offset + (seg >= SEG_FS ? cpu->seg[seg].base : 0);
    unsigned shift = (cpu->cr4 & CR4_LA57) ? 7 : 16;
    *lin = a;
    return (uint64_t)((int64_t)(a << shift) >> shift) == a;
}

/* Slow paths of seg:offset accesses in 64-bit mode: the segment checks
 * (canonical first and last byte: #GP, or #SS through SS), then the linear
 * slow path.  `kind` is ACC_READ, or ACC_WRITE for the read of a
 * read-modify-write destination. */
SimStatus cpu_mem_read_slow(CpuState *cpu, unsigned seg, uint64_t offset, unsigned size,
                            uint64_t *value, AccessKind kind) SIM_MUST_CHECK;
SimStatus cpu_mem_write_slow(CpuState *cpu, unsigned seg, uint64_t offset, unsigned size,
                             uint64_t value) SIM_MUST_CHECK;
/* The linear slow path of the read of a read-modify-write destination:
 * translated, and faulting, as a write (SDM 4.7: W = 1 in a #PF error code). */
SimStatus cpu_lin_read_rmw_slow(CpuState *cpu, uint64_t lin, unsigned size,
                                uint64_t *value) SIM_MUST_CHECK;

static inline __attribute__((always_inline)) SimStatus SIM_MUST_CHECK
cpu_mem_read_kind(CpuState *cpu, unsigned seg, uint64_t offset, unsigned size, uint64_t *value,
                  AccessKind kind)
{
    uint64_t lin;
    if (SIM_LIKELY(cpu->mode == MODE_LONG64)) {
        if (SIM_LIKELY(cpu_linear64(cpu, seg, offset, &lin) &&
                       cpu_tlb_read(cpu, lin, size, kind, value)))
            return SIM_OK;
        return cpu_mem_read_slow(cpu, seg, offset, size, value, kind);
    }
    if (SIM_UNLIKELY(cpu_seg_linear(cpu, seg, offset, size, kind, &lin) != SIM_OK))
        return SIM_FAULT;
    if (SIM_LIKELY(cpu_tlb_read(cpu, lin, size, kind, value)))
        return SIM_OK;
    return kind == ACC_WRITE ? cpu_lin_read_rmw_slow(cpu, lin, size, value)
                             : cpu_lin_read_slow(cpu, lin, size, value, false);
}

/* seg:offset accesses, as instructions make them. */
static inline __attribute__((always_inline)) SimStatus SIM_MUST_CHECK cpu_mem_read(CpuState *cpu, unsigned seg, uint64_t offset,
                                                    unsigned size, uint64_t *value)
{
    return cpu_mem_read_kind(cpu, seg, offset, size, value, ACC_READ);
}

/* The read of a read-modify-write destination (ADD m, r; INC m; XCHG; BTS
 * m ...): checked as a write, so a fault is the write's (#GP for a
 * read-only segment, #PF with W = 1, SDM 4.7 "Page-Fault Exceptions"). */
static inline __attribute__((always_inline)) SimStatus SIM_MUST_CHECK
cpu_mem_read_rmw(CpuState *cpu, unsigned seg, uint64_t offset, unsigned size, uint64_t *value)
{
    return cpu_mem_read_kind(cpu, seg, offset, size, value, ACC_WRITE);
}

static inline __attribute__((always_inline)) SimStatus SIM_MUST_CHECK cpu_mem_write(CpuState *cpu, unsigned seg, uint64_t offset,
                                                     unsigned size, uint64_t value)
{
    uint64_t lin;
    if (SIM_LIKELY(cpu->mode == MODE_LONG64)) {
        if (SIM_LIKELY(cpu_linear64(cpu, seg, offset, &lin) &&
                       cpu_tlb_write(cpu, lin, size, value)))
            return SIM_OK;
        return cpu_mem_write_slow(cpu, seg, offset, size, value);
    }
    if (SIM_UNLIKELY(cpu_seg_linear(cpu, seg, offset, size, ACC_WRITE, &lin) != SIM_OK))
        return SIM_FAULT;
    return cpu_lin_write(cpu, lin, size, value);
}

#endif
