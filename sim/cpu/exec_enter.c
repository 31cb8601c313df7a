/*
 * SDM Vol. 2 ENTER "Operation": push the frame pointer, copy NestingLevel - 1
 * frame pointers of the enclosing frames from SS:[rBP - k * size], push the
 * new frame pointer, then allocate imm16 bytes.  Pushes and copies are
 * OperandSize wide; the stack pointer and the rBP walk wrap at the stack
 * address size (SS.B, or 64 in 64-bit mode).  RSP and RBP are written only
 * when every access has succeeded, so a fault leaves them unchanged (the
 * instruction is restarted).
 */
#include "sim/cpu/exceptions.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/stack.h"
#include "sim/cpu/write_probe.h"

typedef struct EnterStack {
    uint64_t mask; /* stack address size */
    uint64_t sp;   /* stack pointer offset so far */
    unsigned size; /* operand size */
} EnterStack;

static SimStatus enter_push(CpuState *cpu, EnterStack *s, uint64_t v) {
    uint64_t sp = (s->sp - s->size) & s->mask;
    if (cpu_mem_write(cpu, SEG_SS, sp, s->size, v) != SIM_OK) return SIM_FAULT;
    s->sp = sp;
    return SIM_OK;
}

/* FOR i := 1 to NestingLevel - 1: rBP := rBP - size; Push([rBP]). */
static SimStatus enter_copy_display(CpuState *cpu, EnterStack *s, unsigned level) {
    uint64_t bp = cpu->gpr[GPR_RBP] & s->mask, v;
    for (unsigned i = 1; i < level; i++) {
        bp = (bp - s->size) & s->mask;
        if (cpu_mem_read(cpu, SEG_SS, bp, s->size, &v) != SIM_OK || enter_push(cpu, s, v) != SIM_OK)
            return SIM_FAULT;
    }
    return SIM_OK;
}

/* SDM Vol. 2 ENTER: create a stack frame (imm16 bytes, nesting level imm8 MOD 32). */
SimStatus exec_enter(CpuState *cpu, const DecodedInsn *d) {
    unsigned level = d->aux & 31;
    uint64_t rsp = cpu->gpr[GPR_RSP];
    EnterStack s = {size_mask(stack_addr_size(cpu)), 0, d->opsize};
    s.sp = rsp & s.mask;
    if (enter_push(cpu, &s, cpu->gpr[GPR_RBP]) != SIM_OK) return SIM_FAULT;
    uint64_t frame = (rsp & ~s.mask) | s.sp; /* FrameTemp */
    if (level > 0 &&
        (enter_copy_display(cpu, &s, level) != SIM_OK || enter_push(cpu, &s, frame) != SIM_OK))
        return SIM_FAULT;
    uint64_t final_sp = (s.sp - (d->imm & 0xffff)) & s.mask;
    if (cpu_probe_write(cpu, SEG_SS, final_sp, s.size) != SIM_OK) return SIM_FAULT;
    cpu->gpr[GPR_RSP] = (rsp & ~s.mask) | final_sp;
    reg_write(cpu, reg_off(GPR_RBP), s.size, frame); /* BP, EBP or RBP := FrameTemp */
    return SIM_OK;
}
