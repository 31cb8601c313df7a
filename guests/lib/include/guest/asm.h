/* Constants for guest assembly files, which cannot include vmxsim/boot_info.h
 * (C declarations, 'u' suffixes).  exit.c checks they agree with it. */
#ifndef GUEST_ASM_H
#define GUEST_ASM_H

#define GUEST_ASM_DEBUG_EXIT_PORT 0xf4

#endif
