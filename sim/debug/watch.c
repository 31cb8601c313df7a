/* Watchpoints (watch.h). */
#include "sim/debug/watch.h"

#include <string.h>

#include "sim/cpu/access.h"
#include "sim/debug/disas.h"

/* The value of a register that can address memory. */
static uint64_t reg_value(const CpuState *cpu, ZydisMachineMode mode, ZydisRegister r,
                          uint64_t next_rip) {
    if (r == ZYDIS_REGISTER_NONE) return 0;
    if (r == ZYDIS_REGISTER_RIP || r == ZYDIS_REGISTER_EIP || r == ZYDIS_REGISTER_IP)
        return next_rip;
    ZydisRegister big = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r);
    if (big < ZYDIS_REGISTER_RAX || big > ZYDIS_REGISTER_R15) return 0;
    unsigned width = ZydisRegisterGetWidth(mode, r);
    uint64_t v = cpu->gpr[big - ZYDIS_REGISTER_RAX];
    return width >= 64 ? v : v & ((UINT64_C(1) << width) - 1);
}

static unsigned seg_index(ZydisRegister r) {
    switch (r) {
    case ZYDIS_REGISTER_ES:
        return SEG_ES;
    case ZYDIS_REGISTER_CS:
        return SEG_CS;
    case ZYDIS_REGISTER_SS:
        return SEG_SS;
    case ZYDIS_REGISTER_FS:
        return SEG_FS;
    case ZYDIS_REGISTER_GS:
        return SEG_GS;
    default:
        return SEG_DS;
    }
}

/* SDM Vol. 1 3.7.5 "Specifying an Offset": base + index * scale + displacement,
 * truncated to the address size, then the segment base. */
static uint64_t operand_linear(const CpuState *cpu, const DbgInsn *d,
                               const ZydisDecodedOperand *o) {
    ZydisMachineMode mode = d->zi.machine_mode;
    uint64_t next = cpu->RIP + d->zi.length;
    uint64_t off = reg_value(cpu, mode, o->mem.base, next) +
                   reg_value(cpu, mode, o->mem.index, next) * (o->mem.scale ? o->mem.scale : 1) +
                   (uint64_t)o->mem.disp.value;
    if (d->zi.address_width < 64) off &= (UINT64_C(1) << d->zi.address_width) - 1;
    return cpu_seg_linear_unchecked(cpu, seg_index(o->mem.segment), off);
}

static void note(DbgAccesses *acc, uint64_t lin, unsigned size, unsigned kind) {
    if (acc->count < DBG_MAX_ACCESSES && kind)
        acc->a[acc->count++] = (DbgAccess){lin, size ? size : 1, kind};
}

static void insn_accesses(const CpuState *cpu, DbgAccesses *acc) {
    DbgInsn d;
    DbgAddr rip = {cpu_seg_linear_unchecked(cpu, SEG_CS, cpu->RIP), false};
    if (!dbg_decode(cpu, rip, &d)) return;
    for (unsigned i = 0; i < d.zi.operand_count; i++) {
        const ZydisDecodedOperand *o = &d.op[i];
        if (o->type != ZYDIS_OPERAND_TYPE_MEMORY || o->mem.type == ZYDIS_MEMOP_TYPE_AGEN) continue;
        unsigned kind = ((o->actions & ZYDIS_OPERAND_ACTION_MASK_READ) ? WATCH_READ : 0) |
                        ((o->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) ? WATCH_WRITE : 0);
        note(acc, operand_linear(cpu, &d, o), o->size / 8, kind);
    }
}

static void snapshot(const CpuState *cpu, DbgBreakpoint *b) {
    b->seen_valid = dbg_mem_read(cpu, b->addr, b->seen, b->len) == b->len;
}

void dbg_watch_before(DbgBreakpoints *l, const CpuState *cpu, DbgAccesses *acc) {
    acc->count = 0;
    bool any = false;
    for (size_t i = 0; i < l->count; i++) {
        DbgBreakpoint *b = &l->bp[i];
        if (b->kind != BP_WATCH) continue;
        any = true;
        if (!b->seen_valid && (b->access & WATCH_WRITE)) snapshot(cpu, b);
    }
    if (any) insn_accesses(cpu, acc);
}

static bool overlaps(const CpuState *cpu, const DbgBreakpoint *b, uint64_t lin, unsigned size) {
    uint64_t start = lin, pa;
    if (b->addr.phys) {
        if (!dbg_translate(cpu, lin, &pa)) return false;
        start = pa;
    }
    return start < b->addr.addr + b->len && b->addr.addr < start + size;
}

static bool changed(const CpuState *cpu, DbgBreakpoint *b) {
    uint8_t now[DBG_WATCH_MAX];
    bool was_valid = b->seen_valid;
    bool valid = dbg_mem_read(cpu, b->addr, now, b->len) == b->len;
    bool differ = valid != was_valid || (valid && memcmp(now, b->seen, b->len) != 0);
    memcpy(b->seen, now, b->len);
    b->seen_valid = valid;
    return differ;
}

DbgBreakpoint *dbg_watch_after(DbgBreakpoints *l, const CpuState *cpu, const DbgAccesses *acc) {
    DbgBreakpoint *hit = NULL;
    for (size_t i = 0; i < l->count; i++) {
        DbgBreakpoint *b = &l->bp[i];
        if (b->kind != BP_WATCH) continue;
        bool h = (b->access & WATCH_WRITE) && changed(cpu, b);
        for (unsigned k = 0; k < acc->count && !h; k++)
            h = (acc->a[k].kind & b->access) && overlaps(cpu, b, acc->a[k].lin, acc->a[k].size);
        if (h && !hit) hit = b;
    }
    return hit;
}
