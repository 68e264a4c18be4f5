#include "core/cprkey.h"

#include <string.h>

#include "core/banned.h"

int key_is_cpr(const char *key)
{
	char cpr[CPR_LEN + 1];
	const char *why;
	int mod11;
	return strlen(key) == CPR_LEN && strspn(key, "0123456789") == CPR_LEN &&
	       cpr_parse(key, CPR_LEN, 0, cpr, &mod11, &why) == 0;
}

const char *key_masked(const char *key, char buf[CPR_MASKSZ])
{
	return key_is_cpr(key) ? cpr_mask(key, buf) : key;
}
