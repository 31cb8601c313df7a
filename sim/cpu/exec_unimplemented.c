/* Instructions vmxsim does not implement yet: #UD to the guest and one line on
 * stderr naming the mnemonic and address, once per address (style.md rule 10). */
#include <Zydis/Zydis.h>
#include <inttypes.h>
#include <stdio.h>

#include "sim/cpu/decode_cache.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/handlers.h"

static bool already_reported(DecodeCache *c, uint64_t addr)
{
    for (unsigned i = 0; i < c->reported_count; i++) {
        if (c->reported_ud[i] == addr)
            return true;
    }
    if (c->reported_count < SIM_ARRAY_SIZE(c->reported_ud))
        c->reported_ud[c->reported_count++] = addr;
    return false;
}

SimStatus exec_unimplemented(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t rip = cpu->RIP - d->len;
    if (!already_reported(cpu->cache, rip))
        fprintf(stderr, "vmxsim: cpu%u: unimplemented instruction '%s' at rip 0x%" PRIx64
                        ": raising #UD\n",
                cpu->id, ZydisMnemonicGetString((ZydisMnemonic)d->mnemonic), rip);
    return cpu_raise_ud(cpu);
}
