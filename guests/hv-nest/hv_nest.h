/*
 * hv-nest: a hypervisor that runs a hypervisor (docs/hypervisor-toolkit.md
 * "hv-nest").  Levels, as in the SDM's terms for each VMCS:
 *   hv-nest  runs on vmxsim in VMX root operation;
 *   L1       the image of module 0 (hv-tiny), a 64-bit guest of hv-nest
 *            (vmcs01) that sees a CPU with VMX: its VMX instructions exit
 *            to hv-nest, which emulates them on L1's VMCSs in L1's memory
 *            (vmcs12);
 *   L2       L1's guest: run by hv-nest on vmcs02, built from vmcs12 with
 *            hv-nest's host state; its VM exits are reflected to L1.
 * Without EPT guest-physical addresses are host-physical at every level,
 * so hv-nest is linked at 32 MiB and L1 is loaded at its own addresses.
 */
#ifndef HV_NEST_H
#define HV_NEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/vmx_dispatch.h"
#include "vmxsim/boot_info.h"

#define HV_NEST_FAILED 3 /* exit code when hv-nest itself fails */

/* The virtual CPU L1 runs on. */
typedef struct Vcpu {
    VmxGuestRegs regs;        /* GPRs of whichever level runs (RSP is in the VMCS) */
    uint64_t cr4;             /* L1's CR4 as it wrote it (VMXE included) */
    uint64_t feature_control; /* IA32_FEATURE_CONTROL of L1 (SDM 23.7) */
    bool vmxon;               /* L1 is in VMX operation */
    uint64_t vmxon_ptr;
    uint64_t current_vmcs; /* L1's current-VMCS pointer, ~0 when none */
    uint64_t vmcs02_owner; /* the vmcs12 whose state vmcs02 holds, ~0 when none */
    bool vmcs02_launched;
    bool stopped;    /* L1 wrote the debug-exit port */
    uint32_t status; /* what it wrote */
    VmxDispatch l1;  /* exits of L1 (vmcs01) */
    VmxDispatch l2;  /* exits of L2 (vmcs02), counted only */
} Vcpu;

extern Vcpu vcpu;
extern uint8_t vmcs01_region[4096], vmcs02_region[4096];

/* load.c: loads module 0 (an ELF64 direct-boot image) at its addresses and
 * writes vmcs01's guest state: L1 starts as vmxsim would start it. */
bool nest_load_l1(const VmxsimBootInfo *info);

/* l1_exits.c: handlers of L1's exits other than VMX instructions. */
void nest_install_l1_handlers(VmxDispatch *d);
/* Injects a hardware exception into L1 at the next VM entry (24.8.3). */
void nest_inject_l1(unsigned vector, bool has_error_code);
/* Changes L1's CR4 as MOV to CR4 would; false (inject #GP) if not allowed. */
bool nest_write_l1_cr4(uint64_t value);

/* vmcs12.c: L1's VMCSs in L1's memory.  Fields are those vmxsim's VMCS
 * has (probed with VMREAD at start-up); the region holds the revision
 * identifier, the launch state and one 8-byte slot per field. */
void vmcs12_probe_fields(void);
bool vmcs12_field_exists(uint64_t encoding);
uint64_t vmcs12_read(uint64_t vmcs, uint32_t encoding);
void vmcs12_write(uint64_t vmcs, uint32_t encoding, uint64_t value);
bool vmcs12_launched(uint64_t vmcs);
void vmcs12_set_launched(uint64_t vmcs, bool launched);
/* Calls fn for every field of the VMCS type (bits 11:10 of the encoding:
 * 0 control, 1 read-only data, 2 guest state, 3 host state). */
void vmcs12_each_field(unsigned type, void (*fn)(uint32_t encoding));

/* operand.c: L1's registers and memory operands (27.2.5). */
uint64_t nest_gpr(unsigned n);
void nest_set_gpr(unsigned n, uint64_t value);
/* The linear address of the instruction's memory operand (Table 27-13/14). */
uint64_t nest_operand_address(const VmxExit *e);
/* 8-byte accesses to L1's linear memory through L1's page tables; false if
 * a page is not mapped. */
bool nest_read_l1(uint64_t linear, uint64_t *value);
bool nest_write_l1(uint64_t linear, uint64_t value);

/* vmx_emulate.c: the VMX instructions L1 executes (30.3). */
void nest_install_vmx_handlers(VmxDispatch *d);
/* 30.2 "Conventions": the outcome in L1's RFLAGS, error in vmcs12. */
void nest_vmsucceed(void);
void nest_vmfail(uint32_t error);
void nest_vmfail_invalid(void);

/* nested_entry.c: VMLAUNCH and VMRESUME of L1 (26, 30.3): checks, then
 * L2 runs until an exit that is reflected to L1. */
VmxAction nest_vmentry(bool launch);
/* host_checks.c: SDM 26.2.2-26.2.4 on vmcs12's host-state area; the
 * first rule broken, or NULL. */
const char *nest_check_host_state(uint64_t vmcs);

/* reflect.c: vmcs02's exit to L1: exit information and guest state into
 * vmcs12 (27.2, 27.3; vmcs02 current), then nest_return_to_l1. */
void nest_reflect_exit(uint64_t vmcs, bool entry_failure);
/* vmcs01 current, L1 loaded from vmcs12's host state (27.5). */
void nest_return_to_l1(uint64_t vmcs);

#endif
