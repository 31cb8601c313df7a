/*
 * The VMX instructions of L1, emulated as SDM 30.3 "VMX Instructions"
 * describes their operation in VMX root operation, on L1's VMX state
 * (vcpu) and L1's VMCSs (vmcs12.c).  The checks the processor made before
 * the VM exit (CPL, mode: 25.1.1) are not repeated; "not in VMX operation"
 * is L1's: #UD.  Outcomes are set in L1's RFLAGS as 30.2 "Conventions"
 * says, and the instruction is skipped (27.2.4 gives its length).
 */
#include "hv_nest.h"

#include "guest/io.h"
#include "guest/printf.h"

#define EXC_UD 6u
#define EXC_GP 13u
/* Vol. 1 3.4.3 "EFLAGS Register": CF 0, PF 2, AF 4, ZF 6, SF 7, OF 11. */
#define RFLAGS_CF (1ull << 0)
#define RFLAGS_ZF (1ull << 6)
#define RFLAGS_ARITH 0x8d5ull
#define INFO_REGISTER (1u << 10) /* Table 27-14: Mem/Reg */
#define NO_VMCS (~0ull)

static void set_outcome(uint64_t flags) {
    vmx_write(VMCS_GUEST_RFLAGS, (vmx_read(VMCS_GUEST_RFLAGS) & ~RFLAGS_ARITH) | flags);
    vmx_write(VMCS_GUEST_RIP, vmx_read(VMCS_GUEST_RIP) + vmx_read(VMCS_EXIT_INSTRUCTION_LENGTH));
}

void nest_vmsucceed(void) {
    set_outcome(0);
}

void nest_vmfail_invalid(void) {
    set_outcome(RFLAGS_CF);
}

/* VMfail(error): VMfailInvalid without a current VMCS, else VMfailValid
 * with the error in its VM-instruction error field. */
void nest_vmfail(uint32_t error) {
    if (vcpu.current_vmcs == NO_VMCS) {
        nest_vmfail_invalid();
        return;
    }
    vmcs12_write(vcpu.current_vmcs, VMCS_VM_INSTRUCTION_ERROR, error);
    set_outcome(RFLAGS_ZF);
}

/* A.1: VMX structures lie below 2^32 when IA32_VMX_BASIC[48] = 1, else
 * within MAXPHYADDR (Vol. 2 CPUID 80000008H: EAX[7:0]). */
static bool bad_pointer(uint64_t pa) {
    unsigned width =
        (rdmsr(MSR_IA32_VMX_BASIC) & (1ull << 48)) ? 32 : cpuid(0x80000008u, 0).eax & 0xff;
    return (pa & 0xfff) || (pa >> width) != 0;
}

/* The revision identifier check of VMXON and VMPTRLD: bits 30:0 must be
 * the processor's and bit 31 (shadow VMCS) 0, as "VMCS shadowing" is not
 * offered. */
static bool bad_revision(uint64_t pa) {
    uint32_t rev = *(volatile uint32_t *)(uintptr_t)pa;
    return rev != VMX_BASIC_REVISION(rdmsr(MSR_IA32_VMX_BASIC));
}

/* The 64-bit memory operand of VMXON, VMCLEAR, VMPTRLD (a pointer). */
static bool read_pointer(const VmxExit *e, uint64_t *pa) {
    if (nest_read_l1(nest_operand_address(e), pa)) return true;
    guest_printf("hv-nest: L1's VMX operand at 0x%llx is not mapped\n",
                 (unsigned long long)nest_operand_address(e));
    return false;
}

/* The handlers' ways to end: an outcome or a fault, then L1 resumes. */
static VmxAction fail(uint32_t error) {
    nest_vmfail(error);
    return VMX_ACTION_RESUME;
}

static VmxAction fail_invalid(void) {
    nest_vmfail_invalid();
    return VMX_ACTION_RESUME;
}

static VmxAction fault(unsigned vector, bool has_error_code) {
    nest_inject_l1(vector, has_error_code);
    return VMX_ACTION_RESUME;
}

static VmxAction on_vmxon(VmxExit *e) {
    uint64_t pa;
    if (!(vcpu.cr4 & CR4_VMXE)) return fault(EXC_UD, false);
    if (vcpu.vmxon) return fail(VMERR_VMXON_IN_ROOT);
    uint64_t need = FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX;
    if ((vcpu.feature_control & need) != need) return fault(EXC_GP, true);
    if (!read_pointer(e, &pa)) return VMX_ACTION_STOP;
    if (bad_pointer(pa) || bad_revision(pa)) return fail_invalid();
    vcpu.vmxon = true;
    vcpu.vmxon_ptr = pa;
    vcpu.current_vmcs = NO_VMCS;
    nest_vmsucceed();
    return VMX_ACTION_RESUME;
}

/* Every instruction but VMXON: #UD outside VMX operation. */
static bool in_vmx(void) {
    if (!vcpu.vmxon) nest_inject_l1(EXC_UD, false);
    return vcpu.vmxon;
}

static VmxAction on_vmxoff(VmxExit *e) {
    (void)e;
    if (!in_vmx()) return VMX_ACTION_RESUME;
    vcpu.vmxon = false;
    nest_vmsucceed();
    return VMX_ACTION_RESUME;
}

static VmxAction on_vmclear(VmxExit *e) {
    uint64_t pa;
    if (!in_vmx()) return VMX_ACTION_RESUME;
    if (!read_pointer(e, &pa)) return VMX_ACTION_STOP;
    if (bad_pointer(pa)) return fail(VMERR_VMCLEAR_INVALID_ADDRESS);
    if (pa == vcpu.vmxon_ptr) return fail(VMERR_VMCLEAR_VMXON_POINTER);
    vmcs12_set_launched(pa, false);
    if (pa == vcpu.current_vmcs) vcpu.current_vmcs = NO_VMCS;
    nest_vmsucceed();
    return VMX_ACTION_RESUME;
}

static VmxAction on_vmptrld(VmxExit *e) {
    uint64_t pa;
    if (!in_vmx()) return VMX_ACTION_RESUME;
    if (!read_pointer(e, &pa)) return VMX_ACTION_STOP;
    if (bad_pointer(pa)) return fail(VMERR_VMPTRLD_INVALID_ADDRESS);
    if (pa == vcpu.vmxon_ptr) return fail(VMERR_VMPTRLD_VMXON_POINTER);
    if (bad_revision(pa)) return fail(VMERR_VMPTRLD_BAD_REVISION);
    vcpu.current_vmcs = pa;
    nest_vmsucceed();
    return VMX_ACTION_RESUME;
}

static VmxAction on_vmptrst(VmxExit *e) {
    if (!in_vmx()) return VMX_ACTION_RESUME;
    if (!nest_write_l1(nest_operand_address(e), vcpu.current_vmcs)) return VMX_ACTION_STOP;
    nest_vmsucceed();
    return VMX_ACTION_RESUME;
}

/* VMREAD and VMWRITE: the field encoding is in Reg2 (bits 31:28); a
 * register holding bits 63:32 names an unsupported component. */
static bool field_of(uint32_t info, uint64_t *field) {
    *field = nest_gpr(info >> 28);
    if (vcpu.current_vmcs == NO_VMCS)
        nest_vmfail_invalid();
    else if (!vmcs12_field_exists(*field))
        nest_vmfail(VMERR_UNSUPPORTED_COMPONENT);
    else
        return true;
    return false;
}

static VmxAction on_vmread(VmxExit *e) {
    uint32_t info = (uint32_t)vmx_read(VMCS_EXIT_INSTRUCTION_INFO);
    uint64_t field;
    if (!in_vmx() || !field_of(info, &field)) return VMX_ACTION_RESUME;
    uint64_t value = vmcs12_read(vcpu.current_vmcs, (uint32_t)field);
    if (info & INFO_REGISTER)
        nest_set_gpr(info >> 3, value); /* Reg1: 64-bit operand in 64-bit mode */
    else if (!nest_write_l1(nest_operand_address(e), value))
        return VMX_ACTION_STOP;
    nest_vmsucceed();
    return VMX_ACTION_RESUME;
}

/* A.6: IA32_VMX_MISC[29] lets VMWRITE write the VM-exit information fields. */
static bool read_only(uint64_t field) {
    return (field >> 10 & 3) == 1 && !(rdmsr(MSR_IA32_VMX_MISC) & VMX_MISC_VMWRITE_ANY_FIELD);
}

static VmxAction on_vmwrite(VmxExit *e) {
    uint32_t info = (uint32_t)vmx_read(VMCS_EXIT_INSTRUCTION_INFO);
    uint64_t field, value = 0;
    if (!in_vmx()) return VMX_ACTION_RESUME;
    if (info & INFO_REGISTER)
        value = nest_gpr(info >> 3);
    else if (!nest_read_l1(nest_operand_address(e), &value))
        return VMX_ACTION_STOP;
    if (!field_of(info, &field)) return VMX_ACTION_RESUME;
    if (read_only(field)) return fail(VMERR_VMWRITE_READ_ONLY);
    vmcs12_write(vcpu.current_vmcs, (uint32_t)field, value);
    nest_vmsucceed();
    return VMX_ACTION_RESUME;
}

/* 30.3 VMCALL in VMX root operation (no dual-monitor treatment). */
static VmxAction on_vmcall(VmxExit *e) {
    (void)e;
    if (in_vmx()) nest_vmfail(VMERR_VMCALL_IN_ROOT);
    return VMX_ACTION_RESUME;
}

static VmxAction on_vmlaunch(VmxExit *e) {
    (void)e;
    return in_vmx() ? nest_vmentry(true) : VMX_ACTION_RESUME;
}

static VmxAction on_vmresume(VmxExit *e) {
    (void)e;
    return in_vmx() ? nest_vmentry(false) : VMX_ACTION_RESUME;
}

void nest_install_vmx_handlers(VmxDispatch *d) {
    d->handler[EXIT_REASON_VMCALL] = on_vmcall;
    d->handler[EXIT_REASON_VMCLEAR] = on_vmclear;
    d->handler[EXIT_REASON_VMLAUNCH] = on_vmlaunch;
    d->handler[EXIT_REASON_VMPTRLD] = on_vmptrld;
    d->handler[EXIT_REASON_VMPTRST] = on_vmptrst;
    d->handler[EXIT_REASON_VMREAD] = on_vmread;
    d->handler[EXIT_REASON_VMRESUME] = on_vmresume;
    d->handler[EXIT_REASON_VMWRITE] = on_vmwrite;
    d->handler[EXIT_REASON_VMXOFF] = on_vmxoff;
    d->handler[EXIT_REASON_VMXON] = on_vmxon;
}
