/*
 * Checks for the tests/system guests.  Every check prints one numbered line
 * on COM1:
 *     ok 7 - #PF error code = 0x5 (P=1 W=0 U=1)
 *     FAIL 7 - #PF error code: got 0x4, expected 0x5
 * and systest_finish() prints the totals and returns the guest's exit code
 * (0 when every check passed, 2 otherwise).
 *
 * To prove that a check can fail, `--append systest.break=N` inverts check
 * number N, and `systest.break=all` every check: the guest must then report
 * FAIL for it and exit with code 2 (tests/system/checks_can_fail.sh).
 */
#ifndef SYSTEST_SYSTEST_H
#define SYSTEST_SYSTEST_H

#include <stdbool.h>
#include <stdint.h>

/* Reads systest.break=N from the boot command line (direct boot). */
void systest_init(void);
/* got == want; desc is printed in both cases, got/want only on failure. */
bool systest_eq(uint64_t got, uint64_t want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool systest_true(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints a note line ("# ..."), not a check. */
void systest_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
unsigned systest_failures(void);
/* Prints "N checks, M failed" and returns the exit code (0 or 2). */
int systest_finish(void);

#endif
