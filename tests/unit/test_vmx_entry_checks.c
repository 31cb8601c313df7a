/*
 * The VM-entry check table (sim/vmx/entry_checks.def, SDM 26.2 and 26.3.1):
 * a known-good VMCS (a 64-bit host entering a 64-bit guest, as a hypervisor
 * sets them up) passes every row; for every row one mutation of that VMCS
 * breaks exactly that row, i.e. it is the first row that fails.  The same
 * mutations, made through vmcs_set() after a successful run with nothing
 * dirty, must still be caught: that proves each row's INPUTS cover the fields
 * its rule reads (the per-entry caching of entry_checks.h).  A row without a
 * mutation fails the test.
 */
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "sim/cpu/cpu_model.h"
#include "sim/mem/paging.h"
#include "sim/vmx/vmx_state.h"

/* Guest-physical layout of the test memory. */
#define PDPT 0x1000u         /* the PAE guests' page-directory-pointer table */
#define LINK_VMCS 0x3000u    /* a VMCS region with the revision identifier */
#define CURRENT_VMCS 0x4000u /* the current VMCS's region */
#define IO_BITMAP_A 0x5000u
#define IO_BITMAP_B 0x6000u
#define MSR_BITMAP 0x7000u
#define MSR_AREA 0x8000u
#define NOT_A_VMCS 0x9000u   /* zeros: no revision identifier */
#define MEM_SIZE (1u << 20)

#define BIT(n) (UINT64_C(1) << (n))
#define NON_CANONICAL BIT(47)
#define BEYOND_PHYS BIT(PAGING_MAXPHYADDR)

/* Access rights (SDM 24.4.1 Table "Format of Access Rights"). */
#define AR_CODE64 (0xbu | AR_S | AR_P | AR_L | AR_G)   /* 0xa09b */
#define AR_CODE32 (0xbu | AR_S | AR_P | AR_DB | AR_G)  /* 0xc09b */
#define AR_DATA (0x3u | AR_S | AR_P | AR_DB | AR_G)    /* 0xc093 */
#define AR_TSS64 (0xbu | AR_P)                         /* busy 64-bit TSS */
#define AR_LDT (0x2u | AR_P)
#define AR_V86 0xf3u

/* VM-entry interruption information (SDM 24.8.3). */
#define INJ(type, vector) (BIT(31) | ((uint64_t)(type) << 8) | (vector))
#define INJ_DELIVER_ERROR BIT(11)

static VmxCpu vmx;
static CpuState cpu;
static Memory mem;

static void set(VmcsField f, uint64_t v) { vmcs_set(&vmx, f, v); }
static uint64_t get(VmcsField f) { return vmcs_get(&vmx, f); }
static void set_bits(VmcsField f, uint64_t bits) { set(f, get(f) | bits); }
static void clear_bits(VmcsField f, uint64_t bits) { set(f, get(f) & ~bits); }

/* The guest segment fields are in SEG_* order (vmcs_fields.def). */
static VmcsField seg_sel(unsigned s) { return (VmcsField)(VMCS_GUEST_ES_SELECTOR + s); }
static VmcsField seg_base(unsigned s) { return (VmcsField)(VMCS_GUEST_ES_BASE + s); }
static VmcsField seg_limit(unsigned s) { return (VmcsField)(VMCS_GUEST_ES_LIMIT + s); }
static VmcsField seg_ar(unsigned s) { return (VmcsField)(VMCS_GUEST_ES_ACCESS_RIGHTS + s); }

static void set_seg(unsigned s, uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
    set(seg_sel(s), sel);
    set(seg_base(s), base);
    set(seg_limit(s), limit);
    set(seg_ar(s), ar);
}

static void set_dpl(unsigned s, unsigned dpl)
{
    set(seg_ar(s), (get(seg_ar(s)) & ~(3u << AR_DPL_SHIFT)) | (dpl << AR_DPL_SHIFT));
}

/* Controls: the allowed-0 settings plus what a 64-bit hypervisor uses. */
static void good_controls(void)
{
    const VmxCaps *k = &vmx.caps;
    set(VMCS_PIN_BASED_CONTROLS, k->allowed0[VMX_GROUP_PIN] | VMX_PIN_EXTERNAL_INTERRUPT_EXITING |
                                     VMX_PIN_NMI_EXITING);
    set(VMCS_PROC_BASED_CONTROLS, k->allowed0[VMX_GROUP_PROC] | VMX_PROC_HLT_EXITING |
                                      VMX_PROC_USE_IO_BITMAPS | VMX_PROC_USE_MSR_BITMAPS);
    set(VMCS_IO_BITMAP_A, IO_BITMAP_A);
    set(VMCS_IO_BITMAP_B, IO_BITMAP_B);
    set(VMCS_MSR_BITMAP, MSR_BITMAP);
    set(VMCS_EXIT_CONTROLS, k->allowed0[VMX_GROUP_EXIT] | VMX_EXIT_SAVE_DEBUG_CONTROLS |
                                VMX_EXIT_HOST_ADDRESS_SPACE_SIZE |
                                VMX_EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT | VMX_EXIT_SAVE_IA32_PAT |
                                VMX_EXIT_LOAD_IA32_PAT | VMX_EXIT_SAVE_IA32_EFER |
                                VMX_EXIT_LOAD_IA32_EFER);
    set(VMCS_ENTRY_CONTROLS, k->allowed0[VMX_GROUP_ENTRY] | VMX_ENTRY_LOAD_DEBUG_CONTROLS |
                                 VMX_ENTRY_IA32E_MODE_GUEST | VMX_ENTRY_LOAD_IA32_PAT |
                                 VMX_ENTRY_LOAD_IA32_EFER);
    set(VMCS_EXIT_MSR_STORE_ADDR, MSR_AREA);
    set(VMCS_EXIT_MSR_LOAD_ADDR, MSR_AREA);
    set(VMCS_ENTRY_MSR_LOAD_ADDR, MSR_AREA);
}

static void good_host(void)
{
    set(VMCS_HOST_CR0, CR0_PG | CR0_AM | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE);
    set(VMCS_HOST_CR3, 0x10000);
    set(VMCS_HOST_CR4, CR4_PAE | CR4_VMXE);
    set(VMCS_HOST_CS_SELECTOR, 0x10);
    set(VMCS_HOST_SS_SELECTOR, 0x18);
    set(VMCS_HOST_TR_SELECTOR, 0x40);
    set(VMCS_HOST_GS_BASE, 0xffff888000000000);
    set(VMCS_HOST_TR_BASE, 0xfffffe0000003000);
    set(VMCS_HOST_GDTR_BASE, 0xfffffe0000000000);
    set(VMCS_HOST_IDTR_BASE, 0xfffffe0000001000);
    set(VMCS_HOST_IA32_SYSENTER_CS, 0x10);
    set(VMCS_HOST_IA32_PAT, 0x0007040600070406);
    set(VMCS_HOST_IA32_EFER, EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE);
    set(VMCS_HOST_RSP, 0xffffc90000004000);
    set(VMCS_HOST_RIP, 0xffffffff81000000);
}

/* A 64-bit kernel: flat CS with L, flat data segments (FS and GS usable),
 * busy 64-bit TSS, no LDT. */
static void good_guest(void)
{
    set(VMCS_GUEST_CR0, CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE);
    set(VMCS_GUEST_CR3, 0x20000);
    set(VMCS_GUEST_CR4, CR4_PAE | CR4_VMXE);
    set(VMCS_GUEST_DR7, 0x400);
    set(VMCS_GUEST_IA32_PAT, 0x0007040600070406);
    set(VMCS_GUEST_IA32_EFER, EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE);
    set_seg(SEG_CS, 0x10, 0, 0xffffffff, AR_CODE64);
    set_seg(SEG_SS, 0x18, 0, 0xffffffff, AR_DATA);
    set_seg(SEG_DS, 0x18, 0, 0xffffffff, AR_DATA);
    set_seg(SEG_ES, 0x18, 0, 0xffffffff, AR_DATA);
    set_seg(SEG_FS, 0x18, 0, 0xffffffff, AR_DATA);
    set_seg(SEG_GS, 0x18, 0xffff888000000000, 0xffffffff, AR_DATA);
    set_seg(SEG_LDTR, 0, 0, 0, AR_UNUSABLE);
    set_seg(SEG_TR, 0x40, 0xfffffe0000003000, 0x67, AR_TSS64);
    set(VMCS_GUEST_GDTR_BASE, 0xfffffe0000000000);
    set(VMCS_GUEST_GDTR_LIMIT, 0x7f);
    set(VMCS_GUEST_IDTR_BASE, 0xfffffe0000001000);
    set(VMCS_GUEST_IDTR_LIMIT, 0xfff);
    set(VMCS_GUEST_RSP, 0xffffc90000008000);
    set(VMCS_GUEST_RIP, 0xffffffff81000000);
    set(VMCS_GUEST_RFLAGS, RFLAGS_FIXED1);
    set(VMCS_VMCS_LINK_POINTER, ~UINT64_C(0));
}

static void setup(void)
{
    memset(&vmx, 0, sizeof(vmx));
    memset(&cpu, 0, sizeof(cpu));
    ck_assert(mem_init(&mem, MEM_SIZE));
    uint32_t rev = VMX_REVISION_ID;
    (void)mem_phys_write_bytes(&mem, LINK_VMCS, &rev, 4);
    (void)mem_phys_write_bytes(&mem, CURRENT_VMCS, &rev, 4);
    cpu.mem = &mem;
    cpu.model = cpu_model_default();
    cpu.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
    vmx_caps_init(&vmx.caps, cpu_model_default());
    vmx.current_vmcs = CURRENT_VMCS;
    good_controls();
    good_host();
    good_guest();
    vmx_entry_checks_init(&vmx.checks); /* row sets by class; everything dirty */
}

static void teardown(void) { mem_destroy(&mem); }

static EntryCheckId run(void) { return vmx_entry_checks_run(&cpu, &vmx); }

static const char *row_name(EntryCheckId id)
{
    return id == ENTRY_CHECK_NONE ? "(none)" : entry_checks[id].name;
}

/* ---- guest variants that every row must accept ---- */

/* 32-bit protected mode with PAE paging; the PDPT at CR3 is empty. */
static void pae_guest(void)
{
    clear_bits(VMCS_ENTRY_CONTROLS, VMX_ENTRY_IA32E_MODE_GUEST);
    set(VMCS_GUEST_IA32_EFER, EFER_SCE | EFER_NXE);
    set(seg_ar(SEG_CS), AR_CODE32);
    set(VMCS_GUEST_RIP, 0x100000);
    set(VMCS_GUEST_CR3, PDPT);
}

/* Virtual-8086 mode (RFLAGS.VM) under PAE paging. */
static void v86_guest(void)
{
    pae_guest();
    set(VMCS_GUEST_RFLAGS, RFLAGS_FIXED1 | RFLAGS_VM);
    for (unsigned s = SEG_ES; s <= SEG_GS; s++)
        set_seg(s, (uint16_t)(0x1000 + s), (0x1000u + s) << 4, 0xffff, AR_V86);
}

/* CPL 3: CS and SS with RPL and DPL 3. */
static void ring3_guest(void)
{
    set(seg_sel(SEG_CS), 0x33);
    set_dpl(SEG_CS, 3);
    set(seg_sel(SEG_SS), 0x2b);
    set_dpl(SEG_SS, 3);
}

static void ldtr_usable(void) { set_seg(SEG_LDTR, 0x28, 0xfffffe0000004000, 0x7f, AR_LDT); }

static void link_to_vmcs(void) { set(VMCS_VMCS_LINK_POINTER, LINK_VMCS); }

static void pae_guest_present_pdptes(void)
{
    pae_guest();
    for (unsigned i = 0; i < 4; i++)
        (void)mem_phys_write(&mem, PDPT + 8 * i, 8, 0x10000 + 0x1000 * i + 1);
}

/* Compatibility mode: CS.L = 0 in an IA-32e guest, RIP below 4 GiB. */
static void compat_guest(void)
{
    set(seg_ar(SEG_CS), AR_CODE32);
    set(VMCS_GUEST_RIP, 0x400000);
}

/* Null FS and GS: an unusable register's other access-rights bits are not checked. */
static void unusable_fs_gs(void)
{
    set_seg(SEG_FS, 0, 0, 0, AR_UNUSABLE | 0xf00);
    set_seg(SEG_GS, 0, 0xffff888000000000, 0, AR_UNUSABLE | BIT(17));
}

/* HLT with an NMI injected; shutdown with a machine check injected. */
static void hlt_nmi(void)
{
    set(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
    set(VMCS_ENTRY_INTERRUPTION_INFO, INJ(2, 2));
}

static void shutdown_mc(void)
{
    set(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_SHUTDOWN);
    set(VMCS_ENTRY_INTERRUPTION_INFO, INJ(3, 18));
}

/* Wait-for-SIPI (IA32_VMX_MISC bit 8), nothing injected. */
static void wait_sipi(void) { set(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_WAIT_SIPI); }

/* Single-stepping over STI: blocking by STI, RFLAGS.TF and IF, pending BS. */
static void sti_single_step(void)
{
    set(VMCS_GUEST_INTERRUPTIBILITY_STATE, 1);
    set(VMCS_GUEST_RFLAGS, RFLAGS_FIXED1 | RFLAGS_IF | RFLAGS_TF);
    set(VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS, BIT(14));
}

/* An external interrupt injected into a guest with interrupts enabled. */
static void extint_injected(void)
{
    set(VMCS_GUEST_RFLAGS, RFLAGS_FIXED1 | RFLAGS_IF);
    set(VMCS_ENTRY_INTERRUPTION_INFO, INJ(0, 0x20));
}

/* Every offered secondary control (IA32_VMX_PROCBASED_CTLS2 allowed-1). */
static void secondary_controls(void)
{
    set_bits(VMCS_PROC_BASED_CONTROLS, VMX_PROC_ACTIVATE_SECONDARY_CONTROLS);
    set(VMCS_SECONDARY_PROC_BASED_CONTROLS, vmx.caps.allowed1[VMX_GROUP_PROC2]);
}

/* Virtual NMIs with NMI-window exiting, the VMX-preemption timer saved on VM
 * exits, and an NMI injected without virtual-NMI blocking. */
static void virtual_nmis_timer(void)
{
    set_bits(VMCS_PIN_BASED_CONTROLS, VMX_PIN_VIRTUAL_NMIS | VMX_PIN_ACTIVATE_PREEMPTION_TIMER);
    set_bits(VMCS_PROC_BASED_CONTROLS, VMX_PROC_NMI_WINDOW_EXITING);
    set_bits(VMCS_EXIT_CONTROLS, VMX_EXIT_SAVE_VMX_PREEMPTION_TIMER_VALUE);
    set(VMCS_ENTRY_INTERRUPTION_INFO, INJ(2, 2));
}

/* A pending MTF VM exit injected (other event 0) into a halted guest. */
static void pending_mtf(void)
{
    set_bits(VMCS_PROC_BASED_CONTROLS, VMX_PROC_MONITOR_TRAP_FLAG);
    set(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
    set(VMCS_ENTRY_INTERRUPTION_INFO, INJ(7, 0));
}

typedef struct Variant {
    const char *name;
    void (*apply)(void);
} Variant;

static const Variant variants[] = {
    {"PAE guest", pae_guest},
    {"virtual-8086 guest", v86_guest},
    {"ring-3 guest", ring3_guest},
    {"usable LDTR", ldtr_usable},
    {"VMCS link pointer in use", link_to_vmcs},
    {"PAE guest with present PDPTEs", pae_guest_present_pdptes},
    {"compatibility mode", compat_guest},
    {"unusable FS and GS", unusable_fs_gs},
    {"HLT with NMI injection", hlt_nmi},
    {"shutdown with machine-check injection", shutdown_mc},
    {"wait-for-SIPI", wait_sipi},
    {"single step over STI", sti_single_step},
    {"external interrupt injection", extint_injected},
    {"every secondary control", secondary_controls},
    {"virtual NMIs, NMI window, saved timer", virtual_nmis_timer},
    {"pending MTF VM exit into HLT", pending_mtf},
};

/* ---- one mutation per row: breaks exactly that row ---- */

typedef struct Mutation {
    void (*apply)(unsigned arg);
    unsigned arg;
} Mutation;

/* 26.2.1 controls */
static void m_pin_reserved(unsigned a) { clear_bits(VMCS_PIN_BASED_CONTROLS, BIT(1)); }
static void m_proc_reserved(unsigned a) { clear_bits(VMCS_PROC_BASED_CONTROLS, BIT(1)); }
/* "Enable EPT" (secondary bit 1) is not offered. */
static void m_proc2_reserved(unsigned a)
{
    set_bits(VMCS_PROC_BASED_CONTROLS, VMX_PROC_ACTIVATE_SECONDARY_CONTROLS);
    set(VMCS_SECONDARY_PROC_BASED_CONTROLS, VMX_PROC2_ENABLE_EPT);
}

static void m_cr3_target_count(unsigned a) { set(VMCS_CR3_TARGET_COUNT, 5); }
static void m_io_bitmap_a(unsigned a) { set(VMCS_IO_BITMAP_A, IO_BITMAP_A + 8); }
static void m_io_bitmap_b(unsigned a) { set(VMCS_IO_BITMAP_B, BEYOND_PHYS); }
static void m_msr_bitmap(unsigned a) { set(VMCS_MSR_BITMAP, MSR_BITMAP + 1); }
static void m_virtual_nmis(unsigned a)
{
    clear_bits(VMCS_PIN_BASED_CONTROLS, VMX_PIN_NMI_EXITING);
    set_bits(VMCS_PIN_BASED_CONTROLS, VMX_PIN_VIRTUAL_NMIS);
}

static void m_nmi_window(unsigned a)
{
    set_bits(VMCS_PROC_BASED_CONTROLS, VMX_PROC_NMI_WINDOW_EXITING);
}
static void m_exit_reserved(unsigned a) { clear_bits(VMCS_EXIT_CONTROLS, BIT(0)); }

static void m_exit_save_timer(unsigned a)
{
    set_bits(VMCS_EXIT_CONTROLS, VMX_EXIT_SAVE_VMX_PREEMPTION_TIMER_VALUE);
}

static void m_exit_msr_store(unsigned a)
{
    set(VMCS_EXIT_MSR_STORE_COUNT, 1);
    set(VMCS_EXIT_MSR_STORE_ADDR, MSR_AREA + 8);
}

static void m_exit_msr_load(unsigned a)
{
    set(VMCS_EXIT_MSR_LOAD_COUNT, 2);
    set(VMCS_EXIT_MSR_LOAD_ADDR, BEYOND_PHYS - 16);
}

static void m_entry_reserved(unsigned a) { clear_bits(VMCS_ENTRY_CONTROLS, BIT(0)); }

static void m_inject_type(unsigned a) { set(VMCS_ENTRY_INTERRUPTION_INFO, INJ(1, 0)); }
static void m_inject_nmi_vector(unsigned a) { set(VMCS_ENTRY_INTERRUPTION_INFO, INJ(2, 3)); }
static void m_inject_vector(unsigned a) { set(VMCS_ENTRY_INTERRUPTION_INFO, INJ(3, 32)); }
static void m_inject_other_vector(unsigned a) { set(VMCS_ENTRY_INTERRUPTION_INFO, INJ(7, 1)); }
static void m_inject_error_bit(unsigned a) { set(VMCS_ENTRY_INTERRUPTION_INFO, INJ(3, 13)); }

static void m_inject_reserved(unsigned a)
{
    set(VMCS_ENTRY_INTERRUPTION_INFO, INJ(3, 6) | BIT(12));
}

static void m_inject_error_code(unsigned a)
{
    set(VMCS_ENTRY_INTERRUPTION_INFO, INJ(3, 13) | INJ_DELIVER_ERROR);
    set(VMCS_ENTRY_EXCEPTION_ERROR_CODE, 0x10000);
}

static void m_inject_length(unsigned a)
{
    set(VMCS_ENTRY_INTERRUPTION_INFO, INJ(4, 0x80));
    set(VMCS_ENTRY_INSTRUCTION_LENGTH, 0);
}

static void m_entry_msr_load(unsigned a)
{
    set(VMCS_ENTRY_MSR_LOAD_COUNT, 1);
    set(VMCS_ENTRY_MSR_LOAD_ADDR, MSR_AREA + 4);
}

/* 26.2.2-26.2.4 host state */
static void m_host_cr0(unsigned a) { clear_bits(VMCS_HOST_CR0, CR0_NE); }
static void m_host_cr4(unsigned a) { clear_bits(VMCS_HOST_CR4, CR4_VMXE); }
static void m_host_cr3(unsigned a) { set_bits(VMCS_HOST_CR3, BEYOND_PHYS); }
static void m_host_sysenter_esp(unsigned a) { set(VMCS_HOST_IA32_SYSENTER_ESP, NON_CANONICAL); }
static void m_host_sysenter_eip(unsigned a) { set(VMCS_HOST_IA32_SYSENTER_EIP, NON_CANONICAL); }
static void m_host_pat(unsigned a) { set(VMCS_HOST_IA32_PAT, 0x0007040600070402); }
static void m_host_efer_reserved(unsigned a) { set_bits(VMCS_HOST_IA32_EFER, BIT(1)); }
static void m_host_efer_lme(unsigned a) { clear_bits(VMCS_HOST_IA32_EFER, EFER_LME); }
static void m_host_selector_ti(unsigned a) { set(VMCS_HOST_ES_SELECTOR, 0x4); }
static void m_host_cs_null(unsigned a) { set(VMCS_HOST_CS_SELECTOR, 0); }
static void m_host_tr_null(unsigned a) { set(VMCS_HOST_TR_SELECTOR, 0); }

/* A 32-bit host ("host address-space size" 0) that does not load IA32_EFER. */
static void host_32(void)
{
    clear_bits(VMCS_EXIT_CONTROLS, VMX_EXIT_HOST_ADDRESS_SPACE_SIZE | VMX_EXIT_LOAD_IA32_EFER);
}

static void m_host_ss_null(unsigned a)
{
    host_32();
    set(VMCS_HOST_SS_SELECTOR, 0);
}

static void m_host_bases(unsigned a) { set(VMCS_HOST_FS_BASE, NON_CANONICAL); }
static void m_host_outside_ia32e(unsigned a) { cpu.efer &= ~EFER_LMA; }
static void m_host_in_ia32e(unsigned a) { host_32(); }

/* Outside IA-32e mode with a 32-bit host and guest; the host RIP stays above 4 GiB. */
static void m_host_32bit_state(unsigned a)
{
    cpu.efer = 0;
    host_32();
    pae_guest();
}

static void m_host_64bit_state(unsigned a) { clear_bits(VMCS_HOST_CR4, CR4_PAE); }

/* 26.3.1.1 guest control registers, debug registers, MSRs */
static void m_cr0_fixed(unsigned a) { clear_bits(VMCS_GUEST_CR0, CR0_NE); }
static void m_cr4_fixed(unsigned a) { clear_bits(VMCS_GUEST_CR4, CR4_VMXE); }
static void m_debugctl(unsigned a) { set(VMCS_GUEST_IA32_DEBUGCTL, 1); }
static void m_ia32e_paging(unsigned a) { clear_bits(VMCS_GUEST_CR4, CR4_PAE); }

static void m_cr4_pcide(unsigned a)
{
    pae_guest();
    set_bits(VMCS_GUEST_CR4, CR4_PCIDE);
}

static void m_cr3_width(unsigned a) { set_bits(VMCS_GUEST_CR3, BEYOND_PHYS); }
static void m_dr7_high(unsigned a) { set_bits(VMCS_GUEST_DR7, BIT(32)); }
static void m_sysenter_esp(unsigned a) { set(VMCS_GUEST_IA32_SYSENTER_ESP, NON_CANONICAL); }
static void m_sysenter_eip(unsigned a) { set(VMCS_GUEST_IA32_SYSENTER_EIP, NON_CANONICAL); }
static void m_pat(unsigned a) { set(VMCS_GUEST_IA32_PAT, 0x0007040600070403); }
static void m_efer_reserved(unsigned a) { set_bits(VMCS_GUEST_IA32_EFER, BIT(1)); }
static void m_efer_lma(unsigned a) { clear_bits(VMCS_GUEST_IA32_EFER, EFER_LMA | EFER_LME); }
static void m_efer_lme(unsigned a) { clear_bits(VMCS_GUEST_IA32_EFER, EFER_LME); }

/* 26.3.1.2 guest segment registers; arg: the register (SEG_*) */
static void usable_ldtr_for(unsigned s)
{
    if (s == SEG_LDTR)
        ldtr_usable();
}

static void m_selector_ti(unsigned s)
{
    usable_ldtr_for(s);
    set_bits(seg_sel(s), 4);
}

static void m_ss_rpl(unsigned a) { set(seg_sel(SEG_SS), 0x1b); }

static void m_v86_base(unsigned s)
{
    v86_guest();
    set(seg_base(s), get(seg_base(s)) + 16);
}

static void m_base_canonical(unsigned s)
{
    usable_ldtr_for(s);
    set(seg_base(s), NON_CANONICAL);
}

static void m_base_high(unsigned s) { set(seg_base(s), BIT(32)); }

static void m_v86_limit(unsigned s)
{
    v86_guest();
    set(seg_limit(s), 0xfffe);
}

static void m_v86_ar(unsigned s)
{
    v86_guest();
    set(seg_ar(s), AR_V86 & ~AR_TYPE_WRITABLE);
}

static void m_cs_type(unsigned a) { clear_bits(seg_ar(SEG_CS), AR_TYPE_ACCESSED); }
static void m_ss_type(unsigned a) { clear_bits(seg_ar(SEG_SS), AR_TYPE_WRITABLE); }
static void m_data_type(unsigned s) { clear_bits(seg_ar(s), AR_TYPE_ACCESSED); }

/* S = 1 for code and data, 0 for TR and LDTR: flip it. */
static void m_s(unsigned s)
{
    usable_ldtr_for(s);
    set(seg_ar(s), get(seg_ar(s)) ^ AR_S);
}

static void m_cs_dpl_nonconforming(unsigned a) { set_dpl(SEG_CS, 3); }

static void m_cs_dpl_conforming(unsigned a)
{
    set(seg_ar(SEG_CS), (AR_CODE64 | 0x4) | (1u << AR_DPL_SHIFT)); /* type 15, DPL 1 > SS.DPL 0 */
}

/* SS.RPL = CS.RPL = 3 with both DPLs 0. */
static void m_ss_dpl(unsigned a)
{
    set(seg_sel(SEG_CS), 0x13);
    set(seg_sel(SEG_SS), 0x1b);
}

static void m_data_dpl(unsigned s) { set(seg_sel(s), 0x1b); }

static void m_p(unsigned s)
{
    usable_ldtr_for(s);
    clear_bits(seg_ar(s), AR_P);
}

static void m_ar_reserved_11_8(unsigned s)
{
    usable_ldtr_for(s);
    set_bits(seg_ar(s), BIT(8));
}

static void m_cs_db(unsigned a) { set_bits(seg_ar(SEG_CS), AR_DB); }

/* The good limits are FFFFFFFFH with G = 1 (CS..GS) and 67H/7FH with G = 0 (TR, LDTR). */
static void m_g(unsigned s)
{
    usable_ldtr_for(s);
    set(seg_ar(s), get(seg_ar(s)) ^ AR_G);
}

static void m_ar_reserved_31_17(unsigned s)
{
    usable_ldtr_for(s);
    set_bits(seg_ar(s), BIT(17));
}

static void m_tr_type(unsigned a) { set(seg_ar(SEG_TR), 0x3 | AR_P); }
static void m_tr_unusable(unsigned a) { set_bits(seg_ar(SEG_TR), AR_UNUSABLE); }

static void m_ldtr_type(unsigned a)
{
    ldtr_usable();
    set(seg_ar(SEG_LDTR), 0x3 | AR_P);
}

/* 26.3.1.3 descriptor-table registers */
static void m_gdtr_base(unsigned a) { set(VMCS_GUEST_GDTR_BASE, NON_CANONICAL); }
static void m_idtr_base(unsigned a) { set(VMCS_GUEST_IDTR_BASE, NON_CANONICAL); }
static void m_gdtr_limit(unsigned a) { set(VMCS_GUEST_GDTR_LIMIT, 0x10000); }
static void m_idtr_limit(unsigned a) { set(VMCS_GUEST_IDTR_LIMIT, 0x10000); }

/* 26.3.1.4 RIP and RFLAGS */
static void m_rip_high(unsigned a) { clear_bits(seg_ar(SEG_CS), AR_L); }
static void m_rip_canonical(unsigned a) { set(VMCS_GUEST_RIP, NON_CANONICAL); }
static void m_rflags_reserved(unsigned a) { set_bits(VMCS_GUEST_RFLAGS, BIT(3)); }

/* A consistent virtual-8086 guest, then "IA-32e mode guest". */
static void m_rflags_vm(unsigned a)
{
    v86_guest();
    set_bits(VMCS_ENTRY_CONTROLS, VMX_ENTRY_IA32E_MODE_GUEST);
    set_bits(VMCS_GUEST_IA32_EFER, EFER_LMA | EFER_LME);
}

static void m_rflags_if(unsigned a) { set(VMCS_ENTRY_INTERRUPTION_INFO, INJ(0, 0x20)); }

/* 26.3.1.5 non-register state */
/* 4: beyond the states IA32_VMX_MISC bits 8:6 can report. */
static void m_activity_state(unsigned a) { set(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_WAIT_SIPI + 1); }

static void m_activity_hlt_dpl(unsigned a)
{
    ring3_guest();
    set(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
}

static void m_activity_blocking(unsigned a)
{
    set(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
    set(VMCS_GUEST_INTERRUPTIBILITY_STATE, 2);
}

static void m_activity_hlt_injection(unsigned a)
{
    set(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
    set(VMCS_ENTRY_INTERRUPTION_INFO, INJ(3, 6));
}

static void m_activity_shutdown_injection(unsigned a)
{
    extint_injected();
    set(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_SHUTDOWN);
}

static void m_activity_wait_sipi_injection(unsigned a)
{
    wait_sipi();
    set(VMCS_ENTRY_INTERRUPTION_INFO, INJ(2, 2));
}

static void m_intr(unsigned bits) { set(VMCS_GUEST_INTERRUPTIBILITY_STATE, bits); }

static void m_intr_sti_movss(unsigned a)
{
    set(VMCS_GUEST_RFLAGS, RFLAGS_FIXED1 | RFLAGS_IF);
    m_intr(3);
}

static void m_intr_extint(unsigned a)
{
    extint_injected();
    m_intr(1);
}

/* An NMI injected with blocking by `bits` (and RFLAGS.IF for blocking by STI). */
static void m_intr_nmi(unsigned bits)
{
    set(VMCS_GUEST_RFLAGS, RFLAGS_FIXED1 | RFLAGS_IF);
    set(VMCS_ENTRY_INTERRUPTION_INFO, INJ(2, 2));
    m_intr(bits);
}

/* An NMI injected with blocking by NMI while "virtual NMIs" is 1. */
static void m_intr_virtual_nmi(unsigned a)
{
    set_bits(VMCS_PIN_BASED_CONTROLS, VMX_PIN_VIRTUAL_NMIS);
    set(VMCS_ENTRY_INTERRUPTION_INFO, INJ(2, 2));
    m_intr(8);
}

static void m_pending_dbg(unsigned bits) { set(VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS, bits); }

static void m_bs_set(unsigned a)
{
    sti_single_step();
    m_pending_dbg(0);
}

static void m_bs_clear(unsigned a)
{
    sti_single_step();
    clear_bits(VMCS_GUEST_RFLAGS, RFLAGS_TF);
}

static void m_link(unsigned pa) { set(VMCS_VMCS_LINK_POINTER, pa); }
static void m_link_width(unsigned a) { set(VMCS_VMCS_LINK_POINTER, BEYOND_PHYS); }

/* 26.3.1.6: a PAE guest whose PDPTE 1 sets reserved bit 1. */
static void m_pdptes(unsigned a)
{
    pae_guest();
    (void)mem_phys_write(&mem, PDPT + 8, 8, 0x3);
}

#define M(id, fn) [ENTRY_CHECK_##id] = {fn, 0}
#define MA(id, fn, arg) [ENTRY_CHECK_##id] = {fn, arg}
#define M6(rule, fn)                                                                               \
    MA(GUEST_CS_##rule, fn, SEG_CS), MA(GUEST_SS_##rule, fn, SEG_SS),                              \
        MA(GUEST_DS_##rule, fn, SEG_DS), MA(GUEST_ES_##rule, fn, SEG_ES),                          \
        MA(GUEST_FS_##rule, fn, SEG_FS), MA(GUEST_GS_##rule, fn, SEG_GS)
#define M8(rule, fn)                                                                               \
    M6(rule, fn), MA(GUEST_TR_##rule, fn, SEG_TR), MA(GUEST_LDTR_##rule, fn, SEG_LDTR)

static const Mutation mutations[ENTRY_CHECK_COUNT] = {
    M(PIN_RESERVED, m_pin_reserved),
    M(PROC_RESERVED, m_proc_reserved),
    M(PROC2_RESERVED, m_proc2_reserved),
    M(CR3_TARGET_COUNT, m_cr3_target_count),
    M(IO_BITMAP_A_ADDRESS, m_io_bitmap_a),
    M(IO_BITMAP_B_ADDRESS, m_io_bitmap_b),
    M(MSR_BITMAP_ADDRESS, m_msr_bitmap),
    M(VIRTUAL_NMIS, m_virtual_nmis),
    M(NMI_WINDOW_EXITING, m_nmi_window),
    M(EXIT_RESERVED, m_exit_reserved),
    M(EXIT_SAVE_PREEMPTION_TIMER, m_exit_save_timer),
    M(EXIT_MSR_STORE_ADDRESS, m_exit_msr_store),
    M(EXIT_MSR_LOAD_ADDRESS, m_exit_msr_load),
    M(ENTRY_RESERVED, m_entry_reserved),
    M(INJECT_TYPE, m_inject_type),
    M(INJECT_NMI_VECTOR, m_inject_nmi_vector),
    M(INJECT_EXCEPTION_VECTOR, m_inject_vector),
    M(INJECT_OTHER_VECTOR, m_inject_other_vector),
    M(INJECT_ERROR_CODE_BIT, m_inject_error_bit),
    M(INJECT_RESERVED, m_inject_reserved),
    M(INJECT_ERROR_CODE, m_inject_error_code),
    M(INJECT_INSTRUCTION_LENGTH, m_inject_length),
    M(ENTRY_MSR_LOAD_ADDRESS, m_entry_msr_load),
    M(HOST_CR0_FIXED, m_host_cr0),
    M(HOST_CR4_FIXED, m_host_cr4),
    M(HOST_CR3_WIDTH, m_host_cr3),
    M(HOST_SYSENTER_ESP_CANONICAL, m_host_sysenter_esp),
    M(HOST_SYSENTER_EIP_CANONICAL, m_host_sysenter_eip),
    M(HOST_PAT, m_host_pat),
    M(HOST_EFER_RESERVED, m_host_efer_reserved),
    M(HOST_EFER_LMA_LME, m_host_efer_lme),
    M(HOST_SELECTOR_RPL_TI, m_host_selector_ti),
    M(HOST_CS_SELECTOR, m_host_cs_null),
    M(HOST_TR_SELECTOR, m_host_tr_null),
    M(HOST_SS_SELECTOR, m_host_ss_null),
    M(HOST_BASES_CANONICAL, m_host_bases),
    M(HOST_OUTSIDE_IA32E, m_host_outside_ia32e),
    M(HOST_IN_IA32E, m_host_in_ia32e),
    M(HOST_32BIT_STATE, m_host_32bit_state),
    M(HOST_64BIT_STATE, m_host_64bit_state),
    M(GUEST_CR0_FIXED, m_cr0_fixed),
    M(GUEST_CR4_FIXED, m_cr4_fixed),
    M(GUEST_DEBUGCTL_RESERVED, m_debugctl),
    M(GUEST_IA32E_PAGING, m_ia32e_paging),
    M(GUEST_CR4_PCIDE, m_cr4_pcide),
    M(GUEST_CR3_WIDTH, m_cr3_width),
    M(GUEST_DR7_HIGH, m_dr7_high),
    M(GUEST_SYSENTER_ESP_CANONICAL, m_sysenter_esp),
    M(GUEST_SYSENTER_EIP_CANONICAL, m_sysenter_eip),
    M(GUEST_PAT, m_pat),
    M(GUEST_EFER_RESERVED, m_efer_reserved),
    M(GUEST_EFER_LMA, m_efer_lma),
    M(GUEST_EFER_LME, m_efer_lme),
    MA(GUEST_TR_SELECTOR_TI, m_selector_ti, SEG_TR),
    MA(GUEST_LDTR_SELECTOR_TI, m_selector_ti, SEG_LDTR),
    M(GUEST_SS_SELECTOR_RPL, m_ss_rpl),
    M6(V86_BASE, m_v86_base),
    MA(GUEST_TR_BASE_CANONICAL, m_base_canonical, SEG_TR),
    MA(GUEST_FS_BASE_CANONICAL, m_base_canonical, SEG_FS),
    MA(GUEST_GS_BASE_CANONICAL, m_base_canonical, SEG_GS),
    MA(GUEST_LDTR_BASE_CANONICAL, m_base_canonical, SEG_LDTR),
    MA(GUEST_CS_BASE_HIGH, m_base_high, SEG_CS),
    MA(GUEST_SS_BASE_HIGH, m_base_high, SEG_SS),
    MA(GUEST_DS_BASE_HIGH, m_base_high, SEG_DS),
    MA(GUEST_ES_BASE_HIGH, m_base_high, SEG_ES),
    M6(V86_LIMIT, m_v86_limit),
    M6(V86_AR, m_v86_ar),
    M(GUEST_CS_TYPE, m_cs_type),
    M(GUEST_SS_TYPE, m_ss_type),
    MA(GUEST_DS_TYPE, m_data_type, SEG_DS),
    MA(GUEST_ES_TYPE, m_data_type, SEG_ES),
    MA(GUEST_FS_TYPE, m_data_type, SEG_FS),
    MA(GUEST_GS_TYPE, m_data_type, SEG_GS),
    M8(S, m_s),
    M(GUEST_CS_DPL_NONCONFORMING, m_cs_dpl_nonconforming),
    M(GUEST_CS_DPL_CONFORMING, m_cs_dpl_conforming),
    M(GUEST_SS_DPL, m_ss_dpl),
    MA(GUEST_DS_DPL, m_data_dpl, SEG_DS),
    MA(GUEST_ES_DPL, m_data_dpl, SEG_ES),
    MA(GUEST_FS_DPL, m_data_dpl, SEG_FS),
    MA(GUEST_GS_DPL, m_data_dpl, SEG_GS),
    M8(P, m_p),
    M8(AR_RESERVED_11_8, m_ar_reserved_11_8),
    M(GUEST_CS_DB, m_cs_db),
    M8(G, m_g),
    M8(AR_RESERVED_31_17, m_ar_reserved_31_17),
    M(GUEST_TR_TYPE, m_tr_type),
    M(GUEST_TR_UNUSABLE, m_tr_unusable),
    M(GUEST_LDTR_TYPE, m_ldtr_type),
    M(GUEST_GDTR_BASE_CANONICAL, m_gdtr_base),
    M(GUEST_IDTR_BASE_CANONICAL, m_idtr_base),
    M(GUEST_GDTR_LIMIT, m_gdtr_limit),
    M(GUEST_IDTR_LIMIT, m_idtr_limit),
    M(GUEST_RIP_HIGH, m_rip_high),
    M(GUEST_RIP_CANONICAL, m_rip_canonical),
    M(GUEST_RFLAGS_RESERVED, m_rflags_reserved),
    M(GUEST_RFLAGS_VM, m_rflags_vm),
    M(GUEST_RFLAGS_IF, m_rflags_if),
    M(GUEST_ACTIVITY_STATE, m_activity_state),
    M(GUEST_ACTIVITY_HLT_SS_DPL, m_activity_hlt_dpl),
    M(GUEST_ACTIVITY_BLOCKING, m_activity_blocking),
    M(GUEST_ACTIVITY_HLT_INJECTION, m_activity_hlt_injection),
    M(GUEST_ACTIVITY_SHUTDOWN_INJECTION, m_activity_shutdown_injection),
    M(GUEST_ACTIVITY_WAIT_SIPI_INJECTION, m_activity_wait_sipi_injection),
    MA(GUEST_INTR_RESERVED, m_intr, 1u << 5),
    M(GUEST_INTR_STI_MOVSS, m_intr_sti_movss),
    MA(GUEST_INTR_STI_IF, m_intr, 1),
    M(GUEST_INTR_EXTINT, m_intr_extint),
    MA(GUEST_INTR_NMI_MOVSS, m_intr_nmi, 2),
    MA(GUEST_INTR_SMI, m_intr, 4),
    MA(GUEST_INTR_NMI_STI, m_intr_nmi, 1),
    M(GUEST_INTR_VIRTUAL_NMI, m_intr_virtual_nmi),
    MA(GUEST_INTR_ENCLAVE, m_intr, 16),
    MA(GUEST_PENDING_DBG_RESERVED, m_pending_dbg, 1u << 4),
    M(GUEST_PENDING_DBG_BS_SET, m_bs_set),
    M(GUEST_PENDING_DBG_BS_CLEAR, m_bs_clear),
    MA(GUEST_PENDING_DBG_RTM, m_pending_dbg, (1u << 16) | (1u << 12)),
    MA(GUEST_LINK_ALIGNED, m_link, LINK_VMCS + 8),
    M(GUEST_LINK_WIDTH, m_link_width),
    MA(GUEST_LINK_REVISION, m_link, NOT_A_VMCS),
    MA(GUEST_LINK_NOT_CURRENT, m_link, CURRENT_VMCS),
    M(GUEST_PDPTES, m_pdptes),
};

static void assert_first_failure(unsigned row)
{
    EntryCheckId got = run();
    ck_assert_msg(got == row, "mutation of %s: first failing row is %s", entry_checks[row].name,
                  row_name(got));
}

START_TEST(test_vmx_entry_checks_good_vmcs_passes)
{
    ck_assert_uint_eq(vmx.checks.dirty, CK_ALL);
    EntryCheckId got = run();
    ck_assert_msg(got == ENTRY_CHECK_NONE, "good VMCS fails %s", row_name(got));
}
END_TEST

START_TEST(test_vmx_entry_checks_variant_passes)
{
    variants[_i].apply();
    EntryCheckId got = run();
    ck_assert_msg(got == ENTRY_CHECK_NONE, "%s fails %s", variants[_i].name, row_name(got));
}
END_TEST

START_TEST(test_vmx_entry_checks_row_has_mutation)
{
    ck_assert_msg(mutations[_i].apply != NULL, "row %s has no mutation", entry_checks[_i].name);
}
END_TEST

START_TEST(test_vmx_entry_checks_mutation_fails_its_row)
{
    ck_assert_msg(mutations[_i].apply != NULL, "row %s has no mutation", entry_checks[_i].name);
    mutations[_i].apply(mutations[_i].arg);
    assert_first_failure((unsigned)_i);
}
END_TEST

/* After a successful entry nothing is dirty; the mutation's vmcs_set()
 * marks its fields' classes, and the row must run again and fail. */
START_TEST(test_vmx_entry_checks_cached_mutation_rechecked)
{
    ck_assert_msg(mutations[_i].apply != NULL, "row %s has no mutation", entry_checks[_i].name);
    ck_assert_int_eq(run(), ENTRY_CHECK_NONE);
    vmx.checks.dirty = 0;
    mutations[_i].apply(mutations[_i].arg);
    assert_first_failure((unsigned)_i);
}
END_TEST

/* A field written behind vmcs_set()'s back is not re-checked until its class is marked. */
START_TEST(test_vmx_entry_checks_clean_class_skipped)
{
    ck_assert_int_eq(run(), ENTRY_CHECK_NONE);
    vmx.checks.dirty = 0;
    vmx.field[VMCS_GUEST_RIP] = NON_CANONICAL;
    ck_assert_int_eq(run(), ENTRY_CHECK_NONE);
    entry_checks_touch(&vmx.checks, VMCS_GUEST_RIP);
    ck_assert_int_eq(run(), ENTRY_CHECK_GUEST_RIP_CANONICAL);
}
END_TEST

/* Rows that read guest memory (CK_CPU) run even when no VMCS field changed. */
START_TEST(test_vmx_entry_checks_memory_rows_always_run)
{
    pae_guest();
    link_to_vmcs();
    ck_assert_int_eq(run(), ENTRY_CHECK_NONE);
    vmx.checks.dirty = 0;
    uint32_t not_the_revision = VMX_REVISION_ID + 1;
    (void)mem_phys_write_bytes(&mem, LINK_VMCS, &not_the_revision, 4);
    ck_assert_int_eq(run(), ENTRY_CHECK_GUEST_LINK_REVISION);
    set(VMCS_VMCS_LINK_POINTER, ~UINT64_C(0));
    ck_assert_int_eq(run(), ENTRY_CHECK_NONE);
    vmx.checks.dirty = 0;
    (void)mem_phys_write(&mem, PDPT + 24, 8, 0x1 | BIT(5));
    ck_assert_int_eq(run(), ENTRY_CHECK_GUEST_PDPTES);
}
END_TEST

/* Every row cites an SDM 26 section, states its rule and fails in a defined way. */
START_TEST(test_vmx_entry_checks_row_well_formed)
{
    const EntryCheck *k = &entry_checks[_i];
    ck_assert_msg(strncmp(k->section, "26.", 3) == 0, "%s: section %s", k->name, k->section);
    ck_assert_msg(k->rule[0] != '\0' && k->title[0] != '\0', "%s: no rule or title", k->name);
    ck_assert_ptr_nonnull(k->pass);
    ck_assert_msg(k->inputs != 0 && (k->inputs & ~CK_ALL) == 0, "%s: inputs %#x", k->name,
                  k->inputs);
    bool guest = k->fail == FAIL_GUEST;
    ck_assert_msg(guest == (strncmp(k->section, "26.3.1", 6) == 0), "%s: failure kind", k->name);
    ck_assert_msg(guest ? (k->qual == 0 || (k->qual >= 2 && k->qual <= 4)) : k->qual == 0,
                  "%s: qualification %u", k->name, k->qual);
}
END_TEST

static Suite *vmx_entry_checks_suite(void)
{
    Suite *s = suite_create("vmx_entry_checks");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_vmx_entry_checks_good_vmcs_passes);
    tcase_add_loop_test(tc, test_vmx_entry_checks_variant_passes, 0, (int)SIM_ARRAY_SIZE(variants));
    tcase_add_loop_test(tc, test_vmx_entry_checks_row_has_mutation, 0, ENTRY_CHECK_COUNT);
    tcase_add_loop_test(tc, test_vmx_entry_checks_mutation_fails_its_row, 0, ENTRY_CHECK_COUNT);
    tcase_add_loop_test(tc, test_vmx_entry_checks_cached_mutation_rechecked, 0, ENTRY_CHECK_COUNT);
    tcase_add_test(tc, test_vmx_entry_checks_clean_class_skipped);
    tcase_add_test(tc, test_vmx_entry_checks_memory_rows_always_run);
    tcase_add_loop_test(tc, test_vmx_entry_checks_row_well_formed, 0, ENTRY_CHECK_COUNT);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(vmx_entry_checks_suite)
