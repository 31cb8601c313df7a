/*
 * PC platform access for the tests/system guests: the local APIC's xAPIC
 * page and x2APIC MSRs (SDM Vol. 3A chapter 10), the I/O APIC (82093AA
 * datasheet), the 8254 PIT and port 0x61, the 8259s, the TSC.
 */
#ifndef SYSTEST_PLATFORM_H
#define SYSTEST_PLATFORM_H

#include <stdint.h>

#include "guest/io.h"

#define APIC_BASE_MSR 0x1bu
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_EN (1ull << 11)
#define APIC_MMIO 0xfee00000ull
#define X2APIC_MSR(reg) (0x800u + ((reg) >> 4))
#define TSC_DEADLINE_MSR 0x6e0u

/* xAPIC register offsets (SDM Table 10-1). */
enum {
    APIC_ID = 0x20,
    APIC_VERSION = 0x30,
    APIC_TPR = 0x80,
    APIC_PPR = 0xa0,
    APIC_EOI = 0xb0,
    APIC_SVR = 0xf0,
    APIC_ISR = 0x100,
    APIC_IRR = 0x200,
    APIC_ESR = 0x280,
    APIC_ICR_LOW = 0x300,
    APIC_ICR_HIGH = 0x310,
    APIC_LVT_TIMER = 0x320,
    APIC_LVT_LINT0 = 0x350,
    APIC_LVT_LINT1 = 0x360,
    APIC_TIMER_INITIAL = 0x380,
    APIC_TIMER_CURRENT = 0x390,
    APIC_TIMER_DIVIDE = 0x3e0,
};

#define IOAPIC_MMIO 0xfec00000ull
#define PIT_HZ 1193182ull

static inline uint32_t apic_read(unsigned reg) {
    return *(volatile uint32_t *)(uintptr_t)(APIC_MMIO + reg);
}

static inline void apic_write(unsigned reg, uint32_t v) {
    *(volatile uint32_t *)(uintptr_t)(APIC_MMIO + reg) = v;
}

static inline uint32_t ioapic_read(uint8_t reg) {
    *(volatile uint32_t *)(uintptr_t)IOAPIC_MMIO = reg;
    return *(volatile uint32_t *)(uintptr_t)(IOAPIC_MMIO + 0x10);
}

static inline void ioapic_write(uint8_t reg, uint32_t v) {
    *(volatile uint32_t *)(uintptr_t)IOAPIC_MMIO = reg;
    *(volatile uint32_t *)(uintptr_t)(IOAPIC_MMIO + 0x10) = v;
}

static inline uint64_t rdtsc(void) {
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* One window for interrupts: STI's shadow covers HLT, so an interrupt
 * pending now or arriving later wakes the HLT (SDM Vol. 2 STI, HLT). */
static inline void sti_hlt_cli(void) {
    __asm__ __volatile__("sti; hlt; cli" : : : "memory");
}

/* Open and close the interrupt window without halting. */
static inline void sti_nop_cli(void) {
    __asm__ __volatile__("sti; nop; cli" : : : "memory");
}

#endif
