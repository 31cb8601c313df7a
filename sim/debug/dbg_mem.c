/* Side-effect-free guest memory access for the debugger (dbg_mem.h). */
#include "sim/debug/dbg_mem.h"

#include "sim/mem/paging.h"

bool dbg_translate(const CpuState *cpu, uint64_t lin, uint64_t *pa) {
    if (!(cpu->cr0 & CR0_PG)) {
        *pa = cpu->mode == MODE_LONG64 ? lin : lin & 0xffffffffu;
        return true;
    }
    PagingRegs regs = {cpu->cr0, cpu->cr3, cpu->cr4, cpu->efer, cpu->pdpte};
    PageWalk w;
    if (!mem_page_walk(cpu->mem, &regs, lin, &w)) return false;
    *pa = w.phys;
    return true;
}

/* The physical address of byte i and how many bytes follow it on its page. */
static bool locate(const CpuState *cpu, DbgAddr a, size_t i, uint64_t *pa, size_t *run) {
    uint64_t at = a.addr + i;
    *run = PAGE_SIZE - (at & (PAGE_SIZE - 1));
    if (a.phys) {
        *pa = at;
        return true;
    }
    return dbg_translate(cpu, at, pa);
}

static size_t access(const CpuState *cpu, DbgAddr a, uint8_t *rbuf, const uint8_t *wbuf,
                     size_t len) {
    size_t done = 0;
    while (done < len) {
        uint64_t pa;
        size_t run;
        if (!locate(cpu, a, done, &pa, &run)) break;
        if (run > len - done) run = len - done;
        if (!mem_is_plain_ram(cpu->mem, pa, run)) break;
        if (rbuf)
            mem_phys_read_bytes(cpu->mem, pa, rbuf + done, run);
        else
            (void)mem_phys_write_bytes(cpu->mem, pa, wbuf + done, run);
        done += run;
    }
    return done;
}

size_t dbg_mem_read(const CpuState *cpu, DbgAddr a, void *buf, size_t len) {
    return access(cpu, a, buf, NULL, len);
}

size_t dbg_mem_write(CpuState *cpu, DbgAddr a, const void *buf, size_t len) {
    return access(cpu, a, NULL, buf, len);
}
