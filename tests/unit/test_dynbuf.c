#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dynbuf.h"

static void
test_init(void **state)
{
	dynbuf b;

	dynbuf_init(&b, 100);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.alloc, 0);
	assert_int_equal(b.cap, 100);
	dynbuf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.cap, 100);
}

static void
test_add_and_terminate(void **state)
{
	dynbuf b;

	dynbuf_init(&b, 1024);
	assert_int_equal(dynbuf_add(&b, "abc", 3), DYNBUF_OK);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "abc");
	assert_int_equal(dynbuf_add(&b, "de\0f", 4), DYNBUF_OK);
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.data, "abcde\0f", 8);	/* NUL after len */
	assert_true(b.alloc >= b.len + 1);
	dynbuf_free(&b);
}

static void
test_add_empty(void **state)
{
	dynbuf b;

	dynbuf_init(&b, 10);
	assert_int_equal(dynbuf_add(&b, NULL, 0), DYNBUF_OK);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
	dynbuf_free(&b);
}

static void
test_cap_exact(void **state)
{
	char in[10];
	dynbuf b;

	memset(in, 'x', sizeof(in));
	dynbuf_init(&b, 10);
	assert_int_equal(dynbuf_add(&b, in, 10), DYNBUF_OK);
	assert_int_equal(b.len, 10);
	assert_int_equal(b.data[10], '\0');
	assert_true(b.alloc <= 11);	/* never more than cap + NUL */
	assert_int_equal(dynbuf_add(&b, "", 0), DYNBUF_OK);
	assert_int_equal(dynbuf_add(&b, "y", 1), DYNBUF_TOO_LARGE);
	assert_int_equal(b.len, 10);
	dynbuf_free(&b);
}

static void
test_cap_plus_one(void **state)
{
	char in[11];
	dynbuf b;

	memset(in, 'x', sizeof(in));
	dynbuf_init(&b, 10);
	assert_int_equal(dynbuf_add(&b, in, 11), DYNBUF_TOO_LARGE);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(dynbuf_add(&b, "12345", 5), DYNBUF_OK);
	/* TOO_LARGE leaves the buffer exactly as it was */
	assert_int_equal(dynbuf_add(&b, "123456", 6), DYNBUF_TOO_LARGE);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "12345");
	assert_int_equal(dynbuf_add(&b, "12345", 5), DYNBUF_OK);
	assert_string_equal(b.data, "1234512345");
	dynbuf_free(&b);
}

static void
test_overflow_len(void **state)
{
	dynbuf b;

	dynbuf_init(&b, 100);
	assert_int_equal(dynbuf_add(&b, "ab", 2), DYNBUF_OK);
	/* len + add would wrap around size_t; must be refused, not copied */
	assert_int_equal(dynbuf_add(&b, "x", SIZE_MAX), DYNBUF_TOO_LARGE);
	assert_int_equal(dynbuf_add(&b, "x", SIZE_MAX - 1), DYNBUF_TOO_LARGE);
	assert_int_equal(b.len, 2);
	dynbuf_free(&b);

	dynbuf_init(&b, SIZE_MAX);	/* cap + 1 must not wrap either */
	assert_true(b.cap < SIZE_MAX);
	assert_int_equal(dynbuf_add(&b, "ab", 2), DYNBUF_OK);
	assert_int_equal(dynbuf_add(&b, "x", SIZE_MAX), DYNBUF_TOO_LARGE);
	assert_string_equal(b.data, "ab");
	dynbuf_free(&b);
}

static void
test_many_small(void **state)
{
	const size_t cap = 100000;
	size_t i, reallocs = 0, last_alloc = 0;
	dynbuf b;

	dynbuf_init(&b, cap);
	for (i = 0; i < cap; i++) {
		assert_int_equal(dynbuf_add(&b, i % 2 ? "b" : "a", 1),
		    DYNBUF_OK);
		if (b.alloc != last_alloc) {
			reallocs++;
			last_alloc = b.alloc;
		}
	}
	assert_int_equal(b.len, cap);
	assert_true(b.alloc <= cap + 1);
	assert_true(reallocs < 20);	/* geometric, not one per add */
	assert_int_equal(b.data[0], 'a');
	assert_int_equal(b.data[cap - 1], 'b');
	assert_int_equal(b.data[cap], '\0');
	assert_int_equal(dynbuf_add(&b, "c", 1), DYNBUF_TOO_LARGE);
	dynbuf_free(&b);
}

static void
test_reset_keeps_memory(void **state)
{
	dynbuf b;
	size_t alloc;
	char *data;

	dynbuf_init(&b, 64);
	assert_int_equal(dynbuf_add(&b, "hello", 5), DYNBUF_OK);
	alloc = b.alloc;
	data = b.data;
	dynbuf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_ptr_equal(b.data, data);
	assert_int_equal(b.alloc, alloc);
	assert_string_equal(b.data, "");
	assert_int_equal(dynbuf_add(&b, "hi", 2), DYNBUF_OK);
	assert_string_equal(b.data, "hi");
	dynbuf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 64);
	/* reusable after free */
	assert_int_equal(dynbuf_add(&b, "again", 5), DYNBUF_OK);
	assert_string_equal(b.data, "again");
	dynbuf_free(&b);

	dynbuf_init(&b, 4);
	dynbuf_reset(&b);	/* reset of an empty buffer is harmless */
	assert_null(b.data);
	dynbuf_free(&b);
}

static void
test_zero_cap(void **state)
{
	dynbuf b;

	dynbuf_init(&b, 0);
	assert_int_equal(dynbuf_add(&b, "", 0), DYNBUF_OK);
	assert_string_equal(b.data, "");
	assert_int_equal(dynbuf_add(&b, "a", 1), DYNBUF_TOO_LARGE);
	dynbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_add_and_terminate),
		cmocka_unit_test(test_add_empty),
		cmocka_unit_test(test_cap_exact),
		cmocka_unit_test(test_cap_plus_one),
		cmocka_unit_test(test_overflow_len),
		cmocka_unit_test(test_many_small),
		cmocka_unit_test(test_reset_keeps_memory),
		cmocka_unit_test(test_zero_cap),
	};

	return cmocka_run_group_tests_name("dynbuf", tests, NULL, NULL);
}
