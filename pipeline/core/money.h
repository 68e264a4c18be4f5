/*
 * Money is int64 øre. Parsing is strict Danish notation; anything else is
 * rejected with a reason, never guessed.
 */
#ifndef MONEY_H
#define MONEY_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t money_t;

enum money_flags {
	MONEY_TRAILING_MINUS = 1,	/* accept "8.540,00-" (KMD Opus, SAP) */
	MONEY_NO_LEADING_ZERO = 2,	/* accept ",64" and "-,64" (SKAT's files) */
};

/*
 * The largest amount, and the largest sum of the amounts of one file
 * (absolute values), the pipeline takes: 100.000.000.000.000,00 kr (10^16
 * øre, fifty times Denmark's yearly GDP). Within it no sum a
 * reconciliation makes over fewer than 900 files can overflow 64 bits:
 * an amount past it is a rejected row, a file past it is refused
 * (normalise), never a night stopped by an overflow.
 */
#define MONEY_FILE_MAX ((money_t)10000000000000000LL)

/*
 * Parses s[0..len): optional '-', digits with optional thousands dots
 * (groups of exactly three), optional ',' and one or two decimals.
 * Surrounding spaces are ignored. A number in exponent notation
 * (1.20391E+09, what Excel makes of a long number) is refused with that
 * reason. Returns 0 and sets *out, or -1 and sets *why to a static reason.
 */
int money_parse(const char *s, size_t len, unsigned flags, money_t *out,
		const char **why);

/* "-5837,42", "0,00": no thousands separator (the files' format). */
enum { MONEY_BUFSZ = 48 };
char *money_format(money_t v, char buf[MONEY_BUFSZ]);
/* "-1.278.002,64": with thousands dots (the report's format). */
char *money_format_grouped(money_t v, char buf[MONEY_BUFSZ]);

/* Adds with overflow check: returns -1 on overflow, leaves *acc alone. */
int money_add(money_t *acc, money_t v);

#endif
