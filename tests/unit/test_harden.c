/* nm_harden: afterwards the process is not dumpable and has no core
 * limit left; the black-box tests show what that means from outside. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "core_harden.h"

static void
test_not_dumpable_no_core(void **state)
{
	const char *cause = "unset";
	struct rlimit rl;

	(void)state;
	/* Start from what an operator's shell may have: cores on. */
	assert_int_equal(getrlimit(RLIMIT_CORE, &rl), 0);
	rl.rlim_cur = rl.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_CORE, &rl), 0);
	assert_int_equal(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
	assert_int_equal(nm_harden(&cause), 0);
	assert_null(cause);
	assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	assert_int_equal(getrlimit(RLIMIT_CORE, &rl), 0);
	assert_true(rl.rlim_cur == 0 && rl.rlim_max == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_dumpable_no_core),
	};

	return cmocka_run_group_tests_name("harden", tests, NULL, NULL);
}
