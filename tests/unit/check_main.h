/* The main() every Check unit-test program shares: run one suite, exit
 * non-zero when any test failed. */
#ifndef VMXSIM_TEST_CHECK_MAIN_H
#define VMXSIM_TEST_CHECK_MAIN_H

#include <check.h>

static inline int check_run_suite(Suite *s)
{
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}

#define CHECK_MAIN(suite_fn)                                                                       \
    int main(void) { return check_run_suite(suite_fn()); }

#endif
