/* Decoding and disassembling guest code for the debugger (Zydis decoder and
 * formatter, Intel syntax), in the CPU's current mode. */
#ifndef VMXSIM_DEBUG_DISAS_H
#define VMXSIM_DEBUG_DISAS_H

#include <Zydis/Zydis.h>
#include <stdio.h>

#include "sim/debug/dbg_mem.h"
#include "sim/debug/dbg_symbols.h"

typedef struct DbgInsn {
    ZydisDecodedInstruction zi;
    ZydisDecodedOperand op[ZYDIS_MAX_OPERAND_COUNT];
    uint8_t bytes[ZYDIS_MAX_INSTRUCTION_LENGTH];
} DbgInsn;

/* Decode the instruction at a; false when unreadable or invalid. */
bool dbg_decode(const CpuState *cpu, DbgAddr a, DbgInsn *out);
/* The instruction at a in Intel syntax; false as dbg_decode. */
bool dbg_format(const CpuState *cpu, DbgAddr a, char *buf, size_t len, unsigned *insn_len);
/* n lines "=> 0x101000 <sym+0x4>:  48 89 e5  mov rbp, rsp", "=>" at RIP. */
void dbg_disas(const CpuState *cpu, const DbgSymbols *syms, DbgAddr a, unsigned n, FILE *out);
/* "0x101000 <sym+0x4>" (physical: "g:0x1000"). */
void dbg_print_location(const DbgSymbols *syms, DbgAddr a, FILE *out);

#endif
