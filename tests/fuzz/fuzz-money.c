/* Amounts (core/money.h) under every flag: never a crash or an overflow,
 * and a parsed amount is within what a 64-bit sum of it can take. */
#include <stdlib.h>

#include "core/money.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	money_t m;
	const char *why;
	unsigned flags;
	if (size == 0)
		return 0;
	flags = data[0] & (MONEY_TRAILING_MINUS | MONEY_NO_LEADING_ZERO);
	if (money_parse((const char *)data + 1, size - 1, flags, &m, &why) == 0) {
		if (m == INT64_MIN)
			abort();	/* its negation would overflow */
	} else if (!why) {
		abort();
	}
	return 0;
}
