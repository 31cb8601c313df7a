/* Hardware task switching; see task_switch.h.  Steps are numbered as in
 * SDM 7.3 "Task Switching" (newer revisions: 8.3, Table 8-1). */
#include "sim/cpu/task_switch.h"

#include "sim/cpu/access.h"
#include "sim/cpu/debug_regs.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/pae_pdpte.h"
#include "sim/cpu/stack.h"
#include "sim/cpu/v86.h"

#include <string.h>

/* Where a TSS keeps the task state (SDM 7.2.1 Figure 7-2 "32-Bit
 * Task-State Segment (TSS)", 7.6 Figure 7-10 "16-Bit TSS Format").
 * Register fields are `width` bytes; the eight GPRs (EAX..EDI) and the
 * selectors (ES, CS, SS, DS, FS, GS: the Sreg order) are consecutive. */
typedef struct TssLayout {
    unsigned width;
    unsigned min_limit; /* the least limit of a new TSS (Table 7-1, #TS) */
    unsigned ip, flags, gpr, seg, nseg, ldt;
    int cr3, trap; /* -1: a 16-bit TSS has no such field */
} TssLayout;

static const TssLayout tss32 = {4, 0x67, 0x20, 0x24, 0x28, 0x48, 6, 0x60, 0x1c, 0x64};
static const TssLayout tss16 = {2, 0x2b, 0x0e, 0x10, 0x12, 0x22, 4, 0x2a, -1, -1};

/* SDM 7.2.2 "TSS Descriptor": type bit 3 tells a 32-bit TSS from a 16-bit one. */
static const TssLayout *tss_layout(const Segment *tss)
{
    return (tss->ar & 0x8) ? &tss32 : &tss16;
}

/* The last byte of the dynamic fields written when a task is suspended. */
static unsigned save_end(const TssLayout *l) { return l->seg + l->nseg * l->width - 1; }

typedef struct TssImage {
    uint64_t ip, flags, gpr[8], cr3;
    uint16_t seg[6], ldt;
    bool trap;
} TssImage;

typedef enum TaskSource { FROM_JMP, FROM_CALL, FROM_IRET, FROM_EVENT } TaskSource;

/* One task switch in progress. */
typedef struct TaskSwitch {
    TaskSource src;
    uint16_t sel;   /* new TSS selector */
    Segment tss;    /* its descriptor */
    TssImage img;   /* the state read from the new TSS */
    uint32_t ext;   /* EXT bit of every error code (SDM 6.13 "Error Code") */
    bool has_error; /* an exception's error code, pushed on the new stack */
    uint32_t error;
    bool new_pdptes;  /* PAE paging and a new CR3: the PDPTEs read from it */
    uint64_t pdpte[4];
} TaskSwitch;

/* TSS accesses are implicit supervisor-mode accesses (SDM 4.6). */
static uint64_t tss_lin(const Segment *tss, unsigned off) { return (tss->base + off) & 0xffffffffu; }

static SimStatus tss_get(CpuState *cpu, const Segment *tss, unsigned off, unsigned size,
                         uint64_t *v)
{
    return cpu_lin_read_slow(cpu, tss_lin(tss, off), size, v, true);
}

static SimStatus tss_put(CpuState *cpu, const Segment *tss, unsigned off, unsigned size,
                         uint64_t v)
{
    return cpu_lin_write_slow(cpu, tss_lin(tss, off), size, v, true);
}

/* Linear address of the type byte of a GDT descriptor (the busy flag). */
static uint64_t desc_type_lin(const CpuState *cpu, uint16_t sel)
{
    return (cpu->gdtr.base + (sel & 0xfff8u) + 5) & 0xffffffffu;
}

/* The new task's state, read before anything changes (7.3 steps 5, 12). */
static SimStatus read_image(CpuState *cpu, const Segment *tss, TssImage *img)
{
    const TssLayout *l = tss_layout(tss);
    uint64_t v;
    *img = (TssImage){0};
    if (tss_get(cpu, tss, l->ip, l->width, &img->ip) != SIM_OK ||
        tss_get(cpu, tss, l->flags, l->width, &img->flags) != SIM_OK ||
        tss_get(cpu, tss, l->ldt, 2, &v) != SIM_OK)
        return SIM_FAULT;
    img->ldt = (uint16_t)v;
    for (unsigned i = 0; i < 8; i++) {
        if (tss_get(cpu, tss, l->gpr + i * l->width, l->width, &img->gpr[i]) != SIM_OK)
            return SIM_FAULT;
    }
    for (unsigned s = 0; s < l->nseg; s++) {
        if (tss_get(cpu, tss, l->seg + s * l->width, 2, &v) != SIM_OK)
            return SIM_FAULT;
        img->seg[s] = (uint16_t)v;
    }
    if (l->cr3 >= 0 && tss_get(cpu, tss, (unsigned)l->cr3, 4, &img->cr3) != SIM_OK)
        return SIM_FAULT;
    if (l->trap >= 0 && tss_get(cpu, tss, (unsigned)l->trap, 2, &v) != SIM_OK)
        return SIM_FAULT;
    img->trap = l->trap >= 0 && (v & 1);
    return SIM_OK;
}

/* 7.3 step 5: what the switch writes is paged in and writable; a #PF here
 * comes before the commit point. */
static SimStatus probe_write(CpuState *cpu, uint64_t lin, unsigned len)
{
    uint64_t phys, last = (lin + len - 1) & 0xffffffffu;
    if (cpu_translate(cpu, lin, ACC_WRITE, true, &phys) != SIM_OK)
        return SIM_FAULT;
    if ((last & PAGE_MASK) == (lin & PAGE_MASK))
        return SIM_OK;
    return cpu_translate(cpu, last & PAGE_MASK, ACC_WRITE, true, &phys);
}

/* SDM 4.4.1 "PDPTE Registers": "If PAE paging is in use and a task switch
 * changes the value of CR3, the PDPTEs are loaded from the address in the
 * new CR3 value" (a 16-bit TSS has no CR3).  7.3 step 12 loads CR3, and an
 * error there is handled "in the prior execution environment": vmxsim reads
 * the PDPTEs before anything is saved, so a reserved bit in a present one
 * is #GP(0) (as for MOV to CR3; EXT as for every fault of the switch) with
 * the old task untouched. */
static SimStatus read_new_pdptes(CpuState *cpu, TaskSwitch *t)
{
    t->new_pdptes = tss_layout(&t->tss)->cr3 >= 0 &&
                    cpu_pae_paging(cpu->cr0, cpu->cr4, cpu->efer) && t->img.cr3 != cpu->cr3;
    if (!t->new_pdptes)
        return SIM_OK;
    return cpu_read_pdptes(cpu, t->img.cr3, t->ext, t->pdpte);
}

/* Everything that can fault before the commit point, in Table 7-1 / Table
 * 6-6 "Invalid TSS Conditions" order: the new TSS limit (#TS(new TSS)),
 * the old TSS able to take the saved state (#TS(old TSS)), the pages, then
 * the new task's PDPTEs. */
static SimStatus prepare(CpuState *cpu, TaskSwitch *t)
{
    const Segment *old = &cpu->seg[SEG_TR];
    const TssLayout *ol = tss_layout(old);
    if (t->tss.limit < tss_layout(&t->tss)->min_limit)
        return cpu_raise(cpu, EXC_TS, (t->sel & 0xfffcu) | t->ext);
    if ((old->ar & AR_UNUSABLE) || old->limit < save_end(ol))
        return cpu_raise(cpu, EXC_TS, (old->selector & 0xfffcu) | t->ext);
    if (read_image(cpu, &t->tss, &t->img) != SIM_OK ||
        probe_write(cpu, tss_lin(old, ol->ip), save_end(ol) + 1 - ol->ip) != SIM_OK)
        return SIM_FAULT;
    bool clears_old = t->src == FROM_JMP || t->src == FROM_IRET;
    bool nests = t->src == FROM_CALL || t->src == FROM_EVENT;
    if ((clears_old && probe_write(cpu, desc_type_lin(cpu, old->selector), 1) != SIM_OK) ||
        (t->src != FROM_IRET && probe_write(cpu, desc_type_lin(cpu, t->sel), 1) != SIM_OK) ||
        (nests && probe_write(cpu, tss_lin(&t->tss, 0), 2) != SIM_OK))
        return SIM_FAULT;
    return read_new_pdptes(cpu, t);
}

/* 7.3 steps 6-8: the old task's busy flag (cleared by JMP and IRET) and
 * its dynamic state; IRET saves EFLAGS with NT cleared. */
static SimStatus save_old_task(CpuState *cpu, const TaskSwitch *t)
{
    const Segment *old = &cpu->seg[SEG_TR];
    const TssLayout *l = tss_layout(old);
    uint64_t flags = cpu_get_rflags(cpu);
    if (t->src == FROM_IRET)
        flags &= ~(uint64_t)RFLAGS_NT;
    if ((t->src == FROM_JMP || t->src == FROM_IRET) &&
        cpu_set_tss_busy(cpu, old->selector, false) != SIM_OK)
        return SIM_FAULT;
    if (tss_put(cpu, old, l->ip, l->width, cpu->RIP) != SIM_OK ||
        tss_put(cpu, old, l->flags, l->width, flags) != SIM_OK)
        return SIM_FAULT;
    for (unsigned i = 0; i < 8; i++) {
        if (tss_put(cpu, old, l->gpr + i * l->width, l->width, cpu->gpr[i]) != SIM_OK)
            return SIM_FAULT;
    }
    for (unsigned s = 0; s < l->nseg; s++) {
        if (tss_put(cpu, old, l->seg + s * l->width, 2, cpu->seg[s].selector) != SIM_OK)
            return SIM_FAULT;
    }
    return SIM_OK;
}

/* SDM 7.4 "Task Linking": CALL and events store the old TSS selector in the
 * new TSS's previous-task link; 7.3 step 10: all but IRET set the new busy flag. */
static SimStatus link_new_task(CpuState *cpu, const TaskSwitch *t)
{
    if ((t->src == FROM_CALL || t->src == FROM_EVENT) &&
        tss_put(cpu, &t->tss, 0, 2, cpu->seg[SEG_TR].selector) != SIM_OK)
        return SIM_FAULT;
    if (t->src != FROM_IRET && cpu_set_tss_busy(cpu, t->sel, true) != SIM_OK)
        return SIM_FAULT;
    return SIM_OK;
}

/* 7.3 steps 9, 11, 12: TR, EFLAGS (NT set by CALL and events), EIP, the
 * GPRs, CR3 when paging is on, and the selectors, whose descriptors step 13
 * loads (until then the registers are unusable, with CPL = CS.RPL).  CR0.TS
 * is set on every task switch (SDM 2.5 "Control Registers"), and DR7.L0-L3
 * are cleared (SDM 17.2.4 "Debug Control Register (DR7)": "The processor
 * automatically clears these flags on every task switch").  A 16-bit TSS
 * (7.6) loads no CR3 and leaves the upper GPR halves "modified and not
 * maintained": vmxsim sets them to FFFFH. */
static void load_registers(CpuState *cpu, const TaskSwitch *t)
{
    const TssLayout *l = tss_layout(&t->tss);
    const TssImage *img = &t->img;
    Segment tr = t->tss;
    tr.ar |= 2;
    cpu->seg[SEG_TR] = tr;
    cpu->cr0 |= CR0_TS;
    cpu->dr[7] &= ~(uint64_t)DR7_LOCAL_MASK;
    uint64_t flags = img->flags;
    if (t->src == FROM_CALL || t->src == FROM_EVENT)
        flags |= RFLAGS_NT;
    cpu_set_rflags(cpu, (flags & RFLAGS_DEFINED) | RFLAGS_FIXED1);
    cpu->RIP = img->ip;
    for (unsigned i = 0; i < 8; i++)
        cpu->gpr[i] = l->width == 4 ? img->gpr[i] : (UINT64_C(0xffff0000) | img->gpr[i]);
    if (l->cr3 >= 0 && (cpu->cr0 & CR0_PG)) {
        cpu->cr3 = img->cr3;
        mem_tlb_flush_nonglobal(&cpu->tlb);
    }
    if (t->new_pdptes)
        memcpy(cpu->pdpte, t->pdpte, sizeof(t->pdpte));
    uint32_t cpl = img->seg[SEG_CS] & 3u;
    for (unsigned s = SEG_ES; s <= SEG_GS; s++)
        cpu->seg[s] = (Segment){img->seg[s], 0, AR_UNUSABLE | (cpl << AR_DPL_SHIFT), 0};
    cpu->seg[SEG_LDTR] = (Segment){img->ldt, 0, AR_UNUSABLE, 0};
    cpu_update_mode(cpu);
}

static SimStatus task_fault(CpuState *cpu, unsigned vector, uint16_t sel, uint32_t ext)
{
    return cpu_raise(cpu, vector, (sel & 0xfffcu) | ext);
}

/* A selector of the new task: outside its table is #TS(selector). */
static SimStatus task_descriptor(CpuState *cpu, uint16_t sel, uint32_t ext, Descriptor *d,
                                 Segment *s)
{
    if (!cpu_selector_in_table(cpu, sel, 8))
        return task_fault(cpu, EXC_TS, sel, ext);
    if (cpu_read_descriptor(cpu, sel, false, d) != SIM_OK)
        return SIM_FAULT;
    *s = cpu_descriptor_to_segment(d, sel, false);
    return SIM_OK;
}

/* Table 7-1 "LDT segment selector of new task is valid", "LDT of new task
 * is present in memory": both #TS(LDT).  Null: LDTR stays unusable. */
static SimStatus load_ldtr(CpuState *cpu, uint16_t sel, uint32_t ext)
{
    Descriptor d;
    Segment s;
    if ((sel & 0xfffc) == 0)
        return SIM_OK;
    if (sel & 4)
        return task_fault(cpu, EXC_TS, sel, ext);
    if (task_descriptor(cpu, sel, ext, &d, &s) != SIM_OK)
        return SIM_FAULT;
    if ((s.ar & AR_S) || (s.ar & AR_TYPE_MASK) != DESC_LDT || !(s.ar & AR_P))
        return task_fault(cpu, EXC_TS, sel, ext);
    cpu->seg[SEG_LDTR] = s;
    return SIM_OK;
}

/* Table 7-1 "SS segment selector is valid" (#TS), "Stack segment is present
 * in memory" (#SS), "Stack segment DPL matches CPL" and "Stack segment DPL
 * matches selector RPL" (#TS). */
static SimStatus load_ss(CpuState *cpu, uint16_t sel, unsigned cpl, uint32_t ext)
{
    Descriptor d;
    Segment s;
    if ((sel & 0xfffc) == 0)
        return task_fault(cpu, EXC_TS, sel, ext);
    if (task_descriptor(cpu, sel, ext, &d, &s) != SIM_OK)
        return SIM_FAULT;
    if (!(s.ar & AR_S) || (s.ar & AR_TYPE_CODE) || !(s.ar & AR_TYPE_WRITABLE))
        return task_fault(cpu, EXC_TS, sel, ext);
    if (!(s.ar & AR_P))
        return task_fault(cpu, EXC_SS, sel, ext);
    if (seg_dpl(&s) != cpl || (sel & 3u) != cpl)
        return task_fault(cpu, EXC_TS, sel, ext);
    if (cpu_set_descriptor_accessed(cpu, sel) != SIM_OK)
        return SIM_FAULT;
    s.ar |= AR_TYPE_ACCESSED;
    cpu->seg[SEG_SS] = s;
    return SIM_OK;
}

/* Table 7-1 "CS segment selector is valid", "Code segment DPL matches
 * segment selector RPL" (conforming: DPL <= RPL) (#TS), "Code segment is
 * present in memory" (#NP).  The new CPL is CS.RPL. */
static SimStatus load_cs(CpuState *cpu, uint16_t sel, uint32_t ext)
{
    Descriptor d;
    Segment s;
    unsigned rpl = sel & 3u;
    if ((sel & 0xfffc) == 0)
        return task_fault(cpu, EXC_TS, sel, ext);
    if (task_descriptor(cpu, sel, ext, &d, &s) != SIM_OK)
        return SIM_FAULT;
    bool code = (s.ar & AR_S) && (s.ar & AR_TYPE_CODE), conforming = s.ar & 0x4;
    if (!code || (conforming ? seg_dpl(&s) > rpl : seg_dpl(&s) != rpl))
        return task_fault(cpu, EXC_TS, sel, ext);
    if (!(s.ar & AR_P))
        return task_fault(cpu, EXC_NP, sel, ext);
    if (cpu_set_descriptor_accessed(cpu, sel) != SIM_OK)
        return SIM_FAULT;
    cpu_load_code_segment(cpu, &d, sel, rpl);
    return SIM_OK;
}

/* Table 7-1 rows for DS, ES, FS and GS: valid, a data or readable code
 * segment (#TS), present (#NP), DPL >= CPL and RPL unless conforming code
 * (#TS).  A null selector leaves the register unusable. */
static SimStatus load_data(CpuState *cpu, unsigned seg, uint16_t sel, unsigned cpl, uint32_t ext)
{
    Descriptor d;
    Segment s;
    if ((sel & 0xfffc) == 0)
        return SIM_OK;
    if (task_descriptor(cpu, sel, ext, &d, &s) != SIM_OK)
        return SIM_FAULT;
    bool code = s.ar & AR_TYPE_CODE, conforming = code && (s.ar & 0x4);
    if (!(s.ar & AR_S) || (code && !(s.ar & AR_TYPE_WRITABLE)))
        return task_fault(cpu, EXC_TS, sel, ext);
    if (!(s.ar & AR_P))
        return task_fault(cpu, EXC_NP, sel, ext);
    if (!conforming && (seg_dpl(&s) < cpl || seg_dpl(&s) < (sel & 3u)))
        return task_fault(cpu, EXC_TS, sel, ext);
    if (cpu_set_descriptor_accessed(cpu, sel) != SIM_OK)
        return SIM_FAULT;
    s.ar |= AR_TYPE_ACCESSED;
    cpu->seg[seg] = s;
    return SIM_OK;
}

/* 7.3 step 13, after the commit point: Table 7-1's checks grouped by
 * register (LDTR, SS, CS, then ES, DS, FS, GS; the table's exact order is
 * model specific).  The first failure stops the loads: the registers not
 * yet loaded keep their new selectors with unusable caches.  A task whose
 * EFLAGS.VM = 1 gets virtual-8086 segments (SDM 20.2.5 "Entering
 * Virtual-8086 Mode", task-switch case). */
static SimStatus load_segments(CpuState *cpu, const TaskSwitch *t)
{
    static const unsigned data[] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};
    const uint16_t *sel = t->img.seg;
    unsigned cpl = sel[SEG_CS] & 3u;
    if (load_ldtr(cpu, t->img.ldt, t->ext) != SIM_OK)
        return SIM_FAULT;
    if (cpu->rflags & RFLAGS_VM) {
        cpu_v86_load_segments(cpu, sel);
        return SIM_OK;
    }
    if (load_ss(cpu, sel[SEG_SS], cpl, t->ext) != SIM_OK ||
        load_cs(cpu, sel[SEG_CS], t->ext) != SIM_OK)
        return SIM_FAULT;
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(data); i++) {
        if (load_data(cpu, data[i], sel[data[i]], cpl, t->ext) != SIM_OK)
            return SIM_FAULT;
    }
    return SIM_OK;
}

/* In the new task: the exception's error code (#SS(0) if it does not fit),
 * the EIP limit check (#GP(EXT)), and the T flag's debug trap (SDM Vol. 2
 * INT n / JMP / CALL "TASK-GATE"; 7.2.1 "T (debug trap) flag"). */
static SimStatus finish(CpuState *cpu, const TaskSwitch *t)
{
    if (t->has_error && cpu_push(cpu, tss_layout(&t->tss)->width, t->error) != SIM_OK)
        return SIM_FAULT;
    if (cpu->RIP > cpu->seg[SEG_CS].limit)
        return cpu_raise(cpu, EXC_GP, t->ext);
    if (t->img.trap) {
        cpu->dr[6] |= DR6_BT;
        return cpu_raise(cpu, EXC_DB, 0);
    }
    return SIM_OK;
}

static SimStatus switch_tasks(CpuState *cpu, TaskSwitch *t, bool *committed)
{
    *committed = false;
    if (prepare(cpu, t) != SIM_OK || save_old_task(cpu, t) != SIM_OK ||
        link_new_task(cpu, t) != SIM_OK)
        return SIM_FAULT;
    load_registers(cpu, t);
    *committed = true; /* 7.3: "the processor commits to the task switch" */
    if (load_segments(cpu, t) != SIM_OK)
        return SIM_FAULT;
    return finish(cpu, t);
}

/* A switch started by an instruction: a fault after the commit point is
 * delivered at once, in the new task with its EIP (a SIM_FAULT would make
 * the interpreter loop restore the old task's RIP). */
static SimStatus instruction_switch(CpuState *cpu, TaskSwitch *t)
{
    bool committed;
    if (switch_tasks(cpu, t, &committed) == SIM_OK)
        return SIM_OK;
    return committed ? cpu_events_deliver_fault(cpu) : SIM_FAULT;
}

/* The TSS a task gate names (Vol. 2 JMP/CALL/INT n "TASK-GATE"): in the GDT
 * and within its limit, an available TSS (else #GP), present (else #NP). */
static SimStatus gate_tss(CpuState *cpu, uint16_t sel, uint32_t ext, Descriptor *d)
{
    uint32_t err = (sel & 0xfffcu) | ext;
    if ((sel & 4) || !cpu_selector_in_table(cpu, sel, 8))
        return cpu_raise(cpu, EXC_GP, err);
    if (cpu_read_descriptor(cpu, sel, false, d) != SIM_OK)
        return SIM_FAULT;
    unsigned s_type = (d->lo >> 40) & 0x1f; /* S and type */
    if (s_type != DESC_TSS32_AVAIL && s_type != DESC_TSS16_AVAIL)
        return cpu_raise(cpu, EXC_GP, err);
    if (!(d->lo & (UINT64_C(1) << 47)))
        return cpu_raise(cpu, EXC_NP, err);
    return SIM_OK;
}

SimStatus cpu_task_far(CpuState *cpu, uint16_t sel, const Descriptor *desc, bool call)
{
    Segment s = cpu_descriptor_to_segment(desc, sel, false);
    unsigned dpl = seg_dpl(&s);
    TaskSwitch t = {.src = call ? FROM_CALL : FROM_JMP, .sel = sel};
    Descriptor tss = *desc;
    /* 7.3 step 2: CPL and the selector's RPL must not exceed the DPL of the
     * task gate or TSS descriptor. */
    if (dpl < cpu->cpl || dpl < (sel & 3u))
        return cpu_raise(cpu, EXC_GP, sel & 0xfffcu);
    if ((s.ar & AR_TYPE_MASK) == DESC_TASK_GATE) {
        if (!(s.ar & AR_P))
            return cpu_raise(cpu, EXC_NP, sel & 0xfffcu);
        t.sel = (uint16_t)(desc->lo >> 16);
        if (gate_tss(cpu, t.sel, 0, &tss) != SIM_OK)
            return SIM_FAULT;
    } else if ((sel & 4) || (s.ar & 0x2)) { /* Table 7-1: in the GDT, not busy */
        return cpu_raise(cpu, EXC_GP, sel & 0xfffcu);
    } else if (!(s.ar & AR_P)) {
        return cpu_raise(cpu, EXC_NP, sel & 0xfffcu);
    }
    t.tss = cpu_descriptor_to_segment(&tss, t.sel, false);
    return instruction_switch(cpu, &t);
}

/* Vol. 2 IRET "TASK-RETURN": the link must name a busy TSS in the GDT
 * (#TS(link) otherwise, Table 6-6) that is present (#NP(link)). */
SimStatus cpu_task_return(CpuState *cpu)
{
    uint64_t link;
    Descriptor d;
    if (tss_get(cpu, &cpu->seg[SEG_TR], 0, 2, &link) != SIM_OK)
        return SIM_FAULT;
    uint16_t sel = (uint16_t)link;
    if ((sel & 4) || !cpu_selector_in_table(cpu, sel, 8))
        return cpu_raise(cpu, EXC_TS, sel & 0xfffcu);
    if (cpu_read_descriptor(cpu, sel, false, &d) != SIM_OK)
        return SIM_FAULT;
    unsigned s_type = (d.lo >> 40) & 0x1f;
    if (s_type != DESC_TSS32_BUSY && s_type != DESC_TSS16_BUSY)
        return cpu_raise(cpu, EXC_TS, sel & 0xfffcu);
    if (!(d.lo & (UINT64_C(1) << 47)))
        return cpu_raise(cpu, EXC_NP, sel & 0xfffcu);
    TaskSwitch t = {.src = FROM_IRET, .sel = sel, .tss = cpu_descriptor_to_segment(&d, sel, false)};
    return instruction_switch(cpu, &t);
}

SimStatus cpu_task_gate_event(CpuState *cpu, uint16_t tss_sel, uint32_t ext, bool has_error,
                              uint32_t error, bool *committed)
{
    Descriptor d;
    *committed = false;
    if (gate_tss(cpu, tss_sel, ext, &d) != SIM_OK)
        return SIM_FAULT;
    TaskSwitch t = {.src = FROM_EVENT, .sel = tss_sel, .ext = ext, .has_error = has_error,
                    .error = error};
    t.tss = cpu_descriptor_to_segment(&d, tss_sel, false);
    return switch_tasks(cpu, &t, committed);
}
