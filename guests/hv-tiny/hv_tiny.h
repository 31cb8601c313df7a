/*
 * hv-tiny: a minimal 64-bit hypervisor for vmxsim (README in docs/hypervisor-toolkit.md).
 * What the hypervisor (hv_tiny.c, exits.c, breaks.c) and its guest
 * program (guest.c) share: the hypercall interface and the intercepted MSR.
 */
#ifndef HV_TINY_H
#define HV_TINY_H

#include <stdint.h>

#include "guest/vmx_dispatch.h"

/* Hypercalls: VMCALL with the number in RAX and the argument in RBX; the
 * result comes back in RAX (HC_UNKNOWN for a number hv-tiny does not know). */
#define HC_STOP 0u  /* the guest is done; RBX = its exit status */
#define HC_PING 1u  /* returns RBX + 1 */
#define HC_EXITS 2u /* returns the number of VM exits with basic reason RBX so far */
#define HC_UNKNOWN (~0ull)

/* CPUID leaf 40000000H: no Intel processor reports anything there (Vol. 2
 * CPUID), so hypervisors use it for their signature: EBX, ECX, EDX hold
 * "hv-tiny" padded with NULs. */
#define HV_CPUID_LEAF 0x40000000u
/* CPUID.1:ECX bit 5: VMX, hidden from the guest. */
#define CPUID_1_ECX_VMX_BIT (1u << 5)

/* IA32_TSC_AUX (Vol. 4 Table 2-2): RDMSR and WRMSR of it exit (MSR bitmap)
 * and see hv-tiny's per-guest copy.  IA32_SYSENTER_ESP is not intercepted. */
#define MSR_TSC_AUX 0xC0000103u
#define MSR_SYSENTER_ESP 0x175u

/* The guest program (guest.c): entered with RSP at the top of its stack. */
_Noreturn void hv_guest_main(void);

/* exits.c: the handlers of the guest's VM exits and the guest's status. */
void hv_exits_install(VmxDispatch *d);
uint64_t hv_guest_status(void);

/* breaks.c: break=N on the command line breaks the VMCS before VMLAUNCH
 * (1: a control, 2: host state, 3: guest state); nothing for other N. */
void hv_break_vmcs(void);

#endif
