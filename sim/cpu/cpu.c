/* CPU life cycle and the derived-state updater. */
#include "sim/cpu/cpu.h"

#include <string.h>

#include "sim/cpu/cpu_model.h"
#include "sim/cpu/decode_cache.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/msr.h"

bool cpu_init(CpuState *cpu, unsigned id, Memory *mem, IoBus *io, Signals *signals)
{
    memset(cpu, 0, sizeof(*cpu));
    cpu->id = id;
    cpu->mem = mem;
    cpu->io = io;
    cpu->signals = signals;
    cpu->model = cpu_model_default();
    cpu->cache = cpu_cache_create();
    if (!cpu->cache)
        return false;
    mem_tlb_init(&cpu->tlb);
    if (!mem_register_tlb(mem, &cpu->tlb)) {
        cpu_cache_destroy(cpu->cache);
        cpu->cache = NULL;
        return false;
    }
    cpu_reset(cpu);
    return true;
}

void cpu_destroy(CpuState *cpu)
{
    cpu_cache_destroy(cpu->cache);
    cpu->cache = NULL;
}

static void reset_segment(Segment *s, uint16_t selector, uint64_t base, uint32_t type)
{
    s->selector = selector;
    s->base = base;
    s->limit = 0xffff;
    s->ar = type | AR_S | AR_P;
}

/* The state RESET and INIT both set: SDM 9.1.1 "Processor State After
 * Reset", Table 9-1, columns "Power up, Reset" and "INIT" (the caller sets
 * CR0.CD and NW, which INIT leaves unchanged). */
static void reset_common(CpuState *cpu)
{
    memset(cpu->gpr, 0, sizeof(cpu->gpr));
    cpu->gpr[GPR_RDX] = cpu->model->signature; /* CPUID.01H:EAX of the model */
    cpu->RIP = 0xfff0;
    cpu->rflags = RFLAGS_FIXED1;
    cpu->lazy.op = LAZY_NONE;
    cpu->cr0 = CR0_ET;
    cpu->cr2 = cpu->cr3 = cpu->cr4 = cpu->cr8 = 0;
    /* Real-address mode: vmxsim clears IA32_EFER on INIT as on RESET (LMA
     * cannot stay set with CR0.PG = 0). */
    cpu->efer = 0;
    /* SDM 23.7: a RESET leaves VMX operation (INIT is blocked in VMX root
     * operation and exits in non-root operation, so it only comes outside). */
    cpu->vmx_mode = VMX_MODE_OFF;
    cpu->intr_ignores_if = false;
    cpu->tsc_offset = 0;
    cpu->deadline = UINT64_MAX;
    cpu->cr0_fixed = cpu->cr4_fixed = (CrFixed){0, ~UINT64_C(0)};
    memset(cpu->pdpte, 0, sizeof(cpu->pdpte));
    memset(cpu->dr, 0, sizeof(cpu->dr));
    cpu->dr[6] = 0xffff0ff0;
    cpu->dr[7] = 0x400;
    reset_segment(&cpu->seg[SEG_CS], 0xf000, 0xffff0000, AR_TYPE_CODE | AR_TYPE_WRITABLE | AR_TYPE_ACCESSED);
    for (unsigned s = 0; s < 6; s++) {
        if (s != SEG_CS)
            reset_segment(&cpu->seg[s], 0, 0, AR_TYPE_WRITABLE | AR_TYPE_ACCESSED);
    }
    cpu->seg[SEG_LDTR] = (Segment){0, 0xffff, 0x2 | AR_P, 0};
    cpu->seg[SEG_TR] = (Segment){0, 0xffff, 0xb | AR_P, 0};
    cpu->gdtr = (DescTable){0, 0xffff};
    cpu->idtr = (DescTable){0, 0xffff};
    cpu->activity = ACTIVITY_ACTIVE;
    cpu->sti_shadow = cpu->movss_shadow = cpu->nmi_blocked = false;
    cpu_events_reset(cpu);
    cpu->fault = (PendingFault){0};
    mem_tlb_flush_all(&cpu->tlb); /* SDM 9.1: "the TLBs and BTB are invalidated" by both */
}

/* SDM 9.1.1 "Processor State After Reset", Table 9-1. */
void cpu_reset(CpuState *cpu)
{
    reset_common(cpu);
    cpu->cr0 |= CR0_CD | CR0_NW;
    cpu->xcr0 = 1;
    /* SDM 9.1.1 Table 9-1: after RESET the x87 data registers hold +0.0 and
     * the tag word is 5555H (every register tagged zero), FCW 0040H; MXCSR
     * 1F80H. */
    memset(&cpu->fpu, 0, sizeof(cpu->fpu));
    cpu->fpu.fcw = 0x0040;
    cpu->fpu.ftw = 0x5555;
    cpu->fpu.mxcsr = 0x1f80;
    cpu->pkru = 0;
    cpu_msr_reset(cpu);
    cpu_update_mode(cpu);
}

/* SDM 9.1 "Initialization Overview": "during an INIT, the internal caches,
 * MSRs, MTRRs, and x87 FPU state are left unchanged"; Vol. 1 11.6.4: so is
 * the SSE state (XMM, MXCSR).  vmxsim also keeps XCR0 and PKRU (XSAVE-managed
 * state).  CR0.CD and NW are unchanged (Table 9-1). */
void cpu_init_reset(CpuState *cpu)
{
    uint64_t cache_bits = cpu->cr0 & (CR0_CD | CR0_NW);
    reset_common(cpu);
    cpu->cr0 |= cache_bits;
    cpu_update_mode(cpu);
}

static void derive_mode(CpuState *cpu)
{
    const Segment *cs = &cpu->seg[SEG_CS];
    if (!(cpu->cr0 & CR0_PE)) {
        cpu->mode = MODE_REAL;
        cpu->cpl = 0;
        return;
    }
    if (cpu->rflags & RFLAGS_VM) {
        cpu->mode = MODE_V86;
        cpu->cpl = 3;
        return;
    }
    /* SDM 5.5: CPL is the DPL of SS (equal to CS.RPL except for conforming code). */
    cpu->cpl = (uint8_t)seg_dpl(&cpu->seg[SEG_SS]);
    if (cpu->efer & EFER_LMA) {
        if (cs->ar & AR_L)
            cpu->mode = MODE_LONG64;
        else
            cpu->mode = (cs->ar & AR_DB) ? MODE_COMPAT32 : MODE_COMPAT16;
        return;
    }
    cpu->mode = (cs->ar & AR_DB) ? MODE_PROT32 : MODE_PROT16;
}

void cpu_update_mode(CpuState *cpu)
{
    derive_mode(cpu);
    cpu_events_refresh(cpu); /* the access checks depend on CPL (events.h) */
}
