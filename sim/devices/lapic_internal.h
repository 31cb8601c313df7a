/* Helpers shared by the local APIC's files (lapic.h); not for other devices. */
#ifndef VMXSIM_DEVICES_LAPIC_INTERNAL_H
#define VMXSIM_DEVICES_LAPIC_INTERNAL_H

#include "sim/devices/lapic.h"

/* SDM 10.4.8 "Local APIC Version Register": version 14H (an integrated
 * APIC), Max LVT Entry 5 (six entries: no CMCI, IA32_MCG_CAP[10] = 0),
 * bit 24 = 0 (no EOI-broadcast suppression). */
#define LAPIC_VERSION (0x14u | (LVT_COUNT - 1u) << 16)

/* x2APIC mode: IA32_APIC_BASE.EN = EXTD = 1. */
bool lapic_x2apic_mode(const Lapic *a);
/* The registers' power-up values (SDM 10.12.5.1); ID and IA32_APIC_BASE stay. */
void lapic_reset_registers(Lapic *a);
/* Something the CPU samples may have changed: raise SIGNAL_INTR. */
void lapic_signal(Lapic *a);
/* SDM 10.5.3 "Error Handling": record an ESR bit, signal the LVT error entry. */
void lapic_error(Lapic *a, uint32_t esr_bit);
/* Deliver the LVT entry's interrupt to this APIC (timer, error). */
void lapic_local_interrupt(Lapic *a, unsigned lvt);
/* SDM 10.8.3.1 "Task and Processor Priorities". */
uint32_t lapic_ppr(const Lapic *a);
/* SDM 10.8.5: EOI register write. */
void lapic_eoi(Lapic *a);
/* Reads of the registers both interfaces share (lapic_regs.c). */
bool lapic_read_common(const Lapic *a, unsigned reg, uint32_t *v);
/* Register writes shared by the xAPIC page and the x2APIC MSRs; the value
 * is what the register may hold (reserved bits already handled). */
void lapic_write_tpr(Lapic *a, uint32_t v);
void lapic_write_svr(Lapic *a, uint32_t v);
void lapic_write_lvt(Lapic *a, unsigned i, uint32_t v);
uint32_t lapic_lvt_writable(const Lapic *a, unsigned i);
void lapic_write_esr(Lapic *a);
/* SDM 10.6.1 "Interrupt Command Register (ICR)": send the IPI `icr` names. */
void lapic_send_ipi(Lapic *a, uint64_t icr);
/* The timer (lapic_timer.c). */
uint32_t lapic_timer_current(const Lapic *a);
void lapic_timer_write_initial(Lapic *a, uint32_t v);
void lapic_timer_write_divide(Lapic *a, uint32_t v);
void lapic_timer_lvt_written(Lapic *a, uint32_t old);
void lapic_timer_disarm(Lapic *a);

#endif
