/* Decoded-instruction cache: lookup, block decoding, invalidation by page generation. */
#include "sim/cpu/decode_cache.h"

#include <stdlib.h>
#include <string.h>

#include "sim/cpu/access.h"
#include "sim/cpu/exceptions.h"

#define MAX_INSN_BYTES 15 /* SDM Vol. 2 2.3.11 */

struct DecodeCache *cpu_cache_create(void)
{
    DecodeCache *c = malloc(sizeof(*c));
    if (!c)
        return NULL;
    cpu_decoders_init(&c->decoders);
    c->reported_count = 0;
    c->hits = c->misses = c->flushes = 0;
    cpu_cache_flush(c);
    return c;
}

void cpu_cache_destroy(struct DecodeCache *c) { free(c); }

void cpu_cache_flush(DecodeCache *c)
{
    for (unsigned i = 0; i < CACHE_INDEX_SIZE; i++)
        c->index[i].phys = UINT64_MAX;
    c->arena_used = 0;
    c->flushes++;
}

static unsigned block_slot(uint64_t phys, CpuMode mode)
{
    uint64_t h = (phys ^ ((uint64_t)mode << 40)) * UINT64_C(0x9e3779b97f4a7c15);
    return (unsigned)(h >> (64 - CACHE_INDEX_BITS));
}

/* Linear address of CS:offset for a fetch, with the CS limit check (SDM 5.3). */
static SimStatus fetch_linear(CpuState *cpu, uint64_t offset, uint64_t *lin)
{
    const Segment *cs = &cpu->seg[SEG_CS];
    if (cpu->mode == MODE_LONG64) {
        *lin = offset;
        return SIM_OK;
    }
    if (offset > cs->limit)
        return cpu_raise_gp0(cpu);
    *lin = (cs->base + offset) & 0xffffffffu;
    return SIM_OK;
}

static SimStatus fetch_translate(CpuState *cpu, uint64_t lin, uint64_t *phys)
{
    TlbEntry *e = mem_tlb_slot(&cpu->tlb, lin);
    uint32_t need = tlb_need(cpu, ACC_EXEC);
    if (SIM_LIKELY(e->tag == mem_tlb_tag(&cpu->tlb, lin) && (e->perm & need) == need)) {
        *phys = e->phys | (lin & (PAGE_SIZE - 1));
        return SIM_OK;
    }
    return cpu_translate(cpu, lin, ACC_EXEC, false, phys);
}

/* Fetch the bytes of one instruction at lin/phys; may cross into the next page. */
static SimStatus fetch_bytes(CpuState *cpu, uint64_t lin, uint64_t phys, uint8_t *buf,
                             size_t *len, uint64_t *phys2)
{
    size_t in_page = PAGE_SIZE - (phys & (PAGE_SIZE - 1));
    size_t n = in_page < MAX_INSN_BYTES ? in_page : MAX_INSN_BYTES;
    mem_phys_read_bytes(cpu->mem, phys, buf, n);
    *phys2 = UINT64_MAX;
    *len = n;
    if (n == MAX_INSN_BYTES)
        return SIM_OK;
    uint64_t next_lin = (lin & PAGE_MASK) + PAGE_SIZE;
    if (cpu->mode != MODE_LONG64)
        next_lin &= 0xffffffffu;
    uint64_t p2;
    if (fetch_translate(cpu, next_lin, &p2) != SIM_OK)
        return SIM_FAULT;
    mem_phys_read_bytes(cpu->mem, p2, buf + n, MAX_INSN_BYTES - n);
    *phys2 = p2;
    *len = MAX_INSN_BYTES;
    return SIM_OK;
}

/* Decode one instruction; crossing into an unmapped page is a fault only if
 * the instruction really extends there. */
static SimStatus decode_one(CpuState *cpu, uint64_t lin, uint64_t phys, DecodedInsn *d,
                            uint64_t *page2)
{
    uint8_t buf[MAX_INSN_BYTES];
    size_t len, in_page = PAGE_SIZE - (phys & (PAGE_SIZE - 1));
    uint64_t p2;
    SimStatus fetch = fetch_bytes(cpu, lin, phys, buf, &len, &p2);
    if (fetch != SIM_OK)
        len = in_page; /* try with what the first page holds */
    DecodeResult r = cpu_decode(&cpu->cache->decoders, cpu->mode, buf, len, d);
    if (r == DECODE_NEED_MORE)
        return fetch != SIM_OK ? SIM_FAULT : cpu_raise_ud(cpu);
    if (r == DECODE_TOO_LONG)
        return cpu_raise_gp0(cpu);
    if (r == DECODE_INVALID)
        return cpu_raise_ud(cpu);
    *page2 = d->len > in_page ? p2 : UINT64_MAX;
    mem_mark_code(cpu->mem, phys, d->len > in_page ? (unsigned)in_page : d->len);
    if (*page2 != UINT64_MAX)
        mem_mark_code(cpu->mem, p2, d->len - (unsigned)in_page);
    return SIM_OK;
}

static void decode_block(CpuState *cpu, Block *b, uint64_t rip, uint64_t lin, uint64_t phys)
{
    DecodeCache *c = cpu->cache;
    DecodedInsn *out = &c->arena[c->arena_used];
    unsigned n = 0;
    uint64_t page2 = UINT64_MAX;
    PendingFault saved = cpu->fault;
    while (n < BLOCK_MAX_INSNS && page2 == UINT64_MAX) {
        uint64_t off = (phys & (PAGE_SIZE - 1));
        if (n > 0 && (off == 0 || fetch_linear(cpu, rip, &lin) != SIM_OK))
            break;
        if (decode_one(cpu, lin, phys, &out[n], &page2) != SIM_OK)
            break; /* the fault is raised when execution reaches it */
        rip += out[n].len;
        lin += out[n].len;
        phys += out[n].len;
        if (out[n++].flags & DI_ENDS_BLOCK)
            break;
    }
    cpu->fault = saved;
    b->cycles = 0;
    for (unsigned i = 0; i < n; i++)
        b->cycles += out[i].cycles;
    b->count = (uint16_t)n;
    b->first = c->arena_used;
    b->page2 = page2;
    b->gen2 = page2 == UINT64_MAX ? 0 : mem_page_gen(cpu->mem, page2);
    c->arena_used += n;
}

static bool block_valid(CpuState *cpu, const Block *b, uint64_t phys, uint64_t lin)
{
    if (b->phys != phys || b->mode != cpu->mode || b->gen != mem_page_gen(cpu->mem, phys))
        return false;
    if (SIM_LIKELY(b->page2 == UINT64_MAX))
        return true;
    uint64_t p2;
    PendingFault saved = cpu->fault;
    uint64_t next_lin = (lin & PAGE_MASK) + PAGE_SIZE;
    bool same = fetch_translate(cpu, next_lin, &p2) == SIM_OK && (p2 & PAGE_MASK) == b->page2;
    cpu->fault = saved;
    return same && b->gen2 == mem_page_gen(cpu->mem, b->page2);
}

SimStatus cpu_cache_lookup(CpuState *cpu, const Block **block)
{
    DecodeCache *c = cpu->cache;
    uint64_t lin, phys;
    if (fetch_linear(cpu, cpu->RIP, &lin) != SIM_OK || fetch_translate(cpu, lin, &phys) != SIM_OK)
        return SIM_FAULT;
    Block *b = &c->index[block_slot(phys, cpu->mode)];
    if (SIM_LIKELY(block_valid(cpu, b, phys, lin))) {
        c->hits++;
        *block = b;
        return SIM_OK;
    }
    c->misses++;
    if (c->arena_used + BLOCK_MAX_INSNS > CACHE_ARENA_INSNS)
        cpu_cache_flush(c);
    b->phys = phys;
    b->mode = (uint8_t)cpu->mode;
    b->gen = mem_page_gen(cpu->mem, phys);
    memset(b->link, 0, sizeof(b->link));
    decode_block(cpu, b, cpu->RIP, lin, phys);
    if (b->count == 0) {
        /* The first instruction itself cannot be fetched or decoded: raise it. */
        b->phys = UINT64_MAX;
        DecodedInsn scratch;
        uint64_t page2;
        return decode_one(cpu, lin, phys, &scratch, &page2) == SIM_OK ? cpu_raise_ud(cpu)
                                                                       : SIM_FAULT;
    }
    *block = b;
    return SIM_OK;
}

static uint64_t current_linear(const CpuState *cpu)
{
    if (cpu->mode == MODE_LONG64)
        return cpu->RIP;
    return (cpu->seg[SEG_CS].base + cpu->RIP) & 0xffffffffu;
}

bool cpu_cache_link_still_valid(CpuState *cpu, BlockLink *l)
{
    if (l->to->gen != mem_page_gen(cpu->mem, l->to->phys))
        return false;
    l->code_invalidations = cpu->mem->code_invalidations;
    return true;
}

void cpu_cache_link(CpuState *cpu, const Block *from, const Block *to)
{
    Block *f = (Block *)from;
    if (to->page2 != UINT64_MAX)
        return; /* blocks crossing a page are always looked up */
    BlockLink *l = &f->link[f->next_link];
    f->next_link ^= 1;
    *l = (BlockLink){current_linear(cpu), to->phys, cpu->tlb.epoch, cpu->mem->code_invalidations,
                     (Block *)to, cpu->cpl};
}
