/*
 * vmx-basic: what its files share.  The constants are used by the guest
 * (vmx_basic_guest.S) and by the host's checks.
 */
#ifndef VMX_BASIC_H
#define VMX_BASIC_H

/* I/O ports.  Bitmap bits set: PORT_IMM, PORT_WORD (bitmap A), PORT_IN and
 * 8000H (bitmap B).  Clear: everything else, COM1 included. */
#define PORT_IMM 0x80
#define PORT_WORD 0x1234
#define PORT_IN 0x9000
#define PORT_STRADDLE 0x7fff /* a word access touches 7FFFH (A) and 8000H (B) */
#define COM1_THR 0x3f8
#define COM1_LSR 0x3fd

/* MSRs.  Read bitmap bit set for MSR_READ_EXIT (low range), write bitmap bit
 * set for MSR_WRITE_EXIT (high range); MSR_OUTSIDE is in neither range;
 * MSR_PASS has both bits clear. */
#define MSR_READ_EXIT 0x174       /* IA32_SYSENTER_CS */
#define MSR_WRITE_EXIT 0xc0000103 /* IA32_TSC_AUX */
#define MSR_OUTSIDE 0x40000000
#define MSR_PASS 0x175 /* IA32_SYSENTER_ESP */
#define WRMSR_EXIT_EAX 0x11223344
#define WRMSR_EXIT_EDX 0x55667788
#define SYSENTER_ESP_VALUE 0x00007fffc0de0000 /* canonical */

#define CR0_TS 0x8 /* owned by the host through the CR0 guest/host mask */

/* Values the host hands to the guest when it emulates IN and RDMSR. */
#define IN_EMULATED 0xfeedface
#define RDMSR_EMULATED 0x0badcafe

#define GUEST_VMCALL_LOOPS 100
#define GUEST_DONE 0x600d /* RAX at the last VMCALL */

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

#include "guest/vmx.h"

/* The checks print one line each (tests/system/lib/systest.h); where the
 * run cannot go on after a failure it stops on the value checked, not on
 * the check's result, so that systest.break=all inverts every check. */

/* 4-KByte regions (vmx_basic.c). */
extern uint8_t vmxon_region[4096], vmcs_region[4096], bad_revision_region[4096];
/* CR3 of the host and of a copy of its PML4 (a CR3-target value). */
extern uint64_t guest_cr3, guest_alt_cr3;

/* An instruction expected to fault: the exception handler records the
 * first fault at insn and resumes at next. */
typedef struct Catch {
    const char *insn, *next;
    bool seen;
    uint64_t vector, error;
} Catch;
void catch_arm(Catch *c);
void catch_disarm(void);
/* One check that c faulted with vector; one more for error code 0 when
 * the vector has an error code. */
void check_catch(const Catch *c, const char *what, unsigned vector);

/* One check that r is VMsucceed. */
void check_succeed(VmxResult r, const char *what);
/* One check that r is VMfailInvalid. */
void check_fail_invalid(VmxResult r, const char *what);
/* Two checks: r is VMfailValid, and the VM-instruction error field is error. */
void check_fail_valid(VmxResult r, uint32_t error, const char *what);
/* VMREAD of a field the test knows exists (0 when VMREAD fails). */
uint64_t vmcs_read(uint32_t field);
/* Physical-address width for VMX structures (A.1: 32 when IA32_VMX_BASIC[48]). */
unsigned vmx_address_width(void);

/* vmx_basic_instr.c: VMX instructions in root operation, at CPL 0 and 3. */
void check_instructions(void);
void check_cpl3(void);
/* vmx_basic_entry.c: the guest's VMCS, and VM entries that fail. */
bool setup_vmcs(void);
void check_entry_failures(void);
/* vmx_basic_exits.c: the guest's run, then VMLAUNCH again and VMXOFF. */
void run_guest(void);

/* vmx_basic_probe.S: one faulting instruction each, at probe_*_insn. */
void probe_vmxon(uint64_t pa);
void probe_wrmsr(uint32_t msr, uint64_t value);
void probe_vmread(void);
extern const char probe_vmxon_insn[], probe_vmxon_next[], probe_wrmsr_insn[], probe_wrmsr_next[],
    probe_vmread_insn[], probe_vmread_next[];
/* The CPL 3 task and its faulting instructions; user_fault_task.S has
 * enter_user() and kernel_resume. */
void enter_user(uint64_t rip, uint64_t rsp);
extern const char kernel_resume[], user_vmx_task[], uv_vmread[], uv_vmread_next[], uv_vmxon[],
    uv_vmxon_next[], uv_vmcall[], uv_vmcall_next[];
extern uint64_t kernel_resume_rsp;

/* vmx_basic_guest.S */
extern const char guest_entry[], gx_cpuid[], gx_hlt[], gx_out_imm[], gx_out_word[], gx_in_dword[],
    gx_out_straddle[], gx_out_wrap[], gx_io_done[], gx_rdmsr[], gx_wrmsr[], gx_rdmsr_outside[],
    gx_msr_done[], gx_mov_cr0[], gx_mov_cr3[], gx_cr_done[], gx_mov_cr3_back[], gx_ud2[], gx_int3[],
    gx_lock_cpuid[], gx_loop[], gx_done[];
#endif

#endif
