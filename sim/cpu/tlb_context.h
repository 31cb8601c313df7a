/*
 * Invalidations the SDM requires at VM entries and VM exits (SDM 28.3.3.1
 * "Operations that Invalidate Cached Mappings": without VPIDs every VM entry
 * and VM exit invalidates all linear mappings), done only when they could
 * change anything.
 *
 * Every entry in the TLB was made by a page walk since the TLB's current
 * epoch began, under one translation context (CR0, CR3, CR4, EFER, PKRU and
 * the PDPTE registers: any change of them starts a new epoch, and MOV CR3
 * carrying global entries over marks the TLB "carried").  If at a VM entry
 * or exit the new context equals that one and no paging structure has been
 * written since (Memory.paging_writes), each entry is exactly what a fresh
 * walk would produce, so dropping them is unobservable and is skipped; the
 * decoded-block links, which hang on the epoch, survive too.
 */
#ifndef VMXSIM_CPU_TLB_CONTEXT_H
#define VMXSIM_CPU_TLB_CONTEXT_H

#include "sim/cpu/cpu.h"

/* After a VM entry or exit has loaded the new state: invalidate the TLB
 * unless that is unobservable (above). */
void cpu_tlb_vmx_transition(CpuState *cpu);

#endif
