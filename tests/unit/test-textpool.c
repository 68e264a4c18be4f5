/*
 * The text pool of match/reconin.h: every copy NUL-terminated and equal to
 * what was given, "" for nothing, and every pointer still valid (and its
 * text unchanged) after the pool has grown by many blocks; a value longer
 * than a block gets one of its own.
 */
#include "match/reconin.h"

#include "test.h"

int main(void)
{
	struct textpool pool = { 0 };
	enum { N = 300000 };
	static const char *copy[N];
	char want[32], big[3 << 20];
	const char *e = textpool_add(&pool, NULL, 0), *b;
	int bad = 0;
	CHECK(e && !*e, "nothing is \"\"");
	CHECK(pool.nblock == 0, "\"\" takes no block: %zu", pool.nblock);
	for (int i = 0; i < N; i++) {
		int n = snprintf(want, sizeof(want), "posting-%d", i);
		copy[i] = textpool_add(&pool, want, (size_t)n);
	}
	CHECK(pool.nblock > 1, "%d values fill more than one block: %zu", N, pool.nblock);
	for (int i = 0; i < N; i++) {
		snprintf(want, sizeof(want), "posting-%d", i);
		bad += strcmp(copy[i], want) != 0;
	}
	CHECK(!bad, "%d of %d texts changed as the pool grew", bad, N);
	memset(big, 'x', sizeof(big));
	b = textpool_add(&pool, big, sizeof(big));
	CHECK(strlen(b) == sizeof(big) && b[0] == 'x', "a value larger than a block is whole");
	CHECK(!strcmp(copy[N - 1], "posting-299999"), "the last small text after the big one");
	b = textpool_add(&pool, "abcdef", 3);
	CHECK(!strcmp(b, "abc"), "n bytes are copied and terminated: '%s'", b);
	textpool_free(&pool);
	CHECK(pool.nblock == 0 && !pool.block, "free empties the pool");
	return test_done();
}
