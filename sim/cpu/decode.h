/* Zydis front-end: decode one instruction into a DecodedInsn (style.md "Zydis"). */
#ifndef VMXSIM_CPU_DECODE_H
#define VMXSIM_CPU_DECODE_H

#include <Zydis/Zydis.h>

#include "sim/cpu/decoded_insn.h"

typedef enum DecodeResult {
    DECODE_OK,
    DECODE_NEED_MORE, /* the bytes given end inside the instruction */
    DECODE_INVALID,   /* no valid instruction: #UD */
    DECODE_TOO_LONG,  /* longer than 15 bytes: #GP(0) (SDM Vol. 2 2.3.11) */
} DecodeResult;

/* One decoder per fetch mode (the mode is part of the cache key). */
typedef struct Decoders {
    ZydisDecoder mode[MODE_COUNT];
} Decoders;

void cpu_decoders_init(Decoders *dec);
DecodeResult cpu_decode(const Decoders *dec, CpuMode mode, const uint8_t *bytes, size_t len,
                        DecodedInsn *out);

#endif
