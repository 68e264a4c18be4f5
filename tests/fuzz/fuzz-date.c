/* Months, days and timestamps (core/date.h): a parsed day is a real day. */
#include <stdlib.h>

#include "core/date.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *why;
	int32_t m, d;
	int64_t ts;
	if (month_parse(s, size, &m, &why) == 0 && (m % 100 < 1 || m % 100 > 12))
		abort();
	if (day_parse(s, size, &d, &why) == 0 &&
	    !day_is_valid(d / 10000, d / 100 % 100, d % 100))
		abort();
	(void)timestamp_parse(s, size, &ts, &why);
	return 0;
}
