/*
 * VMCS constants for guest hypervisors, from the Intel SDM (Vol. 3C/3D):
 * field encodings (Appendix B "Field Encoding in VMCS"), VM-execution,
 * VM-exit and VM-entry control bits (24.6-24.8), exit reasons (Appendix C
 * "VMX Basic Exit Reasons"), VM-instruction error numbers (30.4 "VM
 * Instruction Error Numbers") and exit-qualification layouts (27.2.1
 * "Basic VM-Exit Information").  Guests cannot include simulator headers:
 * this is an independent transcription of the SDM.
 */
#ifndef GUEST_VMCS_H
#define GUEST_VMCS_H

#include <stdint.h>

/* B.1.1 Table B-1 "Encoding for 16-Bit Control Fields". */
#define VMCS_VPID 0x0000u

/* B.1.2 Table B-2 "Encodings for 16-Bit Guest-State Fields". */
#define VMCS_GUEST_ES_SELECTOR 0x0800u
#define VMCS_GUEST_CS_SELECTOR 0x0802u
#define VMCS_GUEST_SS_SELECTOR 0x0804u
#define VMCS_GUEST_DS_SELECTOR 0x0806u
#define VMCS_GUEST_FS_SELECTOR 0x0808u
#define VMCS_GUEST_GS_SELECTOR 0x080Au
#define VMCS_GUEST_LDTR_SELECTOR 0x080Cu
#define VMCS_GUEST_TR_SELECTOR 0x080Eu

/* B.1.3 Table B-3 "Encodings for 16-Bit Host-State Fields". */
#define VMCS_HOST_ES_SELECTOR 0x0C00u
#define VMCS_HOST_CS_SELECTOR 0x0C02u
#define VMCS_HOST_SS_SELECTOR 0x0C04u
#define VMCS_HOST_DS_SELECTOR 0x0C06u
#define VMCS_HOST_FS_SELECTOR 0x0C08u
#define VMCS_HOST_GS_SELECTOR 0x0C0Au
#define VMCS_HOST_TR_SELECTOR 0x0C0Cu

/* B.2.1 Table B-4 "Encodings for 64-Bit Control Fields" (full access;
 * the high half of a 64-bit field is the encoding + 1, 24.11.2). */
#define VMCS_IO_BITMAP_A 0x2000u
#define VMCS_IO_BITMAP_B 0x2002u
#define VMCS_MSR_BITMAP 0x2004u
#define VMCS_EXIT_MSR_STORE_ADDR 0x2006u
#define VMCS_EXIT_MSR_LOAD_ADDR 0x2008u
#define VMCS_ENTRY_MSR_LOAD_ADDR 0x200Au
#define VMCS_EXECUTIVE_VMCS_POINTER 0x200Cu
#define VMCS_TSC_OFFSET 0x2010u
#define VMCS_TSC_OFFSET_HIGH 0x2011u
#define VMCS_EPT_POINTER 0x201Au

/* B.2.2 Table B-5 "Encodings for 64-Bit Read-Only Data Field". */
#define VMCS_GUEST_PHYSICAL_ADDRESS 0x2400u

/* B.2.3 Table B-6 "Encodings for 64-Bit Guest-State Fields". */
#define VMCS_LINK_POINTER 0x2800u
#define VMCS_GUEST_IA32_DEBUGCTL 0x2802u
#define VMCS_GUEST_IA32_PAT 0x2804u
#define VMCS_GUEST_IA32_EFER 0x2806u

/* B.2.4 Table B-7 "Encodings for 64-Bit Host-State Fields". */
#define VMCS_HOST_IA32_PAT 0x2C00u
#define VMCS_HOST_IA32_EFER 0x2C02u

/* B.3.1 Table B-8 "Encodings for 32-Bit Control Fields". */
#define VMCS_PIN_BASED_CONTROLS 0x4000u
#define VMCS_PROC_BASED_CONTROLS 0x4002u
#define VMCS_EXCEPTION_BITMAP 0x4004u
#define VMCS_PF_ERROR_CODE_MASK 0x4006u
#define VMCS_PF_ERROR_CODE_MATCH 0x4008u
#define VMCS_CR3_TARGET_COUNT 0x400Au
#define VMCS_EXIT_CONTROLS 0x400Cu
#define VMCS_EXIT_MSR_STORE_COUNT 0x400Eu
#define VMCS_EXIT_MSR_LOAD_COUNT 0x4010u
#define VMCS_ENTRY_CONTROLS 0x4012u
#define VMCS_ENTRY_MSR_LOAD_COUNT 0x4014u
#define VMCS_ENTRY_INTERRUPTION_INFO 0x4016u
#define VMCS_ENTRY_EXCEPTION_ERROR_CODE 0x4018u
#define VMCS_ENTRY_INSTRUCTION_LENGTH 0x401Au
#define VMCS_TPR_THRESHOLD 0x401Cu
#define VMCS_PROC_BASED_CONTROLS2 0x401Eu

/* B.3.2 Table B-9 "Encodings for 32-Bit Read-Only Data Fields". */
#define VMCS_VM_INSTRUCTION_ERROR 0x4400u
#define VMCS_EXIT_REASON 0x4402u
#define VMCS_EXIT_INTERRUPTION_INFO 0x4404u
#define VMCS_EXIT_INTERRUPTION_ERROR_CODE 0x4406u
#define VMCS_IDT_VECTORING_INFO 0x4408u
#define VMCS_IDT_VECTORING_ERROR_CODE 0x440Au
#define VMCS_EXIT_INSTRUCTION_LENGTH 0x440Cu
#define VMCS_EXIT_INSTRUCTION_INFO 0x440Eu

/* B.3.3 Table B-10 "Encodings for 32-Bit Guest-State Fields". */
#define VMCS_GUEST_ES_LIMIT 0x4800u
#define VMCS_GUEST_CS_LIMIT 0x4802u
#define VMCS_GUEST_SS_LIMIT 0x4804u
#define VMCS_GUEST_DS_LIMIT 0x4806u
#define VMCS_GUEST_FS_LIMIT 0x4808u
#define VMCS_GUEST_GS_LIMIT 0x480Au
#define VMCS_GUEST_LDTR_LIMIT 0x480Cu
#define VMCS_GUEST_TR_LIMIT 0x480Eu
#define VMCS_GUEST_GDTR_LIMIT 0x4810u
#define VMCS_GUEST_IDTR_LIMIT 0x4812u
#define VMCS_GUEST_ES_AR 0x4814u
#define VMCS_GUEST_CS_AR 0x4816u
#define VMCS_GUEST_SS_AR 0x4818u
#define VMCS_GUEST_DS_AR 0x481Au
#define VMCS_GUEST_FS_AR 0x481Cu
#define VMCS_GUEST_GS_AR 0x481Eu
#define VMCS_GUEST_LDTR_AR 0x4820u
#define VMCS_GUEST_TR_AR 0x4822u
#define VMCS_GUEST_INTERRUPTIBILITY 0x4824u
#define VMCS_GUEST_ACTIVITY_STATE 0x4826u
#define VMCS_GUEST_SMBASE 0x4828u
#define VMCS_GUEST_IA32_SYSENTER_CS 0x482Au
#define VMCS_PREEMPTION_TIMER_VALUE 0x482Eu

/* B.3.4 Table B-11 "Encoding for 32-Bit Host-State Field". */
#define VMCS_HOST_IA32_SYSENTER_CS 0x4C00u

/* B.4.1 Table B-12 "Encodings for Natural-Width Control Fields". */
#define VMCS_CR0_GUEST_HOST_MASK 0x6000u
#define VMCS_CR4_GUEST_HOST_MASK 0x6002u
#define VMCS_CR0_READ_SHADOW 0x6004u
#define VMCS_CR4_READ_SHADOW 0x6006u
#define VMCS_CR3_TARGET_VALUE0 0x6008u
#define VMCS_CR3_TARGET_VALUE1 0x600Au
#define VMCS_CR3_TARGET_VALUE2 0x600Cu
#define VMCS_CR3_TARGET_VALUE3 0x600Eu

/* B.4.2 Table B-13 "Encodings for Natural-Width Read-Only Data Fields". */
#define VMCS_EXIT_QUALIFICATION 0x6400u
#define VMCS_IO_RCX 0x6402u
#define VMCS_IO_RSI 0x6404u
#define VMCS_IO_RDI 0x6406u
#define VMCS_IO_RIP 0x6408u
#define VMCS_GUEST_LINEAR_ADDRESS 0x640Au

/* B.4.3 Table B-14 "Encodings for Natural-Width Guest-State Fields". */
#define VMCS_GUEST_CR0 0x6800u
#define VMCS_GUEST_CR3 0x6802u
#define VMCS_GUEST_CR4 0x6804u
#define VMCS_GUEST_ES_BASE 0x6806u
#define VMCS_GUEST_CS_BASE 0x6808u
#define VMCS_GUEST_SS_BASE 0x680Au
#define VMCS_GUEST_DS_BASE 0x680Cu
#define VMCS_GUEST_FS_BASE 0x680Eu
#define VMCS_GUEST_GS_BASE 0x6810u
#define VMCS_GUEST_LDTR_BASE 0x6812u
#define VMCS_GUEST_TR_BASE 0x6814u
#define VMCS_GUEST_GDTR_BASE 0x6816u
#define VMCS_GUEST_IDTR_BASE 0x6818u
#define VMCS_GUEST_DR7 0x681Au
#define VMCS_GUEST_RSP 0x681Cu
#define VMCS_GUEST_RIP 0x681Eu
#define VMCS_GUEST_RFLAGS 0x6820u
#define VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS 0x6822u
#define VMCS_GUEST_IA32_SYSENTER_ESP 0x6824u
#define VMCS_GUEST_IA32_SYSENTER_EIP 0x6826u

/* B.4.4 Table B-15 "Encodings for Natural-Width Host-State Fields":
 * type 3 (host, bits 11:10), width 3 (natural, bits 14:13), index in 9:1. */
#define VMCS_HOST_CR0 0x6C00u
#define VMCS_HOST_CR3 0x6C02u
#define VMCS_HOST_CR4 0x6C04u
#define VMCS_HOST_FS_BASE 0x6C06u
#define VMCS_HOST_GS_BASE 0x6C08u
#define VMCS_HOST_TR_BASE 0x6C0Au
#define VMCS_HOST_GDTR_BASE 0x6C0Cu
#define VMCS_HOST_IDTR_BASE 0x6C0Eu
#define VMCS_HOST_IA32_SYSENTER_ESP 0x6C10u
#define VMCS_HOST_IA32_SYSENTER_EIP 0x6C12u
#define VMCS_HOST_RSP 0x6C14u
#define VMCS_HOST_RIP 0x6C16u

/* 24.6.1 Table 24-5 "Definitions of Pin-Based VM-Execution Controls". */
#define PIN_EXTERNAL_INTERRUPT_EXITING (1u << 0)
#define PIN_NMI_EXITING (1u << 3)
#define PIN_VIRTUAL_NMIS (1u << 5)
#define PIN_ACTIVATE_PREEMPTION_TIMER (1u << 6)

/* 24.6.2 Table 24-6 "Definitions of Primary Processor-Based VM-Execution
 * Controls". */
#define PROC_INTERRUPT_WINDOW_EXITING (1u << 2)
#define PROC_USE_TSC_OFFSETTING (1u << 3)
#define PROC_HLT_EXITING (1u << 7)
#define PROC_INVLPG_EXITING (1u << 9)
#define PROC_MWAIT_EXITING (1u << 10)
#define PROC_RDPMC_EXITING (1u << 11)
#define PROC_RDTSC_EXITING (1u << 12)
#define PROC_CR3_LOAD_EXITING (1u << 15)
#define PROC_CR3_STORE_EXITING (1u << 16)
#define PROC_CR8_LOAD_EXITING (1u << 19)
#define PROC_CR8_STORE_EXITING (1u << 20)
#define PROC_USE_TPR_SHADOW (1u << 21)
#define PROC_NMI_WINDOW_EXITING (1u << 22)
#define PROC_MOV_DR_EXITING (1u << 23)
#define PROC_UNCONDITIONAL_IO_EXITING (1u << 24)
#define PROC_USE_IO_BITMAPS (1u << 25)
#define PROC_MONITOR_TRAP_FLAG (1u << 27)
#define PROC_USE_MSR_BITMAPS (1u << 28)
#define PROC_MONITOR_EXITING (1u << 29)
#define PROC_PAUSE_EXITING (1u << 30)
#define PROC_ACTIVATE_SECONDARY_CONTROLS (1u << 31)

/* 24.7.1 Table 24-10 "Definitions of VM-Exit Controls". */
#define EXIT_SAVE_DEBUG_CONTROLS (1u << 2)
#define EXIT_HOST_ADDRESS_SPACE_SIZE (1u << 9)
#define EXIT_LOAD_IA32_PERF_GLOBAL_CTRL (1u << 12)
#define EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT (1u << 15)
#define EXIT_SAVE_IA32_PAT (1u << 18)
#define EXIT_LOAD_IA32_PAT (1u << 19)
#define EXIT_SAVE_IA32_EFER (1u << 20)
#define EXIT_LOAD_IA32_EFER (1u << 21)

/* 24.8.1 Table 24-12 "Definitions of VM-Entry Controls". */
#define ENTRY_LOAD_DEBUG_CONTROLS (1u << 2)
#define ENTRY_IA32E_MODE_GUEST (1u << 9)
#define ENTRY_TO_SMM (1u << 10)
#define ENTRY_DEACTIVATE_DUAL_MONITOR (1u << 11)
#define ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL (1u << 13)
#define ENTRY_LOAD_IA32_PAT (1u << 14)
#define ENTRY_LOAD_IA32_EFER (1u << 15)

/* Appendix C Table C-1 "Basic Exit Reasons". */
#define EXIT_REASON_EXCEPTION_NMI 0u
#define EXIT_REASON_EXTERNAL_INTERRUPT 1u
#define EXIT_REASON_TRIPLE_FAULT 2u
#define EXIT_REASON_CPUID 10u
#define EXIT_REASON_HLT 12u
#define EXIT_REASON_VMCALL 18u
#define EXIT_REASON_VMCLEAR 19u
#define EXIT_REASON_VMLAUNCH 20u
#define EXIT_REASON_VMPTRLD 21u
#define EXIT_REASON_VMPTRST 22u
#define EXIT_REASON_VMREAD 23u
#define EXIT_REASON_VMRESUME 24u
#define EXIT_REASON_VMWRITE 25u
#define EXIT_REASON_VMXOFF 26u
#define EXIT_REASON_VMXON 27u
#define EXIT_REASON_CR_ACCESS 28u
#define EXIT_REASON_IO_INSTRUCTION 30u
#define EXIT_REASON_RDMSR 31u
#define EXIT_REASON_WRMSR 32u
#define EXIT_REASON_INVALID_GUEST_STATE 33u
#define EXIT_REASON_MSR_LOADING 34u
/* 24.9.1 Table 24-14 "Format of Exit Reason": bit 31 = VM-entry failure. */
#define EXIT_REASON_ENTRY_FAILURE (1u << 31)

/* 30.4 Table 30-1 "VM-Instruction Error Numbers". */
#define VMERR_VMCALL_IN_ROOT 1u
#define VMERR_VMCLEAR_INVALID_ADDRESS 2u
#define VMERR_VMCLEAR_VMXON_POINTER 3u
#define VMERR_VMLAUNCH_NONCLEAR 4u
#define VMERR_VMRESUME_NONLAUNCHED 5u
#define VMERR_VMRESUME_AFTER_VMXOFF 6u
#define VMERR_ENTRY_INVALID_CONTROL 7u
#define VMERR_ENTRY_INVALID_HOST_STATE 8u
#define VMERR_VMPTRLD_INVALID_ADDRESS 9u
#define VMERR_VMPTRLD_VMXON_POINTER 10u
#define VMERR_VMPTRLD_BAD_REVISION 11u
#define VMERR_UNSUPPORTED_COMPONENT 12u
#define VMERR_VMWRITE_READ_ONLY 13u
#define VMERR_VMXON_IN_ROOT 15u
#define VMERR_ENTRY_MOVSS_BLOCKING 26u

/* 24.9.2 Table 24-15 "Format of the VM-Exit Interruption-Information
 * Field": vector 7:0, type 10:8, error code valid 11, valid 31. */
#define INTR_INFO_VALID (1u << 31)
#define INTR_INFO_ERROR_CODE_VALID (1u << 11)
#define INTR_TYPE_HARDWARE_EXCEPTION (3u << 8)
#define INTR_TYPE_SOFTWARE_EXCEPTION (6u << 8)

/* 27.2.1 Table 27-3 "Exit Qualification for Control-Register Accesses". */
#define CR_QUAL(cr, access, gpr) ((cr) | (access) << 4 | (gpr) << 8)
#define CR_ACCESS_MOV_TO_CR 0u
#define CR_ACCESS_MOV_FROM_CR 1u

/* 27.2.1 Table 27-5 "Exit Qualification for I/O Instructions": size - 1 in
 * 2:0, direction 3 (1 = IN), string 4, REP 5, immediate operand 6, port in
 * 31:16. */
#define IO_QUAL(size, in, imm, port)                                                               \
    ((uint64_t)((size)-1) | (uint64_t)(in) << 3 | (uint64_t)(imm) << 6 | (uint64_t)(port) << 16)

/* 24.4.1 Table 24-2 "Format of Access Rights": bit 16 = segment unusable. */
#define VMX_AR_UNUSABLE (1u << 16)

#endif
