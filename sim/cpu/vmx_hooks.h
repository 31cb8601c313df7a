/*
 * The CPU's view of VMX (design.md: the layers point down, debug -> vmx ->
 * cpu, so the CPU never includes the VMX layer).  The VMX layer installs
 * these hooks with vmx_attach(); a CPU without them (a model without VMX)
 * treats every VMX instruction as #UD.
 *
 * Priority (SDM 25.1.1 "Relative Priority of Faults and VM Exits"): a
 * handler first raises the faults that have priority over VM exits (#UD,
 * CPL and I/O-permission #GP ...), then asks cpu_vmx_intercept(), then does
 * its own work.
 */
#ifndef VMXSIM_CPU_VMX_HOOKS_H
#define VMXSIM_CPU_VMX_HOOKS_H

#include "sim/cpu/decoded_insn.h"

/* What the CPU asks the VMX layer about in VMX non-root operation. */
typedef enum VmxIntercept {
    VMX_ICPT_CPUID,         /* SDM 25.1.2: unconditional */
    VMX_ICPT_GETSEC,
    VMX_ICPT_INVD,
    VMX_ICPT_XSETBV,
    VMX_ICPT_HLT,           /* SDM 25.1.3: "HLT exiting" */
    VMX_ICPT_IO,            /* IN/OUT/INS/OUTS: I/O exiting and the I/O bitmaps */
    VMX_ICPT_RDMSR,         /* *value: ECX; the MSR bitmaps */
    VMX_ICPT_WRMSR,
    VMX_ICPT_MOV_TO_CR,     /* *value: the source; on SIM_OK, the value to write (SDM 25.3) */
    VMX_ICPT_MOV_FROM_CR,   /* *value: the register; on SIM_OK, what the guest reads */
    VMX_ICPT_CLTS,          /* SDM 25.1.3: CR0.TS owned by the host and shadowed as 1 */
    VMX_ICPT_LMSW,          /* *value: the source operand; on SIM_OK the source to use */
    /* SDM 25.3: RDTSCP and INVPCID exist in non-root operation only with their
     * "enable" control; without it SIM_FAULT (#UD), before any other fault. */
    VMX_ICPT_ENABLE,
    VMX_ICPT_INVLPG,        /* *value: the linear address (the exit qualification) */
    VMX_ICPT_INVPCID,       /* "INVLPG exiting" */
    VMX_ICPT_RDTSC,         /* RDTSC and RDTSCP: "RDTSC exiting" */
    VMX_ICPT_RDPMC,
    VMX_ICPT_MOV_DR,        /* before the CPL #GP and CR4.DE #UD (SDM 25.1.3 MOV DR) */
    VMX_ICPT_PAUSE,
    VMX_ICPT_WBINVD,
    VMX_ICPT_DESC_TABLE,    /* LGDT LIDT LLDT LTR SGDT SIDT SLDT STR, before operand accesses */
    VMX_ICPT_IRET,          /* after IRET, also a faulting one: *value bit 0 NMI blocking before
                             * it, bit 1 it faulted; SIM_OK (SDM 25.3 IRET) */
} VmxIntercept;

/* An event about to be delivered in VMX non-root operation (SDM 25.2
 * "Other Causes of VM Exits"). */
typedef enum VmxEventType {
    VMX_EVENT_EXCEPTION, /* a hardware exception (fault or trap) */
    VMX_EVENT_EXTINT,    /* an external interrupt: INTR is asserted, not yet acknowledged */
    VMX_EVENT_NMI,
    VMX_EVENT_TRIPLE_FAULT,
    VMX_EVENT_SOFT_EXCEPTION, /* #BP by INT3, #OF by INTO: RIP is past the instruction */
    VMX_EVENT_INIT,           /* an INIT signal (not in wait-for-SIPI, which blocks it) */
    VMX_EVENT_SIPI,           /* a SIPI in the wait-for-SIPI state; vector: its vector */
} VmxEventType;

typedef struct VmxEvent {
    uint8_t type; /* VmxEventType */
    uint8_t vector;
    bool has_error;
    uint32_t error;
    uint8_t insn_len; /* VMX_EVENT_SOFT_EXCEPTION */
} VmxEvent;

typedef struct CpuVmxOps {
    /* Every VMX instruction (VMXON ... INVVPID, VMCALL, VMFUNC). */
    SimStatus (*instruction)(CpuState *cpu, const DecodedInsn *d);
    /* Non-root only.  SIM_VMEXIT: the instruction caused a VM exit (the CPU
     * now holds the host state); SIM_FAULT: a fault (cpu->fault); SIM_OK: it
     * executes, with *value as documented per VmxIntercept. */
    SimStatus (*intercept)(CpuState *cpu, const DecodedInsn *d, VmxIntercept what,
                           uint64_t *value);
    /* Non-root only.  SIM_VMEXIT: the event caused a VM exit; SIM_OK:
     * deliver it through the IDT.  `during`: the event whose delivery
     * raised this one (IDT-vectoring information), or NULL. */
    SimStatus (*event)(CpuState *cpu, const VmxEvent *e, const VmxEvent *during);
    /* Non-root only, at an instruction boundary on the careful path: a VM exit
     * of SDM 25.2 / 25.5 that the VMX layer makes there (MTF, the VMX-preemption
     * timer, NMI-window and interrupt-window exiting), given the SDM 6.9 Table 6-2
     * class of the event the CPU would deliver next (VMX_NEXT_*).  SIM_VMEXIT or
     * SIM_OK. */
    SimStatus (*boundary)(CpuState *cpu, unsigned next_class);
    /* Non-root only, halted: would boundary() make a VM exit that wakes the CPU? */
    bool (*wakes)(const CpuState *cpu);
    /* The capability MSRs IA32_VMX_BASIC ... (index 0x480 + i); false: no such MSR. */
    bool (*read_capability)(const CpuState *cpu, uint32_t index, uint64_t *value);
} CpuVmxOps;

/* The classes of SDM 6.9 Table 6-2 that boundary() is given: the CPU's next
 * event is a debug trap, an NMI, INTR, a code breakpoint, or none. */
enum {
    VMX_NEXT_DEBUG_TRAP = 4,
    VMX_NEXT_NMI,
    VMX_NEXT_INTR,
    VMX_NEXT_CODE_BREAKPOINT,
    VMX_NEXT_NONE
};

static inline bool cpu_vmx_nonroot(const CpuState *cpu) { return cpu->vmx_mode == VMX_MODE_NONROOT; }

/* In non-root operation, ask whether `d` causes a VM exit (see CpuVmxOps). */
static inline SimStatus SIM_MUST_CHECK cpu_vmx_intercept(CpuState *cpu, const DecodedInsn *d,
                                                         VmxIntercept what, uint64_t *value)
{
    if (SIM_LIKELY(cpu->vmx_mode != VMX_MODE_NONROOT))
        return SIM_OK;
    return cpu->vmx_ops->intercept(cpu, d, what, value);
}

/* SDM 25.2: #BP from INT3 and #OF from INTO are software exceptions that
 * the exception bitmap can turn into a VM exit before their delivery. */
static inline SimStatus SIM_MUST_CHECK cpu_vmx_soft_exception(CpuState *cpu, const DecodedInsn *d,
                                                              unsigned vector)
{
    if (SIM_LIKELY(cpu->vmx_mode != VMX_MODE_NONROOT))
        return SIM_OK;
    VmxEvent e = {VMX_EVENT_SOFT_EXCEPTION, (uint8_t)vector, false, 0, d->len};
    return cpu->vmx_ops->event(cpu, &e, NULL);
}

#endif
