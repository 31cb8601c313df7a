/*
 * The vmxsim world: one Machine, reused for every case, running at CPL 3 in
 * 64-bit mode or 32-bit compatibility mode with 4-level paging that maps the
 * test region's linear addresses as user pages (the guard page not present,
 * the read-only page without R/W).  Exceptions stop the run undelivered
 * (exception_stop_mask), so a fault is compared as its vector, error code
 * and #PF address.
 */
#include <stdio.h>
#include <string.h>

#include "diff.h"
#include "sim/cpu/cpu_model.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/flags.h"
#include "sim/machine.h"

#define RAM_SIZE (2u << 20)
#define PML4_PA 0x1000u
#define PDPT_PA 0x2000u
#define PD_PA 0x3000u
#define PT_PA 0x4000u
#define REGION_PA 0x10000u  /* page i of the region is at REGION_PA + i * 4 KiB */
#define TOP_PDPT_PA 0x5000u /* tables for the last page of the lower half */
#define TOP_PD_PA 0x6000u
#define TOP_PT_PA 0x7000u
#define TOP_PAGE_PA 0x8000u
#define TOP_PAGE UINT64_C(0x7ffffffff000)
#define GDT_LIN (DIFF_REGION + DIFF_REGION_PAGES * PAGE_SIZE) /* supervisor-only page */
#define GDT_PA (REGION_PA + DIFF_REGION_PAGES * PAGE_SIZE)

/* Page-table entry bits (SDM 4.5, Table 4-19 / 4-20). */
#define PTE_P UINT64_C(0x1)
#define PTE_RW UINT64_C(0x2)
#define PTE_US UINT64_C(0x4)
#define PTE_NX (UINT64_C(1) << 63)

static Machine *sim;
static CpuModel sim_model;

static void load_state(CpuState *c, const DiffCase *dc);

static uint64_t region_pa(uint64_t lin) {
    return REGION_PA + (lin - DIFF_REGION);
}

static void put64(uint64_t pa, uint64_t v) {
    (void)mem_phys_write(&sim->mem, pa, 8, v);
}

/* Table entries down to one page table covering the 2 MiB around the region. */
static void build_page_tables(void) {
    uint64_t upper = PTE_P | PTE_RW | PTE_US;
    put64(PML4_PA + 8 * ((DIFF_REGION >> 39) & 511), PDPT_PA | upper);
    put64(PDPT_PA + 8 * ((DIFF_REGION >> 30) & 511), PD_PA | upper);
    put64(PD_PA + 8 * ((DIFF_REGION >> 21) & 511), PT_PA | upper);
    for (unsigned i = 0; i < DIFF_REGION_PAGES; i++) {
        uint64_t lin = DIFF_REGION + (uint64_t)i * PAGE_SIZE;
        uint64_t pte = region_pa(lin) | PTE_P | PTE_US;
        if (lin == DIFF_GUARD)
            pte = 0;
        else if (lin == DIFF_RO)
            pte |= PTE_NX;
        else if (lin == DIFF_CODE64 || lin == DIFF_CODE32)
            pte |= PTE_RW;
        else
            pte |= PTE_RW | PTE_NX;
        put64(PT_PA + 8 * ((lin >> 12) & 511), pte);
    }
    put64(PT_PA + 8 * ((GDT_LIN >> 12) & 511), GDT_PA | PTE_P | PTE_RW | PTE_NX);
}

/* The host's GDT rebuilt from what LAR and LSL report at CPL 3 (bases 0:
 * CPL 3 cannot see them, and Linux's user segments are flat).  The upper
 * halves of 16-byte system descriptors stay zero. */
static void build_gdt(const DiffHostFacts *f) {
    for (unsigned i = 0; i < DIFF_GDT_ENTRIES; i++) {
        uint64_t desc = 0;
        if (f->gdt_valid[i]) {
            uint32_t ar = f->gdt_ar[i], limit = f->gdt_limit[i];
            if (ar & (1u << 23)) /* G: the descriptor holds the limit in pages */
                limit >>= 12;
            desc = (limit & 0xffffu) | (uint64_t)((ar >> 8) & 0xff) << 40 |
                   (uint64_t)((limit >> 16) & 0xf) << 48 | (uint64_t)((ar >> 20) & 0xf) << 52;
        }
        put64(GDT_PA + 8 * i, desc);
    }
    sim->cpu.gdtr = (DescTable){GDT_LIN, DIFF_GDT_ENTRIES * 8 - 1};
}

/* Some hosts keep the last page of the user half present but supervisor-only
 * (found by diff_host_top_page_present): mirror it, so accesses that stop
 * just short of the canonical boundary fault alike (#PF with P = 1). */
static void map_top_page(void) {
    uint64_t upper = PTE_P | PTE_RW | PTE_US;
    put64(PML4_PA + 8 * ((TOP_PAGE >> 39) & 511), TOP_PDPT_PA | upper);
    put64(TOP_PDPT_PA + 8 * ((TOP_PAGE >> 30) & 511), TOP_PD_PA | upper);
    put64(TOP_PD_PA + 8 * ((TOP_PAGE >> 21) & 511), TOP_PT_PA | upper);
    put64(TOP_PT_PA + 8 * ((TOP_PAGE >> 12) & 511), TOP_PAGE_PA | PTE_P | PTE_NX);
}

static Segment flat(uint16_t sel, uint32_t type, uint32_t extra) {
    return (Segment){sel, 0xffffffffu, type | AR_S | AR_P | (3u << AR_DPL_SHIFT) | AR_G | extra, 0};
}

static void setup_cpu(void) {
    CpuState *c = &sim->cpu;
    c->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
    c->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    c->cr3 = PML4_PA;
    c->efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
    uint32_t data = AR_TYPE_WRITABLE | AR_TYPE_ACCESSED;
    for (unsigned s = 0; s < 6; s++)
        c->seg[s] = flat(DIFF_SEL_DATA, data, AR_DB);
    c->seg[SEG_FS].selector = c->seg[SEG_GS].selector = 0;
    c->seg[SEG_LDTR] = (Segment){0, 0, AR_UNUSABLE, 0}; /* Linux: no LDT */
    /* A 64-bit TSS with no I/O permission bitmap: IN/OUT at CPL 3 is #GP. */
    c->seg[SEG_TR] = (Segment){0x40, 0x67, 0xb | AR_P, DIFF_GUARD};
    c->exception_stop_mask = ~UINT32_C(0);
    mem_tlb_flush_all(&c->tlb);
}

/* Run a NOP once at the start of each code page's pad: its 64-byte line stays
 * marked as decoded code, so rewriting the slot never takes the page from
 * "no code" to "code" again (which makes vmxsim rescan its TLB every case). */
static void keep_code_pages_marked(void) {
    static const uint8_t nop[] = {0x90, 0xcc};
    CpuState *c = &sim->cpu;
    for (unsigned compat = 0; compat < 2; compat++) {
        uint64_t at = (compat ? DIFF_CODE32 : DIFF_CODE64) + DIFF_PAD_OFFSET;
        (void)mem_phys_write_bytes(&sim->mem, region_pa(at), nop, sizeof(nop));
        DiffCase dc = {.compat = compat != 0};
        dc.in.rflags = 0x202;
        dc.in.mxcsr = 0x1f80;
        dc.in.fcw = 0x37f;
        load_state(c, &dc);
        c->RIP = at;
        (void)machine_run(sim, 1);
    }
}

bool diff_sim_init(const DiffHostFacts *facts, char *err, size_t errlen) {
    MachineConfig cfg = {.mem_size = RAM_SIZE};
    sim = machine_create(&cfg, err, errlen);
    if (!sim) return false;
    /* Every feature vmxsim knows: what it lacks shows as "unimplemented". */
    sim_model = *cpu_model_default();
    sim_model.name = "diff-all";
    sim_model.features = FEAT_COUNT == 64 ? ~UINT64_C(0) : (UINT64_C(1) << FEAT_COUNT) - 1;
    sim->cpu.model = &sim_model;
    build_page_tables();
    if (facts->top_page_present) map_top_page();
    static uint8_t pad[2 * PAGE_SIZE];
    memset(pad, 0xcc, sizeof(pad));
    (void)mem_phys_write_bytes(&sim->mem, region_pa(DIFF_CODE64), pad, sizeof(pad));
    (void)mem_phys_write_bytes(&sim->mem, region_pa(DIFF_RO), diff_ro_page(), PAGE_SIZE);
    setup_cpu();
    if (facts->xcr0) { /* XGETBV reads what the host's OS enabled */
        sim->cpu.cr4 |= CR4_OSXSAVE;
        sim->cpu.xcr0 = facts->xcr0;
    }
    if (facts->pke) { /* RDPKRU reads the host's PKRU */
        sim->cpu.cr4 |= CR4_PKE;
        sim->cpu.pkru = facts->pkru;
    }
    build_gdt(facts);
    keep_code_pages_marked();
    return true;
}

void diff_sim_fini(void) {
    machine_destroy(sim);
    sim = NULL;
}

/* FXRSTOR's tag rule (SDM Vol. 2 FXRSTOR, Table 3-55 "Recreating FSAVE
 * Format"): a non-empty register is zero, special or valid by its contents. */
static unsigned tag_of(const X87Reg *r) {
    unsigned exp = r->sign_exponent & 0x7fff;
    if (exp == 0x7fff) return 2;
    if (exp == 0) return r->significand == 0 ? 1 : 2;
    return (r->significand >> 63) ? 0 : 2;
}

static void load_x87(FpuState *f, const DiffRegs *in) {
    unsigned top = (in->fsw >> 11) & 7;
    f->fcw = in->fcw;
    f->fsw = in->fsw;
    f->ftw = 0;
    for (unsigned i = 0; i < 8; i++) {
        unsigned phys = (top + i) & 7;
        f->r[phys].significand = in->st[i][0];
        f->r[phys].sign_exponent = (uint16_t)in->st[i][1];
    }
    for (unsigned p = 0; p < 8; p++) {
        unsigned tag = (in->ftw >> p) & 1 ? tag_of(&f->r[p]) : 3;
        f->ftw = (uint16_t)(f->ftw | tag << (2 * p));
    }
    f->fop = 0;
    f->fip = f->fdp = 0;
    f->fcs = f->fds = 0;
}

static void store_x87(const FpuState *f, DiffRegs *out) {
    unsigned top = (f->fsw >> 11) & 7;
    out->fcw = f->fcw;
    out->fsw = f->fsw;
    out->ftw = 0;
    for (unsigned p = 0; p < 8; p++) {
        if (((f->ftw >> (2 * p)) & 3) != 3) out->ftw = (uint8_t)(out->ftw | 1u << p);
    }
    for (unsigned i = 0; i < 8; i++) {
        const X87Reg *r = &f->r[(top + i) & 7];
        out->st[i][0] = r->significand;
        out->st[i][1] = r->sign_exponent;
    }
}

static void load_state(CpuState *c, const DiffCase *dc) {
    memcpy(c->gpr, dc->in.gpr, sizeof(dc->in.gpr));
    c->RIP = dc->compat ? DIFF_INSN32 : DIFF_INSN64;
    uint32_t code = AR_TYPE_CODE | AR_TYPE_WRITABLE | AR_TYPE_ACCESSED;
    c->seg[SEG_CS] =
        dc->compat ? flat(DIFF_SEL_CODE32, code, AR_DB) : flat(DIFF_SEL_CODE64, code, AR_L);
    uint32_t data = AR_TYPE_WRITABLE | AR_TYPE_ACCESSED;
    c->seg[SEG_SS] = c->seg[SEG_DS] = c->seg[SEG_ES] = flat(DIFF_SEL_DATA, data, AR_DB);
    cpu_set_rflags(c, dc->in.rflags);
    memcpy(c->fpu.xmm, dc->in.xmm, sizeof(dc->in.xmm));
    c->fpu.mxcsr = dc->in.mxcsr;
    load_x87(&c->fpu, &dc->in);
    c->fault = (PendingFault){0};
    c->activity = ACTIVITY_ACTIVE;
    c->sti_shadow = c->movss_shadow = false;
    cpu_update_mode(c);
}

static void store_result(const CpuState *c, MachineStop stop, DiffResult *out) {
    memcpy(out->regs.gpr, c->gpr, sizeof(out->regs.gpr));
    out->regs.rip = c->RIP;
    out->regs.rflags = cpu_get_rflags(c);
    memcpy(out->regs.xmm, c->fpu.xmm, sizeof(out->regs.xmm));
    out->regs.mxcsr = c->fpu.mxcsr;
    store_x87(&c->fpu, &out->regs);
    out->regs.sel[DIFF_SEL_CS] = c->seg[SEG_CS].selector;
    out->regs.sel[DIFF_SEL_SS] = c->seg[SEG_SS].selector;
    out->regs.sel[DIFF_SEL_DS] = c->seg[SEG_DS].selector;
    out->regs.sel[DIFF_SEL_ES] = c->seg[SEG_ES].selector;
    out->vector = DIFF_NO_FAULT;
    out->error = 0;
    out->cr2 = 0;
    if (stop == STOP_EXCEPTION) {
        out->vector = c->fault.vector;
        out->error = c->fault.has_error ? c->fault.error : 0;
        out->cr2 = c->fault.vector == EXC_PF ? c->fault.address : 0;
    } else if (stop != STOP_BUDGET) {
        out->vector = 0x100 + (int)stop; /* halted, shut down...: never equal to a host vector */
    }
}

void diff_sim_run(const DiffCase *dc, DiffResult *out) {
    uint64_t slot = dc->compat ? DIFF_INSN32 : DIFF_INSN64;
    uint8_t code[32];
    memset(code, 0xcc, sizeof(code));
    memcpy(code, dc->bytes, dc->len);
    (void)mem_phys_write_bytes(&sim->mem, region_pa(slot), code, sizeof(code));
    (void)mem_phys_write_bytes(&sim->mem, region_pa(DIFF_SCRATCH), dc->mem, DIFF_SCRATCH_SIZE);
    load_state(&sim->cpu, dc);
    MachineStop stop = machine_run(sim, 1);
    store_result(&sim->cpu, stop, out);
    mem_phys_read_bytes(&sim->mem, region_pa(DIFF_SCRATCH), out->mem, DIFF_SCRATCH_SIZE);
}
