/* Instruction handlers: one declaration per row of insn_table.def, plus the
 * handlers decode.c selects by operand form. */
#ifndef VMXSIM_CPU_HANDLERS_H
#define VMXSIM_CPU_HANDLERS_H

#include "sim/cpu/decoded_insn.h"

#define X(mnemonic, handler) SimStatus handler(CpuState *cpu, const DecodedInsn *d);
#include "sim/cpu/insn_table.def"
#undef X

/* Selected by operand form (decode_select_handler). */
SimStatus exec_jmp_far(CpuState *cpu, const DecodedInsn *d);
SimStatus exec_call_far(CpuState *cpu, const DecodedInsn *d);
SimStatus exec_ret_far(CpuState *cpu, const DecodedInsn *d);
SimStatus exec_mov_to_sreg(CpuState *cpu, const DecodedInsn *d);
SimStatus exec_mov_from_sreg(CpuState *cpu, const DecodedInsn *d);
SimStatus exec_mov_to_cr(CpuState *cpu, const DecodedInsn *d);
SimStatus exec_mov_from_cr(CpuState *cpu, const DecodedInsn *d);
SimStatus exec_mov_to_dr(CpuState *cpu, const DecodedInsn *d);
SimStatus exec_mov_from_dr(CpuState *cpu, const DecodedInsn *d);
/* Any mnemonic without a row: #UD plus a one-line diagnostic. */
SimStatus exec_unimplemented(CpuState *cpu, const DecodedInsn *d);

#endif
