/*
 * hv-tiny's guest program: 64-bit code at CPL 0 in VMX non-root operation,
 * on its own page tables and GDT (guest/vmx_guest.h).  It prints on COM1
 * like any program (guest_printf); every IN and OUT to COM1 exits to the
 * hypervisor through the I/O bitmap, which forwards the bytes.
 */
#include "hv_tiny.h"

#include "guest/io.h"
#include "guest/printf.h"
#include "guest/string.h"

static uint64_t hypercall(uint64_t nr, uint64_t arg) {
    uint64_t ret;
    __asm__ __volatile__("vmcall" : "=a"(ret) : "a"(nr), "b"(arg) : "memory");
    return ret;
}

/* CPUID leaf 0 and 40000000H: a name in EBX, EDX, ECX (leaf 0) or EBX,
 * ECX, EDX (hypervisor leaf). */
static void cpuid_name(char out[13], uint32_t a, uint32_t b, uint32_t c) {
    memcpy(out, &a, 4);
    memcpy(out + 4, &b, 4);
    memcpy(out + 8, &c, 4);
    out[12] = 0;
}

static void check_cpuid(void) {
    char name[13];
    GuestCpuid r = cpuid(0, 0);
    cpuid_name(name, r.ebx, r.edx, r.ecx);
    guest_printf("CPUID.0: vendor \"%s\"\n", name);
    guest_printf("CPUID.1:ECX.VMX = %u\n", (cpuid(1, 0).ecx & CPUID_1_ECX_VMX_BIT) ? 1u : 0u);
    r = cpuid(HV_CPUID_LEAF, 0);
    cpuid_name(name, r.ebx, r.ecx, r.edx);
    guest_printf("CPUID.40000000H: hypervisor \"%s\"\n", name);
}

static void check_msrs(void) {
    guest_printf("RDMSR IA32_TSC_AUX = 0x%llx\n", (unsigned long long)rdmsr(MSR_TSC_AUX));
    wrmsr(MSR_TSC_AUX, 0x2a);
    guest_printf("WRMSR IA32_TSC_AUX 0x2a, RDMSR = 0x%llx\n",
                 (unsigned long long)rdmsr(MSR_TSC_AUX));
    wrmsr(MSR_SYSENTER_ESP, 0x1000);
    guest_printf("WRMSR IA32_SYSENTER_ESP 0x1000, RDMSR = 0x%llx\n",
                 (unsigned long long)rdmsr(MSR_SYSENTER_ESP));
}

static void check_hypercalls(void) {
    guest_printf("VMCALL ping(41) = %llu\n", (unsigned long long)hypercall(HC_PING, 41));
    guest_printf("VMCALL 7 (unknown) = 0x%llx\n", (unsigned long long)hypercall(7, 0));
}

_Noreturn void hv_guest_main(void) {
    guest_printf("hello from the guest\n");
    check_cpuid();
    check_msrs();
    check_hypercalls();
    guest_printf("HLT\n");
    hlt();
    guest_printf("resumed after HLT; %llu HLT exit(s) so far\n",
                 (unsigned long long)hypercall(HC_EXITS, EXIT_REASON_HLT));
    guest_printf("stopping with status 0\n");
    hypercall(HC_STOP, 0);
    for (;;)
        hlt(); /* not reached: hv-tiny does not resume after HC_STOP */
}
