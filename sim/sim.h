/* Status codes and small helpers shared by every layer of the simulator. */
#ifndef VMXSIM_SIM_H
#define VMXSIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Result of anything that can fault, exit or stop (style.md rule 4). */
typedef enum SimStatus {
    SIM_OK = 0,    /* completed, architectural state committed */
    SIM_FAULT,     /* an exception is pending in the CPU (cpu->fault) */
    SIM_VMEXIT,    /* a VM exit happened (VMX layer) */
    SIM_HALT,      /* the CPU entered the HLT activity state */
    SIM_SHUTDOWN,  /* triple fault: the CPU is in the shutdown state */
    SIM_STOP,      /* a device or the front-end asked the run to stop */
    SIM_REPEAT,    /* a REP string instruction did a chunk and must run again (not retired) */
    SIM_EXCEPTION, /* stopped before delivering an exception in cpu->exception_stop_mask */
} SimStatus;

#define SIM_MUST_CHECK __attribute__((warn_unused_result))
#define SIM_LIKELY(x) __builtin_expect(!!(x), 1)
#define SIM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define SIM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define PAGE_SHIFT 12
#define PAGE_SIZE 4096u
#define PAGE_MASK (~(uint64_t)(PAGE_SIZE - 1))

#endif
