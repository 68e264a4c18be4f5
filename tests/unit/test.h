/*
 * A tiny unit-test harness: CHECK(cond, fmt, ...) counts a pass or prints
 * "not ok" with the place; test_done() prints "N passed, N failed" (which
 * tests/run.sh adds up) and gives the exit code.
 */
#ifndef TEST_H
#define TEST_H

#include <stdio.h>

static int test_passed, test_failed;

#define CHECK(cond, ...) do { \
	if (cond) { \
		test_passed++; \
	} else { \
		test_failed++; \
		printf("not ok - %s:%d: ", __FILE__, __LINE__); \
		printf(__VA_ARGS__); \
		printf("\n"); \
	} \
} while (0)

static inline int test_done(void)
{
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}

#endif
