#include "core/money.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int fail(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

/* Accumulates the integer part, checking that dots group by three. */
static int parse_integer(const char *s, size_t len, int64_t *kroner,
			 const char **why)
{
	int64_t v = 0;
	size_t group = 0, i;
	int grouped = 0;

	if (len == 0)
		return fail(why, "amount has no digits before the comma");
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (c == '.') {
			if (group == 0 || (grouped && group != 3) || group > 3)
				return fail(why, "thousands dot in the wrong place");
			grouped = 1;
			group = 0;
			continue;
		}
		if (!is_digit(c))
			return fail(why, "amount has a character that is not a digit");
		if (v > (INT64_MAX / 100 - 9) / 10)
			return fail(why, "amount out of range");
		v = v * 10 + (c - '0');
		group++;
	}
	if (grouped && group != 3)
		return fail(why, "thousands dot in the wrong place");
	*kroner = v;
	return 0;
}

static int parse_decimals(const char *s, size_t len, int64_t *ore,
			  const char **why)
{
	if (len == 0 || len > 2)
		return fail(why, len ? "amount has more than two decimals"
				     : "amount has a comma but no decimals");
	if (!is_digit(s[0]) || (len == 2 && !is_digit(s[1])))
		return fail(why, "amount has a character that is not a digit");
	*ore = (s[0] - '0') * 10 + (len == 2 ? s[1] - '0' : 0);
	return 0;
}

int money_parse(const char *s, size_t len, unsigned flags, money_t *out,
		const char **why)
{
	int neg = 0;
	int64_t kroner, ore = 0;
	const char *comma;

	while (len && s[0] == ' ')
		s++, len--;
	while (len && s[len - 1] == ' ')
		len--;
	if (len == 0)
		return fail(why, "amount is empty");
	if (s[0] == '-') {
		neg = 1;
		s++, len--;
	} else if (len && s[len - 1] == '-') {
		if (!(flags & MONEY_TRAILING_MINUS))
			return fail(why, "trailing minus is not allowed in this file");
		neg = 1;
		len--;
	}
	if (len == 0)
		return fail(why, "amount has no digits");
	if (memchr(s, 'E', len) || memchr(s, 'e', len))
		return fail(why, "amount in exponent notation (Excel lost its digits)");
	comma = memchr(s, ',', len);
	if (comma && memchr(comma + 1, ',', len - (size_t)(comma + 1 - s)))
		return fail(why, "amount has more than one comma");
	if (comma == s && (flags & MONEY_NO_LEADING_ZERO))
		kroner = 0;
	else if (parse_integer(s, comma ? (size_t)(comma - s) : len, &kroner, why))
		return -1;
	if (comma && parse_decimals(comma + 1, len - (size_t)(comma + 1 - s),
				    &ore, why))
		return -1;
	*out = neg ? -(kroner * 100 + ore) : kroner * 100 + ore;
	return 0;
}

/*
 * v as [-]kroner,øre into buf, the kroner's digits grouped by three with
 * sep when sep is not 0. Written from the right, no printf: the report and
 * the workbook format an amount per cell of every summary row.
 */
static char *format_ore(money_t v, char sep, char buf[MONEY_BUFSZ])
{
	/* Negate in unsigned space: -INT64_MIN would overflow. */
	uint64_t a = v < 0 ? 0 - (uint64_t)v : (uint64_t)v, kr = a / 100;
	char tmp[MONEY_BUFSZ];
	size_t o = sizeof(tmp), n = 0, len;
	tmp[--o] = (char)('0' + a % 10);
	tmp[--o] = (char)('0' + a / 10 % 10);
	tmp[--o] = ',';
	do {
		if (sep && n && n % 3 == 0)
			tmp[--o] = sep;
		tmp[--o] = (char)('0' + kr % 10);
		kr /= 10;
		n++;
	} while (kr);
	if (v < 0)
		tmp[--o] = '-';
	len = sizeof(tmp) - o;
	memcpy(buf, tmp + o, len);
	buf[len] = '\0';
	return buf;
}

char *money_format(money_t v, char buf[MONEY_BUFSZ])
{
	return format_ore(v, 0, buf);
}

char *money_format_grouped(money_t v, char buf[MONEY_BUFSZ])
{
	return format_ore(v, '.', buf);
}

int money_add(money_t *acc, money_t v)
{
	money_t r;
	if (__builtin_add_overflow(*acc, v, &r))
		return -1;
	*acc = r;
	return 0;
}
