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

/*
 * Captures what the code under test writes to stderr (its error messages,
 * which a test checks name file:line): test_stderr_start() sends fd 2 to
 * a new temporary file; test_stderr_stop() puts fd 2 back and copies what
 * was written into msg (NUL-terminated, cut at size - 1), removing the
 * file. One capture at a time. Failure to set up aborts.
 */
struct test_capture {
	int fd, saved;
};

static inline void test_stderr_start(struct test_capture *c)
{
	char path[] = "/tmp/test-stderr-XXXXXX";
	c->fd = mkstemp(path);
	if (c->fd < 0 || unlink(path))
		abort();
	fflush(stderr);
	c->saved = dup(2);
	if (c->saved < 0 || dup2(c->fd, 2) < 0)
		abort();
}

static inline void test_stderr_stop(struct test_capture *c, char *msg, size_t size)
{
	ssize_t n;
	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	n = pread(c->fd, msg, size - 1, 0);
	msg[n > 0 ? n : 0] = '\0';
	close(c->fd);
}

static inline int test_done(void)
{
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}

#endif
