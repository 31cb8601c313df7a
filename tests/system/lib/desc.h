/*
 * GDT, TSS and IDT of the tests/system guests (SDM Vol. 3A 3.4.5 "Segment
 * Descriptors", 8.2.3 "TSS Descriptor in 64-bit mode", 6.14.1 "64-Bit Mode
 * IDT"), and the trap frame their exception stubs (isr64.S) build.
 */
#ifndef SYSTEST_DESC_H
#define SYSTEST_DESC_H

#include <stdbool.h>

#include "x86.h"

/* What isr64.S pushes below the CPU's frame, then the CPU's frame.  Vectors
 * without an error code get a 0 pushed in its place. */
typedef struct TrapFrame {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU (SDM 6.14.2 Figure 6-9) */
} TrapFrame;

/* Called by isr64.S for every vector with the frame; it may change the frame
 * (RIP, RSP, CS, SS) before the stub's IRETQ.  Each guest defines it. */
void systest_trap(TrapFrame *f);

extern uint64_t systest_gdt[GDT_ENTRIES];
extern Tss64 systest_tss;
extern IdtGate64 systest_idt[256];

/* Builds the shared GDT and the TSS, loads GDTR, reloads CS (0x08) and
 * DS ES SS FS GS (0x10), and loads TR with 0x38. */
void systest_load_gdt_tss(void);
/* Gate for vector to isr64.S's stub: type GATE_INT or GATE_TRAP, DPL, IST
 * index (0 = none), P. */
void systest_set_gate(unsigned vector, unsigned type, unsigned dpl, unsigned ist, bool present);
void systest_set_gate_present(unsigned vector, bool present);
/* LIDT of systest_idt (limit 4095). */
void systest_load_idt(void);
/* The stub isr64.S provides for a vector (its address goes in the gate). */
uint64_t systest_stub(unsigned vector);

#endif
