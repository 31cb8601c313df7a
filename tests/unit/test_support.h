/* Helpers shared by unit tests that run code on a real Machine. */
#ifndef VMXSIM_TEST_SUPPORT_H
#define VMXSIM_TEST_SUPPORT_H

#include <check.h>
#include <string.h>

#include "sim/cpu/flags.h"
#include "sim/machine.h"

/* A machine with 16 MiB of RAM and COM1 discarded. */
static inline Machine *test_machine(void)
{
    char err[256];
    MachineConfig cfg = {.mem_size = 16u << 20};
    Machine *m = machine_create(&cfg, err, sizeof(err));
    ck_assert_msg(m != NULL, "%s", err);
    return m;
}

static inline Segment test_flat_segment(uint16_t sel, bool code)
{
    uint32_t type = code ? (AR_TYPE_CODE | AR_TYPE_WRITABLE | AR_TYPE_ACCESSED)
                         : (AR_TYPE_WRITABLE | AR_TYPE_ACCESSED);
    return (Segment){sel, 0xffffffffu, type | AR_S | AR_P | AR_DB | AR_G, 0};
}

/* Flat 32-bit protected mode, paging off, CPL 0, RIP at `rip`, no IDT. */
static inline void test_enter_flat32(Machine *m, uint64_t rip)
{
    CpuState *c = &m->cpu;
    c->cr0 = CR0_PE | CR0_ET;
    c->seg[SEG_CS] = test_flat_segment(0x08, true);
    for (unsigned s = 0; s < 6; s++) {
        if (s != SEG_CS)
            c->seg[s] = test_flat_segment(0x10, false);
    }
    c->seg[SEG_TR] = (Segment){0x18, 0x67, 0xb | AR_P, 0};
    c->idtr = (DescTable){0, 0};
    c->RIP = rip;
    c->gpr[GPR_RSP] = 0x8000;
    cpu_set_rflags(c, RFLAGS_FIXED1);
    mem_tlb_flush_all(&c->tlb);
    cpu_update_mode(c);
}

static inline void test_poke(Machine *m, uint64_t pa, const void *bytes, size_t n)
{
    (void)mem_phys_write_bytes(&m->mem, pa, bytes, n);
}

#endif
