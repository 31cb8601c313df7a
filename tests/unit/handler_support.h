/* Shared set-up for the handler unit tests (test_alu, test_bit, test_shift,
 * test_muldiv, test_flags): a bare CpuState in 64-bit mode and hand-built
 * DecodedInsn operands, so handlers run without a decoder or memory. */
#ifndef VMXSIM_TEST_HANDLER_SUPPORT_H
#define VMXSIM_TEST_HANDLER_SUPPORT_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cpu/exceptions.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"

#define CF RFLAGS_CF
#define PF RFLAGS_PF
#define AF RFLAGS_AF
#define ZF RFLAGS_ZF
#define SF RFLAGS_SF
#define OF RFLAGS_OF

static inline void cpu_setup(CpuState *cpu) {
    memset(cpu, 0, sizeof(*cpu));
    cpu->mode = MODE_LONG64;
    cpu->lazy.op = LAZY_NONE;
    cpu->rflags = 2;
    cpu->seg[SEG_CS].limit = 0xffffffff;
}

static inline DecodedOperand opnd_reg(unsigned reg, unsigned size) {
    DecodedOperand o = {.kind = OPK_REG, .size = (uint16_t)size, .reg = (uint8_t)reg_off(reg)};
    return o;
}

/* The six arithmetic flags of cpu as RFLAGS bits. */
static inline uint64_t arith(const CpuState *cpu) {
    return cpu_get_rflags(cpu) & RFLAGS_ARITH;
}

/* op[0] = RAX-family, op[1] = RCX-family, both `size` bytes. */
static inline DecodedInsn insn_rr(InsnHandler h, unsigned size) {
    DecodedInsn d;
    memset(&d, 0, sizeof(d));
    d.handler = h;
    d.opsize = (uint8_t)size;
    d.addrsize = 8;
    d.op_count = 2;
    d.op[0] = opnd_reg(GPR_RAX, size);
    d.op[1] = opnd_reg(GPR_RCX, size);
    return d;
}

/* Host oracle: run `insn` on the host CPU with RFLAGS = fl, returning the
 * destination in dst and the resulting RFLAGS in fl (below the red zone). */
#define HOST_BIN(insn, dst, src, fl)                                                               \
    __asm__ volatile("lea -128(%%rsp), %%rsp\n\tpush %[f]\n\tpopfq\n\t" insn                       \
                     "\n\tpushfq\n\tpop %[f]\n\tlea 128(%%rsp), %%rsp"                             \
                     : [d] "+r"(dst), [f] "+r"(fl)                                                 \
                     : [s] "r"(src)                                                                \
                     : "cc", "memory")

typedef uint64_t (*HostFn)(uint64_t *d, uint64_t s, uint64_t f);

/* host_NAME_SZ(d, s, f): one host instruction at one operand size. */
#define DEF_HOST_SIZE(name, sz, text)                                                              \
    static uint64_t host_##name##_##sz(uint64_t *d, uint64_t s, uint64_t f) {                      \
        HOST_BIN(text, *d, s, f);                                                                  \
        return f;                                                                                  \
    }

#endif
