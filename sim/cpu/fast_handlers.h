/* Handlers specialised at decode time by operand form and size (design.md
 * "Handlers specialised at decode time"). */
#ifndef VMXSIM_CPU_FAST_HANDLERS_H
#define VMXSIM_CPU_FAST_HANDLERS_H

#include "sim/cpu/decoded_insn.h"

/* The specialised handler for d, or `generic` when there is none.  The
 * result must behave exactly like `generic` (the differential tests run
 * whichever the decoder picks). */
InsnHandler cpu_fast_handler(const DecodedInsn *d, CpuMode mode, InsnHandler generic);

#endif
