/*
 * A tiny unit-test harness: CHECK(cond, fmt, ...) counts a pass or prints
 * "not ok" with the place; test_done() prints "N passed, N failed" (which
 * tests/run.sh adds up) and gives the exit code.
 */
#ifndef TEST_H
#define TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/*
 * Writes len bytes to a new file /tmp/test-XXXXXX and returns its name in
 * a static buffer (valid until the next call; the caller unlinks the file).
 * A test cannot go on without its input: failure aborts.
 */
static inline const char *test_file(const void *bytes, size_t len)
{
	static char path[32];
	int fd;
	snprintf(path, sizeof(path), "/tmp/test-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, bytes, len) != (ssize_t)len || close(fd))
		abort();
	return path;
}

static inline const char *test_text_file(const char *text)
{
	return test_file(text, strlen(text));
}

static inline int test_done(void)
{
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}

#endif
