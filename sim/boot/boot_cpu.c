/* The part of the entry state both boot protocols share. */
#include "sim/boot/boot_cpu.h"

#include <string.h>

#include "sim/cpu/flags.h"

void boot_cpu_clear(CpuState *cpu) {
    memset(cpu->gpr, 0, sizeof(cpu->gpr));
    cpu->rflags = RFLAGS_FIXED1;
    cpu->lazy.op = LAZY_NONE;
    cpu->cr2 = cpu->cr8 = 0;
    cpu->idtr = (DescTable){.base = 0, .limit = 0};
    cpu->seg[SEG_LDTR] = (Segment){.selector = 0, .limit = 0, .ar = AR_UNUSABLE, .base = 0};
    cpu->activity = ACTIVITY_ACTIVE;
    cpu->sti_shadow = cpu->movss_shadow = cpu->nmi_blocked = false;
    cpu->fault = (PendingFault){0};
}

void boot_cpu_commit(CpuState *cpu) {
    mem_tlb_flush_all(&cpu->tlb);
    cpu_update_mode(cpu);
}
