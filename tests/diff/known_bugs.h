/* vmxsim bugs the harness has found and that are not fixed yet
 * (known_bugs.c): their cases count as expected failures, not failures. */
#ifndef VMXSIM_TESTS_DIFF_KNOWN_BUGS_H
#define VMXSIM_TESTS_DIFF_KNOWN_BUGS_H

#include <Zydis/Zydis.h>

#include "diff.h"

typedef struct KnownBug {
    const char *id;
    const char *text;
    bool (*matches)(const DiffCase *c, ZydisMnemonic mn, const DiffResult *host,
                    const DiffResult *sim);
} KnownBug;

extern const KnownBug diff_known_bugs[];
extern const unsigned diff_known_bug_count;

/* The first known bug a failing case matches, or -1. */
int diff_known_bug(const DiffCase *c, ZydisMnemonic mn, const DiffResult *host,
                   const DiffResult *sim);

#endif
