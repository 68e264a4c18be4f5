/*
 * The one grammar of conf/ and schemas/: a line is a directive and its
 * arguments, separated by blanks; "double quotes" keep blanks in a word;
 * '#' starts a comment outside quotes; blank lines are skipped.
 *
 *     input  ky/KY_SumEindkomst_{se}_{date}.csv  ky-sumeindkomst
 *     column "I-SE-nr"  se  required
 */
#ifndef CONFFILE_H
#define CONFFILE_H

enum { CONF_MAXARGS = 40 };	/* words on a line: a store's value list is the longest */

struct conf_line {
	const char *path;
	unsigned long lineno;
	int argc;
	char *argv[CONF_MAXARGS];	/* owned by the reader; valid in the callback */
};

/*
 * Calls fn for every directive line. Stops at the first nonzero return of
 * fn and returns it. A file that cannot be read or a syntax error is
 * reported (path:line: reason) and returns -1.
 */
typedef int (*conf_fn)(const struct conf_line *line, void *data);
int conf_read(const char *path, conf_fn fn, void *data);

/*
 * Parses a size in bytes: digits with an optional K, M, G or T suffix
 * (powers of 1024): "64G", "512M", "1073741824". 0, or -1 when s is not
 * such a size, is 0, or overflows size_t.
 */
#include <stddef.h>
int conf_parse_size(const char *s, size_t *bytes);

/* Reports "path:line: message" for a directive and returns -1. */
int conf_error(const struct conf_line *line, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
