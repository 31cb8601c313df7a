/*
 * One memory access under a chosen paging mode, for paging-matrix
 * (paging_matrix.c fills `probe`, paging_probe.S runs it).  Shared by C and
 * assembly: the offsets below are the struct's.
 */
#ifndef PAGING_PROBE_H
#define PAGING_PROBE_H

#define PROBE_MODE_4LEVEL 0 /* from 64-bit mode: 4-level paging (SDM 4.5) */
#define PROBE_MODE_PAE 1    /* 32-bit protected mode, PAE paging (SDM 4.4) */
#define PROBE_MODE_32BIT 2  /* 32-bit protected mode, 32-bit paging (SDM 4.3) */

#define PROBE_READ 0
#define PROBE_WRITE 1
#define PROBE_EXEC 2

#define PROBE_NONE 0xff   /* vector when the access raised nothing */
#define PROBE_RETURN 0x81 /* the CPL 3 stub's way back (INT 0x81, DPL 3 gate) */

/* Offsets in Probe */
#define PROBE_OFF_MODE 0
#define PROBE_OFF_CR3 8
#define PROBE_OFF_WP 16
#define PROBE_OFF_NXE 24
#define PROBE_OFF_CPL 32
#define PROBE_OFF_ACCESS 40
#define PROBE_OFF_ADDRESS 48
#define PROBE_OFF_VECTOR 56
#define PROBE_OFF_ERROR 64
#define PROBE_OFF_CR2 72
#define PROBE_OFF_STACK 80 /* top of the CPL 0 stack used by interrupts from CPL 3 */
#define PROBE_OFF_USER_STACK 88
#define PROBE_OFF_EFER_IN 96 /* IA32_EFER and CR4 as they were for the access */
#define PROBE_OFF_CR4_IN 104

#ifndef __ASSEMBLER__
#include <stdint.h>

typedef struct Probe {
    uint64_t mode, cr3, wp, nxe, cpl, access, address; /* request */
    uint64_t vector, error, cr2;                       /* result */
    uint64_t stack_top, user_stack_top;
    uint64_t efer_in, cr4_in; /* result: the mode the access ran in */
} Probe;

_Static_assert(__builtin_offsetof(Probe, cr2) == PROBE_OFF_CR2, "Probe layout");
_Static_assert(__builtin_offsetof(Probe, user_stack_top) == PROBE_OFF_USER_STACK, "Probe layout");
_Static_assert(__builtin_offsetof(Probe, cr4_in) == PROBE_OFF_CR4_IN, "Probe layout");

extern Probe probe;
/* Runs the access described by `probe` and fills in its result; returns in
 * 64-bit mode with CR0, CR3, CR4, IA32_EFER as they were. */
void probe_run(void);
/* 64-bit mode, after an exception in the 4-level probe (systest_trap). */
extern const char probe_resume64[];
extern uint64_t probe_saved_rsp;
/* 32-bit stubs, 16 bytes apart, for the legacy-mode IDT. */
extern const char probe_legacy_stubs[];
/* The CPL 3 code: one page-aligned region. */
extern const char probe_user_start[], probe_user_end[];
#endif

#endif
