/* Names of exit reasons and VM-instruction errors, for messages and the debugger. */
#include "sim/vmx/vmx_tables.h"

#include <stddef.h>

const char *vmx_exit_reason_name(unsigned reason)
{
    switch (reason) {
#define X(name, number, text)                                                                      \
    case number:                                                                                   \
        return text;
#include "sim/vmx/exit_reasons.def"
#undef X
    default:
        return NULL;
    }
}

const char *vmx_insn_error_name(unsigned error)
{
    switch (error) {
#define X(name, number, text)                                                                      \
    case number:                                                                                   \
        return text;
#include "sim/vmx/vm_insn_errors.def"
#undef X
    default:
        return NULL;
    }
}
