/* Everything a direct-boot guest needs: the boot info and the runtime. */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include "guest/exit.h"
#include "guest/io.h"
#include "guest/printf.h"
#include "guest/serial.h"
#include "guest/string.h"
#include "vmxsim/boot_info.h"

/* Defined by a direct-boot guest; _start (entry64.S) calls it with RDI from
 * vmxsim and passes the result to guest_exit(). */
int guest_main(const VmxsimBootInfo *info);

/* The same pointer, set by _start before guest_main runs. */
extern const VmxsimBootInfo *guest_boot_info;

#endif
