/*
 * bench/mix: an ordinary C workload (integer only: guests are built without
 * SSE) — sorting, hashing, memcpy of a few MiB and a small bytecode
 * interpreter.  Prints a checksum per part so a wrong result is visible.
 */
#include <stddef.h>
#include <stdint.h>

#include "guest/printf.h"
#include "guest/string.h"
#include "vmxsim/boot_info.h"

#define SORT_COUNT (128u * 1024u)
#define BUF_SIZE (2u << 20)

static uint32_t sort_data[SORT_COUNT];
static uint8_t buf_a[BUF_SIZE], buf_b[BUF_SIZE];

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)rng_state;
}

static void quicksort(uint32_t *a, long lo, long hi)
{
    while (lo < hi) {
        uint32_t pivot = a[lo + (hi - lo) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                uint32_t t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        }
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
}

static uint64_t part_sort(void)
{
    for (uint32_t i = 0; i < SORT_COUNT; i++)
        sort_data[i] = rng();
    quicksort(sort_data, 0, SORT_COUNT - 1);
    uint64_t sum = 0;
    for (uint32_t i = 1; i < SORT_COUNT; i++) {
        if (sort_data[i - 1] > sort_data[i])
            return 0; /* not sorted: the checksum shows it */
        sum = sum * 31 + sort_data[i];
    }
    return sum;
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t part_hash_copy(void)
{
    for (size_t i = 0; i < BUF_SIZE; i += 4) {
        uint32_t v = rng();
        memcpy(buf_a + i, &v, 4);
    }
    uint64_t h = 0;
    for (int round = 0; round < 4; round++) {
        memcpy(buf_b, buf_a, BUF_SIZE);
        buf_b[round * 4096] ^= 0x5a;
        h ^= fnv1a(buf_b, BUF_SIZE);
    }
    return h;
}

/* A tiny stack machine: computes sum over i < n of (i * i) mod 7919, n times nested. */
enum { OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_MUL, OP_MOD, OP_LT, OP_JZ, OP_JMP, OP_HALT };

static uint64_t run_vm(const int32_t *code, int64_t *vars)
{
    int64_t stack[64];
    int sp = 0, pc = 0;
    for (;;) {
        int32_t op = code[pc++];
        switch (op) {
        case OP_PUSH: stack[sp++] = code[pc++]; break;
        case OP_LOAD: stack[sp++] = vars[code[pc++]]; break;
        case OP_STORE: vars[code[pc++]] = stack[--sp]; break;
        case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case OP_MOD: sp--; stack[sp - 1] %= stack[sp]; break;
        case OP_LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case OP_JZ: pc = stack[--sp] ? pc + 1 : code[pc]; break;
        case OP_JMP: pc = code[pc]; break;
        default: return (uint64_t)vars[1];
        }
    }
}

static uint64_t part_interp(void)
{
    /* v0 = i, v1 = acc: while (i < 300000) { acc = acc + (i*i) % 7919; i = i + 1 } */
    static const int32_t code[] = {
        OP_LOAD, 0, OP_PUSH, 300000, OP_LT, OP_JZ, 29,
        OP_LOAD, 1, OP_LOAD, 0, OP_LOAD, 0, OP_MUL, OP_PUSH, 7919, OP_MOD, OP_ADD, OP_STORE, 1,
        OP_LOAD, 0, OP_PUSH, 1, OP_ADD, OP_STORE, 0, OP_JMP, 0,
        OP_HALT};
    int64_t vars[2] = {0, 0};
    return run_vm(code, vars);
}

int guest_main(const VmxsimBootInfo *info)
{
    (void)info;
    guest_printf("sort   %llx\n", (unsigned long long)part_sort());
    guest_printf("hash   %llx\n", (unsigned long long)part_hash_copy());
    guest_printf("interp %llu\n", (unsigned long long)part_interp());
    return 0;
}
