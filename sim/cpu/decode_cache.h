/*
 * Decoded-instruction cache (design.md "Fast path first"): straight-line
 * blocks of decoded instructions keyed by the guest-physical address of their
 * first byte and the fetch mode.  A block records the generation of the
 * physical page(s) it was decoded from; a write that overwrites decoded code
 * bumps the generation (sim/mem), so a stale block is never executed.
 */
#ifndef VMXSIM_CPU_DECODE_CACHE_H
#define VMXSIM_CPU_DECODE_CACHE_H

#include "sim/cpu/decode.h"

#define CACHE_INDEX_BITS 13
#define CACHE_INDEX_SIZE (1u << CACHE_INDEX_BITS)
#define CACHE_ARENA_INSNS (1u << 17)
#define BLOCK_MAX_INSNS 64

struct Block;

/* A block's record of a successor it was followed by (design.md "link a
 * block to its successor once known").  Valid while the successor still
 * holds the same code and the translation it was reached by is unchanged. */
typedef struct BlockLink {
    uint64_t lin;   /* linear address the successor starts at */
    uint64_t phys;  /* its physical address when linked */
    uint64_t epoch; /* the TLB epoch when linked (a flush breaks the link) */
    uint64_t code_invalidations; /* Memory.code_invalidations when linked */
    struct Block *to;
    uint8_t cpl;
} BlockLink;

typedef struct Block {
    uint64_t phys;  /* physical address of the first byte; UINT64_MAX when empty */
    uint64_t page2; /* second physical page when the last instruction crosses, else UINT64_MAX */
    uint32_t gen, gen2;
    uint32_t first; /* index of the first instruction in the arena */
    uint32_t cycles; /* sum of the instructions' costs */
    uint16_t count;
    uint8_t mode;
    uint8_t next_link; /* which link slot the next new successor replaces */
    BlockLink link[2];
} Block;

typedef struct DecodeCache {
    Decoders decoders;
    Block index[CACHE_INDEX_SIZE];
    DecodedInsn arena[CACHE_ARENA_INSNS];
    uint32_t arena_used;
    uint64_t hits, misses, flushes;
    uint64_t reported_ud[64]; /* addresses already reported as unimplemented */
    unsigned reported_count;
} DecodeCache;

struct DecodeCache *cpu_cache_create(void);
void cpu_cache_destroy(struct DecodeCache *c);
void cpu_cache_flush(DecodeCache *c);

/* The block starting at the current RIP, decoding it on a miss.  Raises
 * #PF/#GP/#UD for the first instruction's fetch or decode. */
SimStatus cpu_cache_lookup(CpuState *cpu, const Block **block) SIM_MUST_CHECK;

/* Slow part of cpu_cache_follow: decoded code was invalidated somewhere since
 * the link was made; is the successor's page still unchanged? */
bool cpu_cache_link_still_valid(CpuState *cpu, BlockLink *l);

/* The successor of `from` at the current RIP if a valid link exists, else
 * NULL (the caller then looks the block up).  Inline: it runs per block. */
static inline const Block *cpu_cache_follow(CpuState *cpu, const Block *from)
{
    uint64_t lin = cpu->mode == MODE_LONG64 ? cpu->RIP
                                            : ((cpu->seg[SEG_CS].base + cpu->RIP) & 0xffffffffu);
    for (unsigned k = 0; k < 2; k++) {
        BlockLink *l = (BlockLink *)&from->link[k];
        const Block *to = l->to;
        if (l->lin != lin || !to || l->epoch != cpu->tlb.epoch || l->cpl != cpu->cpl)
            continue;
        /* The slot may since hold another block, or the page new code. */
        if (to->phys != l->phys || to->mode != cpu->mode)
            return NULL;
        if (l->code_invalidations != cpu->mem->code_invalidations &&
            !cpu_cache_link_still_valid(cpu, l))
            return NULL;
        if (cpu->mode != MODE_LONG64 && cpu->RIP > cpu->seg[SEG_CS].limit)
            return NULL; /* the lookup raises #GP */
        return to;
    }
    return NULL;
}
/* Remember that `to` followed `from` at the current RIP. */
void cpu_cache_link(CpuState *cpu, const Block *from, const Block *to);

static inline const DecodedInsn *cpu_block_insns(const CpuState *cpu, const Block *b)
{
    return &cpu->cache->arena[b->first];
}

#endif
