/*
 * Names for diagnoses (guest/vmx.h), transcribed from the SDM for guests,
 * which cannot include the simulator's tables:
 *   Vol. 3D Appendix C "VMX Basic Exit Reasons", Table C-1 "Basic Exit
 *   Reasons" (the lead phrase of each description; 35, 38, 42 and 71 are
 *   not used);
 *   Vol. 3C 30.4 "VM Instruction Error Numbers", Table 30-1 (14, 21 and 27
 *   are not used).
 */
#include "guest/vmx.h"

static const char *const exit_reasons[] = {
    [0] = "Exception or non-maskable interrupt (NMI)",
    [1] = "External interrupt",
    [2] = "Triple fault",
    [3] = "INIT signal",
    [4] = "Start-up IPI (SIPI)",
    [5] = "I/O system-management interrupt (SMI)",
    [6] = "Other SMI",
    [7] = "Interrupt window",
    [8] = "NMI window",
    [9] = "Task switch",
    [10] = "CPUID",
    [11] = "GETSEC",
    [12] = "HLT",
    [13] = "INVD",
    [14] = "INVLPG",
    [15] = "RDPMC",
    [16] = "RDTSC",
    [17] = "RSM",
    [18] = "VMCALL",
    [19] = "VMCLEAR",
    [20] = "VMLAUNCH",
    [21] = "VMPTRLD",
    [22] = "VMPTRST",
    [23] = "VMREAD",
    [24] = "VMRESUME",
    [25] = "VMWRITE",
    [26] = "VMXOFF",
    [27] = "VMXON",
    [28] = "Control-register accesses",
    [29] = "MOV DR",
    [30] = "I/O instruction",
    [31] = "RDMSR",
    [32] = "WRMSR",
    [33] = "VM-entry failure due to invalid guest state",
    [34] = "VM-entry failure due to MSR loading",
    [36] = "MWAIT",
    [37] = "Monitor trap flag",
    [39] = "MONITOR",
    [40] = "PAUSE",
    [41] = "VM-entry failure due to machine-check event",
    [43] = "TPR below threshold",
    [44] = "APIC access",
    [45] = "Virtualized EOI",
    [46] = "Access to GDTR or IDTR",
    [47] = "Access to LDTR or TR",
    [48] = "EPT violation",
    [49] = "EPT misconfiguration",
    [50] = "INVEPT",
    [51] = "RDTSCP",
    [52] = "VMX-preemption timer expired",
    [53] = "INVVPID",
    [54] = "WBINVD or WBNOINVD",
    [55] = "XSETBV",
    [56] = "APIC write",
    [57] = "RDRAND",
    [58] = "INVPCID",
    [59] = "VMFUNC",
    [60] = "ENCLS",
    [61] = "RDSEED",
    [62] = "Page-modification log full",
    [63] = "XSAVES",
    [64] = "XRSTORS",
    [65] = "PCONFIG",
    [66] = "SPP-related event",
    [67] = "UMWAIT",
    [68] = "TPAUSE",
    [69] = "LOADIWKEY",
    [70] = "ENCLV",
    [72] = "ENQCMD PASID translation failure",
    [73] = "ENQCMDS PASID translation failure",
    [74] = "Bus lock",
    [75] = "Instruction timeout",
    [76] = "SEAMCALL",
    [77] = "TDCALL",
    [78] = "RDMSRLIST",
    [79] = "WRMSRLIST",
};

static const char *const insn_errors[] = {
    [1] = "VMCALL executed in VMX root operation",
    [2] = "VMCLEAR with invalid physical address",
    [3] = "VMCLEAR with VMXON pointer",
    [4] = "VMLAUNCH with non-clear VMCS",
    [5] = "VMRESUME with non-launched VMCS",
    [6] = "VMRESUME after VMXOFF",
    [7] = "VM entry with invalid control field(s)",
    [8] = "VM entry with invalid host-state field(s)",
    [9] = "VMPTRLD with invalid physical address",
    [10] = "VMPTRLD with VMXON pointer",
    [11] = "VMPTRLD with incorrect VMCS revision identifier",
    [12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
    [13] = "VMWRITE to read-only VMCS component",
    [15] = "VMXON executed in VMX root operation",
    [16] = "VM entry with invalid executive-VMCS pointer",
    [17] = "VM entry with non-launched executive VMCS",
    [18] = "VM entry with executive-VMCS pointer not VMXON pointer",
    [19] = "VMCALL with non-clear VMCS",
    [20] = "VMCALL with invalid VM-exit control fields",
    [22] = "VMCALL with incorrect MSEG revision identifier",
    [23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
    [24] = "VMCALL with invalid SMM-monitor features",
    [25] = "VM entry with invalid VM-execution control fields in executive VMCS",
    [26] = "VM entry with events blocked by MOV SS",
    [28] = "Invalid operand to INVEPT/INVVPID",
};

static const char *lookup(const char *const *table, unsigned count, uint32_t n) {
    return n < count && table[n] ? table[n] : "unknown";
}

const char *vmx_exit_reason_name(uint32_t basic_reason) {
    return lookup(exit_reasons, VMX_COUNT(exit_reasons), basic_reason);
}

const char *vmx_insn_error_name(uint32_t error) {
    return lookup(insn_errors, VMX_COUNT(insn_errors), error);
}
