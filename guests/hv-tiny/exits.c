/*
 * hv-tiny's VM-exit handlers (SDM Appendix C reasons; exit information
 * from 27.2 "Recording VM-Exit Information and Updating VM-Entry Control
 * Fields").  Instruction exits are fault-like: GUEST_RIP is the
 * instruction (27.3.3), so each handler that emulates it skips it.
 */
#include "hv_tiny.h"

#include "guest/io.h"
#include "guest/printf.h"
#include "guest/serial.h"

#define COM1_LAST (GUEST_COM1 + 7)

static uint64_t guest_status;
static uint64_t tsc_aux; /* the guest's IA32_TSC_AUX */
static bool line_start = true;

uint64_t hv_guest_status(void) {
    return guest_status;
}

/* 25.1.2: CPUID exits unconditionally.  The guest sees the processor's
 * answer without VMX, and hv-tiny's signature at 40000000H. */
static VmxAction on_cpuid(VmxExit *e) {
    VmxGuestRegs *r = e->regs;
    uint32_t leaf = (uint32_t)r->rax;
    GuestCpuid c = cpuid(leaf, (uint32_t)r->rcx);
    if (leaf == 1) c.ecx &= ~CPUID_1_ECX_VMX_BIT;
    if (leaf == HV_CPUID_LEAF) /* "hv-t", "iny\0", "\0\0\0\0" */
        c = (GuestCpuid){HV_CPUID_LEAF, 0x742d7668, 0x00796e69, 0};
    r->rax = c.eax;
    r->rbx = c.ebx;
    r->rcx = c.ecx;
    r->rdx = c.edx;
    vmx_exit_skip_instruction(e);
    return VMX_ACTION_RESUME;
}

/* 25.1.3: HLT exiting.  The guest has nothing to wait for (IF = 0, no
 * interrupt source): resume it after the HLT. */
static VmxAction on_hlt(VmxExit *e) {
    vmx_exit_skip_instruction(e);
    return VMX_ACTION_RESUME;
}

/* A byte the guest wrote to COM1's transmit register, forwarded to the
 * real port with "guest: " at the start of each line. */
static void forward_byte(uint8_t c) {
    if (line_start) guest_serial_puts("guest: ");
    guest_serial_putc((char)c);
    line_start = c == '\n';
}

/* 27.2.1 Table 27-5 "Exit Qualification for I/O Instructions": size - 1
 * in bits 2:0, direction (1 = IN) in bit 3, string in bit 4, port in
 * 31:16.  Only single-byte IN/OUT to COM1 is expected (the bitmap makes
 * nothing else exit). */
static VmxAction on_io(VmxExit *e) {
    uint16_t port = (uint16_t)(e->qualification >> 16);
    bool in = e->qualification & (1u << 3), string = e->qualification & (1u << 4);
    if ((e->qualification & 7) != 0 || string || port < GUEST_COM1 || port > COM1_LAST) {
        guest_printf("hv-tiny: unexpected I/O exit, qualification 0x%llx\n",
                     (unsigned long long)e->qualification);
        return VMX_ACTION_STOP;
    }
    if (in)
        e->regs->rax = (e->regs->rax & ~0xffull) | inb(port);
    else if (port == GUEST_COM1)
        forward_byte((uint8_t)e->regs->rax);
    else
        outb(port, (uint8_t)e->regs->rax);
    vmx_exit_skip_instruction(e);
    return VMX_ACTION_RESUME;
}

/* 25.1.3: with the MSR bitmap only IA32_TSC_AUX exits. */
static VmxAction on_msr(VmxExit *e) {
    VmxGuestRegs *r = e->regs;
    if ((uint32_t)r->rcx != MSR_TSC_AUX) {
        guest_printf("hv-tiny: unexpected %s of MSR 0x%x\n", vmx_exit_reason_name(e->reason),
                     (unsigned)r->rcx);
        return VMX_ACTION_STOP;
    }
    if (e->reason == EXIT_REASON_RDMSR) {
        r->rax = (uint32_t)tsc_aux;
        r->rdx = tsc_aux >> 32;
    } else {
        tsc_aux = (uint32_t)r->rax | r->rdx << 32;
    }
    vmx_exit_skip_instruction(e);
    return VMX_ACTION_RESUME;
}

static VmxAction on_vmcall(VmxExit *e) {
    VmxGuestRegs *r = e->regs;
    VmxDispatch *d = e->ctx;
    if (r->rax == HC_STOP) {
        guest_status = r->rbx;
        return VMX_ACTION_STOP;
    }
    if (r->rax == HC_PING)
        r->rax = r->rbx + 1;
    else if (r->rax == HC_EXITS)
        r->rax = r->rbx < VMX_EXIT_REASON_COUNT ? d->count[r->rbx] : 0;
    else
        r->rax = HC_UNKNOWN;
    vmx_exit_skip_instruction(e);
    return VMX_ACTION_RESUME;
}

/* Every exception exits (exception bitmap all ones, 24.6.3): the guest has
 * no IDT, so hv-tiny reports the exception (27.2.2) and stops it. */
static VmxAction on_exception(VmxExit *e) {
    guest_printf("hv-tiny: guest exception, interruption information 0x%llx, error code 0x%llx,"
                 " rip 0x%llx\n",
                 (unsigned long long)vmx_read(VMCS_EXIT_INTERRUPTION_INFO),
                 (unsigned long long)vmx_read(VMCS_EXIT_INTERRUPTION_ERROR_CODE),
                 (unsigned long long)e->rip);
    guest_status = 1;
    return VMX_ACTION_STOP;
}

void hv_exits_install(VmxDispatch *d) {
    d->ctx = d;
    d->handler[EXIT_REASON_EXCEPTION_NMI] = on_exception;
    d->handler[EXIT_REASON_CPUID] = on_cpuid;
    d->handler[EXIT_REASON_HLT] = on_hlt;
    d->handler[EXIT_REASON_VMCALL] = on_vmcall;
    d->handler[EXIT_REASON_IO_INSTRUCTION] = on_io;
    d->handler[EXIT_REASON_RDMSR] = on_msr;
    d->handler[EXIT_REASON_WRMSR] = on_msr;
}
