/* Ending a guest run through vmxsim's debug-exit port. */
#ifndef GUEST_EXIT_H
#define GUEST_EXIT_H

#include <stdint.h>

/* Writes code (4 bytes) to VMXSIM_DEBUG_EXIT_PORT: vmxsim ends the run with
 * status (code << 1) | 1.  Without the device, halts forever with IF=0. */
_Noreturn void guest_exit(uint32_t code);

#endif
