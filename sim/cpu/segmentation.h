/*
 * Segment descriptors (SDM Vol. 3A 3.4 "Segment Selectors and Segment
 * Descriptors", 5.x protection checks): reading descriptors from the GDT/LDT,
 * converting them to the VMX access-rights segment cache, loading segment
 * registers with their checks.
 */
#ifndef VMXSIM_CPU_SEGMENTATION_H
#define VMXSIM_CPU_SEGMENTATION_H

#include "sim/cpu/cpu.h"

typedef struct Descriptor {
    uint64_t lo, hi; /* hi is used by 16-byte system descriptors in IA-32e mode */
} Descriptor;

/* Descriptor type field values for system descriptors (S = 0), SDM 3.5 Table 3-2. */
enum {
    DESC_TSS16_AVAIL = 0x1,
    DESC_LDT = 0x2,
    DESC_TSS16_BUSY = 0x3,
    DESC_CALL_GATE16 = 0x4,
    DESC_TSS32_AVAIL = 0x9,
    DESC_TSS32_BUSY = 0xb,
    DESC_CALL_GATE32 = 0xc,
    DESC_INT_GATE32 = 0xe,
    DESC_TRAP_GATE32 = 0xf,
    DESC_TASK_GATE = 0x5,
    DESC_INT_GATE16 = 0x6,
    DESC_TRAP_GATE16 = 0x7,
};

/* Read the 8-byte (or 16-byte with `wide`) descriptor named by selector.
 * Raises #GP(selector & ~3) when it lies outside the table's limit. */
SimStatus cpu_read_descriptor(CpuState *cpu, uint16_t selector, bool wide, Descriptor *d)
    SIM_MUST_CHECK;
/* Descriptor -> segment cache in VMX access-rights format. */
Segment cpu_descriptor_to_segment(const Descriptor *d, uint16_t selector, bool wide);
/* Set the accessed bit of a code/data descriptor in memory (SDM 3.4.5.1). */
SimStatus cpu_set_descriptor_accessed(CpuState *cpu, uint16_t selector) SIM_MUST_CHECK;

/* MOV/POP to DS, ES, FS, GS, SS with every check (SDM Vol. 2 MOV "Operation"). */
SimStatus cpu_load_data_segment(CpuState *cpu, unsigned seg, uint16_t selector) SIM_MUST_CHECK;
/* Real-mode / virtual-8086 segment load: base = selector << 4. */
void cpu_load_real_segment(CpuState *cpu, unsigned seg, uint16_t selector);
/* Load CS for a far transfer to a code segment at privilege `cpl` (checks done by caller). */
void cpu_load_code_segment(CpuState *cpu, const Descriptor *d, uint16_t selector, unsigned cpl);

/* True when the `size`-byte descriptor of `selector` lies within its table
 * (the GDT, or with TI = 1 a usable LDT).  No fault: callers raise the
 * exception their rule names (#GP, #TS ...). */
bool cpu_selector_in_table(const CpuState *cpu, uint16_t selector, unsigned size);
/* Set or clear the busy bit (type bit 1) of the TSS descriptor `selector`
 * in the GDT (SDM 7.2.2 "TSS Descriptor", 7.4.1 "Use of Busy Flag"). */
SimStatus cpu_set_tss_busy(CpuState *cpu, uint16_t selector, bool busy) SIM_MUST_CHECK;
/* The segment cache of a virtual-8086 mode segment register (SDM 20.1.1
 * "Address Translation in Real-Address Mode" applied by 20.2.1): base =
 * selector * 16, limit FFFFH, access rights F3H (present, DPL 3, read/write
 * data, accessed) for every register, CS included: the value SDM 26.3.1.2
 * "Checks on Guest Segment Registers" requires of a virtual-8086 guest. */
Segment cpu_v86_segment(uint16_t selector);

/* A stack that is not (yet) SS:RSP: the inner stack of a call gate or an
 * interrupt, written before the switch is committed. */
typedef struct StackRef {
    Segment ss;
    uint64_t sp;    /* bits above the stack-address size are kept as loaded */
    bool wide;      /* 64-bit stack: canonical checks, no segment limit */
    uint32_t error; /* error code of the #SS a push beyond the stack raises */
} StackRef;

/* The stack of the current SS:RSP as a StackRef (#SS(0) on overflow). */
StackRef cpu_current_stack(const CpuState *cpu);
/* SDM 5.8.5 "Stack Switching", 6.12.1 "Exception- or Interrupt-Handler
 * Procedures" and Vol. 2 CALL "MORE-PRIVILEGE": the stack for privilege
 * level `dpl` from the current TSS, checked.  32/16-bit TSS: the TSS too
 * short is #TS(TR selector + ext); a null SS #TS(ext); an SS outside its
 * table, with RPL or DPL != dpl or not a writable data segment
 * #TS(SS + ext); not present #SS(SS + ext).  IA-32e mode (5.8.5.1, 6.14.4):
 * RSP from the 64-bit TSS and SS = a null selector with RPL = dpl. */
SimStatus cpu_inner_stack(CpuState *cpu, unsigned dpl, uint32_t ext, StackRef *st) SIM_MUST_CHECK;
/* Room for `bytes` more below st->sp (limit or canonical check only):
 * #SS(st->error) otherwise. */
SimStatus cpu_stack_ref_room(CpuState *cpu, const StackRef *st, unsigned bytes) SIM_MUST_CHECK;
/* Push onto st: wraps at the stack-address size (SS.B), checks the limit
 * (expand-up or expand-down, SDM 5.3 "Limit Checking") or canonicality and
 * raises #SS(st->error); a supervisor-mode access when st->ss.DPL < 3. */
SimStatus cpu_stack_ref_push(CpuState *cpu, StackRef *st, unsigned size, uint64_t value) SIM_MUST_CHECK;

#endif
