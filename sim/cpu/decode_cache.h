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

typedef struct Block {
    uint64_t phys;  /* physical address of the first byte; UINT64_MAX when empty */
    uint64_t page2; /* second physical page when the last instruction crosses, else UINT64_MAX */
    uint32_t gen, gen2;
    uint32_t first; /* index of the first instruction in the arena */
    uint16_t count;
    uint8_t mode;
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

static inline const DecodedInsn *cpu_block_insns(const CpuState *cpu, const Block *b)
{
    return &cpu->cache->arena[b->first];
}

#endif
