/*
 * L1's operands: registers (the VmxGuestRegs of vcpu, RSP in vmcs01) and
 * memory operands of VMX instructions, from the VM-exit instruction-
 * information field (27.2.5 Tables 27-13 and 27-14) and the displacement in
 * the exit qualification (27.2.1), translated with L1's page tables.
 */
#include "hv_nest.h"

/* 27.2.5: 0 RAX, 1 RCX, 2 RDX, 3 RBX, 4 RSP, 5 RBP, 6 RSI, 7 RDI, 8-15 R8-R15. */
#define GPR_RSP 4u

static uint64_t *gpr_slot(unsigned n) {
    VmxGuestRegs *r = &vcpu.regs;
    uint64_t *const slot[16] = {&r->rax, &r->rcx, &r->rdx, &r->rbx, NULL,    &r->rbp,
                                &r->rsi, &r->rdi, &r->r8,  &r->r9,  &r->r10, &r->r11,
                                &r->r12, &r->r13, &r->r14, &r->r15};
    return slot[n & 15];
}

uint64_t nest_gpr(unsigned n) {
    return (n & 15) == GPR_RSP ? vmx_read(VMCS_GUEST_RSP) : *gpr_slot(n);
}

void nest_set_gpr(unsigned n, uint64_t value) {
    if ((n & 15) == GPR_RSP)
        vmx_write(VMCS_GUEST_RSP, value);
    else
        *gpr_slot(n) = value;
}

/* Table 27-13/27-14: scaling 1:0, address size 9:7, segment 17:15, index
 * 21:18 (invalid: bit 22), base 26:23 (invalid: bit 27).  In 64-bit mode
 * only FS and GS have a base (Vol. 3A 3.2.4). */
uint64_t nest_operand_address(const VmxExit *e) {
    uint32_t info = (uint32_t)vmx_read(VMCS_EXIT_INSTRUCTION_INFO);
    uint64_t addr = e->qualification; /* the displacement, sign-extended */
    unsigned size = info >> 7 & 7, seg = info >> 15 & 7;
    if (!(info & (1u << 27))) addr += nest_gpr(info >> 23 & 15);
    if (!(info & (1u << 22))) addr += nest_gpr(info >> 18 & 15) << (info & 3);
    if (size == 0) addr &= 0xffff;
    if (size == 1) addr &= 0xffffffffu;
    if (seg == 4) addr += vmx_read(VMCS_GUEST_FS_BASE);
    if (seg == 5) addr += vmx_read(VMCS_GUEST_GS_BASE);
    return addr;
}

/* Vol. 3A 5.5 "4-Level Paging": PML4E, PDPTE (PS: 1-GByte page), PDE
 * (PS: 2-MByte page), PTE; 0 with *ok = false if an entry is not present. */
static uint64_t translate(uint64_t linear, bool *ok) {
    static const uint64_t page_mask[4] = {0, 0x3fffffffull, 0x1fffffull, 0xfffull};
    uint64_t table = vmx_read(VMCS_GUEST_CR3) & 0xffffffffff000ull;
    for (unsigned level = 0; level < 4; level++) {
        unsigned shift = 39 - 9 * level;
        uint64_t entry = ((const uint64_t *)(uintptr_t)table)[linear >> shift & 511];
        if (!(entry & 1)) break;
        bool leaf = level == 3 || (level > 0 && (entry & 0x80));
        uint64_t frame = entry & 0xffffffffff000ull;
        if (leaf) {
            *ok = true;
            return (frame & ~page_mask[level]) | (linear & page_mask[level]);
        }
        table = frame;
    }
    *ok = false;
    return 0;
}

/* An 8-byte access that does not cross a page (the VMX operands are
 * 8-byte aligned pointers and values in hv-tiny; others are refused). */
static uint64_t *l1_pointer(uint64_t linear) {
    bool ok;
    uint64_t pa = translate(linear, &ok);
    if (!ok || (linear & 0xfff) > 0xff8) return NULL;
    return (uint64_t *)(uintptr_t)pa;
}

bool nest_read_l1(uint64_t linear, uint64_t *value) {
    uint64_t *p = l1_pointer(linear);
    if (p) *value = *p;
    return p != NULL;
}

bool nest_write_l1(uint64_t linear, uint64_t value) {
    uint64_t *p = l1_pointer(linear);
    if (p) *p = value;
    return p != NULL;
}
