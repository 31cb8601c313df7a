/* Comparing the two worlds' results (compare.c). */
#ifndef VMXSIM_TESTS_DIFF_COMPARE_H
#define VMXSIM_TESTS_DIFF_COMPARE_H

#include <Zydis/Zydis.h>

#include "diff.h"

typedef enum VerdictKind {
    V_PASS,
    V_FAIL,
    V_UD_ONLY, /* vmxsim #UD where the host ran it: "unimplemented" unless implemented */
} VerdictKind;

typedef struct Verdict {
    VerdictKind kind;
    unsigned undef_flag_bits;  /* undefined flags of this case (no fault) */
    unsigned undef_flag_agree; /* ...of which the two worlds agree on */
    bool undef_result;         /* an undefined destination (BSF source 0, SHLD count > size) */
    bool undef_result_agree;
    bool compat_upper; /* compatibility mode: upper register halves not compared */
    bool compat_upper_agree;
    char why[768]; /* the differences, one clause each */
} Verdict;

/* mn: the instruction's mnemonic (ZYDIS_MNEMONIC_INVALID when it does not decode). */
void diff_compare(const DiffCase *c, ZydisMnemonic mn, const DiffResult *host,
                  const DiffResult *sim, Verdict *v);
/* "#PF" etc. */
const char *diff_vector_name(int vector);

#endif
