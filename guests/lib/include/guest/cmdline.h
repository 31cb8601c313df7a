/* The direct-boot command line (VmxsimBootInfo.cmdline, `vmxsim run --append`). */
#ifndef GUEST_CMDLINE_H
#define GUEST_CMDLINE_H

#include <stdbool.h>
#include <stdint.h>

/* Finds "KEY=N" (N decimal) among the space-separated words of the command
 * line; stores N and returns true, or returns false if KEY is absent or N
 * is not a number. */
bool guest_cmdline_uint(const char *key, uint64_t *value);

#endif
