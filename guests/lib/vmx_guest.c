/* Guest-state builders for a 64-bit and a 32-bit protected-mode guest (guest/vmx_guest.h). */
#include "guest/vmx_guest.h"

#include "guest/io.h"

/* Vol. 3A 2.5 "Control Registers", 2.2.1 "Extended Feature Enable Register". */
#define CR0_PE (1ull << 0)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define MSR_IA32_EFER 0xC0000080u
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)

/* 24.4.1 Table 24-2 "Format of Access Rights" (descriptor bits 55:40
 * without the limit bits): type, S, DPL 0, P, then L (13), D/B (14), G (15). */
#define AR_CODE64 0xA09Bu   /* execute/read, accessed; L = 1, G = 1 */
#define AR_CODE32 0xC09Bu   /* execute/read, accessed; D = 1, G = 1 */
#define AR_DATA 0xC093u     /* read/write, accessed; B = 1, G = 1 */
#define AR_TSS_BUSY 0x008Bu /* busy 32-bit / 64-bit TSS (type 11), S = 0 */

/* Vol. 3A 5.3, 5.5 paging-structure entries: P, R/W, PS (large page). */
#define PTE_P 0x1u
#define PTE_W 0x2u
#define PTE_PS 0x80u
#define MIB2 (2ull << 20)
#define MIB4 (4ull << 20)

uint64_t vmx_page_tables_64(VmxPageTables64 *pt, uint64_t bytes) {
    uint64_t pages = (bytes + MIB2 - 1) / MIB2;
    uint64_t *pde = &pt->pd[0][0];
    for (uint64_t i = 0; i < 4 * 512; i++)
        pde[i] = i < pages ? (i * MIB2) | PTE_PS | PTE_W | PTE_P : 0;
    for (unsigned i = 0; i < 512; i++) {
        bool used = i < 4 && i * 512 < pages;
        pt->pdpt[i] = used ? (uint64_t)(uintptr_t)pt->pd[i] | PTE_W | PTE_P : 0;
        pt->pml4[i] = 0;
    }
    pt->pml4[0] = (uint64_t)(uintptr_t)pt->pdpt | PTE_W | PTE_P;
    return (uint64_t)(uintptr_t)pt->pml4;
}

uint64_t vmx_page_directory_32(VmxPageDirectory32 *pd, uint64_t bytes) {
    uint64_t pages = (bytes + MIB4 - 1) / MIB4;
    for (uint64_t i = 0; i < 1024; i++)
        pd->pde[i] = i < pages ? (uint32_t)(i * MIB4) | PTE_PS | PTE_W | PTE_P : 0;
    return (uint64_t)(uintptr_t)pd->pde;
}

/* Vol. 3A 3.4.5 Figure 3-8 "Segment Descriptor": limit 15:0, base 23:0,
 * access rights (bits 15:12 and 7:0 of Table 24-2) at 40, limit 19:16 at
 * 48, base 31:24 at 56. */
static uint64_t descriptor(uint32_t base, uint32_t limit20, uint32_t ar) {
    return (limit20 & 0xffffull) | (uint64_t)(base & 0xffffff) << 16 |
           (uint64_t)(ar & 0xf0ff) << 40 | (uint64_t)(limit20 >> 16 & 0xf) << 48 |
           (uint64_t)(base >> 24) << 56;
}

/* The GDT, and a TSS whose I/O-map base (offset 102) lies beyond its
 * limit: no I/O permission bitmap (Vol. 3A 7.7, 20.5.2). */
static void build_tables(VmxGuestTables *t) {
    uint64_t tss = (uint64_t)(uintptr_t)t->tss;
    for (unsigned i = 0; i < 26; i++)
        t->tss[i] = 0;
    t->tss[25] = (uint32_t)sizeof(t->tss) << 16;
    t->gdt[0] = 0;
    t->gdt[VMX_GUEST_CODE64 / 8] = descriptor(0, 0xfffff, AR_CODE64);
    t->gdt[VMX_GUEST_DATA / 8] = descriptor(0, 0xfffff, AR_DATA);
    t->gdt[VMX_GUEST_CODE32 / 8] = descriptor(0, 0xfffff, AR_CODE32);
    t->gdt[VMX_GUEST_TSS / 8] = descriptor((uint32_t)tss, sizeof(t->tss) - 1, AR_TSS_BUSY);
    t->gdt[VMX_GUEST_TSS / 8 + 1] = tss >> 32; /* base 63:32 (Vol. 3A 7.2.3) */
}

/* 26.3.1.2 "Checks on Guest Segment Registers": flat CS/SS/DS/ES/FS/GS
 * at DPL 0 (byte limit FFFFFFFFH with G = 1), LDTR unusable, TR busy. */
static VmxResult write_segments(VmxGuestTables *t, uint16_t cs, uint32_t cs_ar) {
    build_tables(t);
    const VmxSegment code = {cs, 0, 0xffffffffu, cs_ar};
    const VmxSegment data = {VMX_GUEST_DATA, 0, 0xffffffffu, AR_DATA};
    const VmxSegment ldtr = {0, 0, 0, VMX_AR_UNUSABLE};
    const VmxSegment tr = {VMX_GUEST_TSS, (uint64_t)(uintptr_t)t->tss, sizeof(t->tss) - 1,
                           AR_TSS_BUSY};
    const VmxSegment seg[8] = {data, code, data, data, data, data, ldtr, tr};
    for (unsigned i = 0; i < 8; i++) {
        VmxResult r = vmx_write_guest_segment((VmxSegmentIndex)i, seg[i]);
        if (r != VMX_SUCCEED) return r;
    }
    return VMX_SUCCEED;
}

/* 24.4.1 "Guest Register State"; 26.3.1.1 (CRs with the fixed bits, DR7
 * bits 63:32 zero, canonical SYSENTER MSRs), 26.3.1.3 (GDTR/IDTR), 26.3.1.4
 * (RFLAGS bit 1).  GUEST_IA32_EFER exists when "load IA32_EFER" can be 1. */
static VmxResult write_registers(const VmxGuestSpec *g, uint64_t cr0, uint64_t cr4, uint64_t efer) {
    const VmxField f[] = {
        {VMCS_GUEST_CR0,
         vmx_fixed_cr(cr0, rdmsr(MSR_IA32_VMX_CR0_FIXED0), rdmsr(MSR_IA32_VMX_CR0_FIXED1))},
        {VMCS_GUEST_CR3, g->cr3},
        {VMCS_GUEST_CR4,
         vmx_fixed_cr(cr4, rdmsr(MSR_IA32_VMX_CR4_FIXED0), rdmsr(MSR_IA32_VMX_CR4_FIXED1))},
        {VMCS_GUEST_DR7, 0x400},
        {VMCS_GUEST_RSP, g->rsp},
        {VMCS_GUEST_RIP, g->rip},
        {VMCS_GUEST_RFLAGS, 0x2},
        {VMCS_GUEST_GDTR_BASE, (uint64_t)(uintptr_t)g->tables->gdt},
        {VMCS_GUEST_GDTR_LIMIT, sizeof(g->tables->gdt) - 1},
        {VMCS_GUEST_IDTR_BASE, 0},
        {VMCS_GUEST_IDTR_LIMIT, 0},
        {VMCS_GUEST_IA32_DEBUGCTL, 0},
        {VMCS_GUEST_IA32_SYSENTER_CS, 0},
        {VMCS_GUEST_IA32_SYSENTER_ESP, 0},
        {VMCS_GUEST_IA32_SYSENTER_EIP, 0},
    };
    VmxResult r = vmx_write_fields(f, VMX_COUNT(f));
    if (r == VMX_SUCCEED && vmx_controls_allowed(VMX_ENTRY, ENTRY_LOAD_IA32_EFER))
        r = vmx_vmwrite(VMCS_GUEST_IA32_EFER, efer);
    return r != VMX_SUCCEED ? r : vmx_write_guest_nonregister_state();
}

VmxResult vmx_guest_state_64(const VmxGuestSpec *g) {
    VmxResult r = write_registers(g, CR0_PE | CR0_ET | CR0_NE | CR0_PG, CR4_PAE,
                                  (rdmsr(MSR_IA32_EFER) | EFER_LME | EFER_LMA));
    return r != VMX_SUCCEED ? r : write_segments(g->tables, VMX_GUEST_CODE64, AR_CODE64);
}

VmxResult vmx_guest_state_32(const VmxGuestSpec *g) {
    VmxResult r = write_registers(g, CR0_PE | CR0_ET | CR0_NE | CR0_PG, CR4_PSE,
                                  rdmsr(MSR_IA32_EFER) & ~(EFER_LME | EFER_LMA));
    return r != VMX_SUCCEED ? r : write_segments(g->tables, VMX_GUEST_CODE32, AR_CODE32);
}
