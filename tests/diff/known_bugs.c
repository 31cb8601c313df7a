/*
 * EXPECTED FAILURES: vmxsim bugs found by this harness that are not fixed
 * yet.  A failing case that matches an entry is reported under the entry's
 * id and does not fail the run.  Delete an entry when its bug is fixed; an
 * entry that matches nothing is printed as stale.
 *
 * An entry is {"KB-ID", "one line on the bug", matcher}, the matcher a
 * function of the case, its mnemonic and both results that recognises the
 * bug's failures and nothing else (see the history of this file).  None is
 * open: the list holds only its end marker.
 */
#include "known_bugs.h"

#include <stddef.h>

const KnownBug diff_known_bugs[] = {
    {NULL, NULL, NULL}, /* end marker, not counted */
};
const unsigned diff_known_bug_count = sizeof(diff_known_bugs) / sizeof(diff_known_bugs[0]) - 1;

int diff_known_bug(const DiffCase *c, ZydisMnemonic mn, const DiffResult *host,
                   const DiffResult *sim) {
    for (unsigned i = 0; i < diff_known_bug_count; i++) {
        if (diff_known_bugs[i].matches(c, mn, host, sim)) return (int)i;
    }
    return -1;
}
