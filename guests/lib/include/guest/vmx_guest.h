/*
 * Guest-state builders for guest hypervisors: a 64-bit guest and a 32-bit
 * protected-mode guest, each with its own GDT, TSS and page tables, written
 * to the guest-state area of the current VMCS so that every check of SDM
 * 26.3.1 "Checks on the Guest State Area" passes.
 *
 * Without EPT guest-physical addresses are host-physical: the tables and
 * the guest's code, data and stack are ordinary memory of the hypervisor's
 * image, whose addresses are physical under the direct-boot identity map.
 * Neither processor mode without "unrestricted guest" allows CR0.PG = 0
 * (A.7: IA32_VMX_CR0_FIXED0 has PE and PG), so both guests run paged.
 */
#ifndef GUEST_VMX_GUEST_H
#define GUEST_VMX_GUEST_H

#include <stdint.h>

#include "guest/vmx.h"

/* The guest's GDT (Vol. 3A 3.4.5) and TSS (7.7, 104 bytes), built by the
 * builders: null, 64-bit code, flat data, 32-bit code, then the TSS
 * descriptor (16 bytes in IA-32e mode, 7.2.3). */
#define VMX_GUEST_CODE64 0x08
#define VMX_GUEST_DATA 0x10
#define VMX_GUEST_CODE32 0x18
#define VMX_GUEST_TSS 0x20
typedef struct VmxGuestTables {
    uint64_t gdt[6] __attribute__((aligned(16)));
    uint32_t tss[26];
} VmxGuestTables;

/* 4-level paging (Vol. 3A 5.5) for a 64-bit guest: one PML4, one PDPT,
 * four page directories of 2-MByte pages, mapping up to 4 GBytes. */
typedef struct VmxPageTables64 {
    uint64_t pml4[512] __attribute__((aligned(4096)));
    uint64_t pdpt[512] __attribute__((aligned(4096)));
    uint64_t pd[4][512] __attribute__((aligned(4096)));
} VmxPageTables64;
/* Identity-maps [0, bytes) (rounded up to 2 MBytes, at most 4 GBytes),
 * writable, supervisor; returns the CR3 value. */
uint64_t vmx_page_tables_64(VmxPageTables64 *pt, uint64_t bytes);

/* 32-bit paging (Vol. 3A 5.3) with 4-MByte pages (CR4.PSE = 1). */
typedef struct VmxPageDirectory32 {
    uint32_t pde[1024] __attribute__((aligned(4096)));
} VmxPageDirectory32;
/* Identity-maps [0, bytes) (rounded up to 4 MBytes, at most 4 GBytes);
 * returns the CR3 value. */
uint64_t vmx_page_directory_32(VmxPageDirectory32 *pd, uint64_t bytes);

/* Where the guest starts.  rip and rsp are linear addresses the guest's
 * page tables (cr3) map; for a 32-bit guest all three lie below 4 GBytes. */
typedef struct VmxGuestSpec {
    uint64_t rip, rsp, cr3;
    VmxGuestTables *tables;
} VmxGuestSpec;

/* A 64-bit guest at CPL 0: CR0 = PE|ET|NE|PG, CR4 = PAE, both with the
 * VMX fixed bits (so CR4.VMXE = 1), EFER.LMA = LME = 1, CS = 08H (L = 1),
 * the data selectors 10H, TR = 20H (busy 64-bit TSS), LDTR unusable, IDTR
 * empty, RFLAGS = 2 (IF = 0), DR7 = 400H.  The VM-entry controls must have
 * "IA-32e mode guest" = 1 (26.3.1.1, 26.3.1.2). */
VmxResult vmx_guest_state_64(const VmxGuestSpec *g);
/* A 32-bit protected-mode guest at CPL 0: CR0 = PE|ET|NE|PG, CR4 = PSE
 * (+ fixed bits), EFER.LMA = LME = 0, CS = 18H (D = 1), the data
 * selectors 10H, TR = 20H (busy 32-bit TSS), the rest as the 64-bit guest.
 * The VM-entry controls must have "IA-32e mode guest" = 0. */
VmxResult vmx_guest_state_32(const VmxGuestSpec *g);

#endif
