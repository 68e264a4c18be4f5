#include "core/ident.h"

#include <string.h>

#include "core/date.h"
#include "core/banned.h"

static int fail(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* The 7th digit and the two-digit year give the century. */
static int cpr_century(int digit7, int yy)
{
	if (digit7 <= 3)
		return 1900;
	if (digit7 == 4 || digit7 == 9)
		return yy <= 36 ? 2000 : 1900;
	return yy <= 57 ? 2000 : 1800;
}

int cpr_birth_date(const char c[CPR_LEN], int *out)
{
	int d = (c[0] - '0') * 10 + c[1] - '0';
	/* A substitute number (erstatningspersonnummer) has the day raised by 60. */
	if (d >= 61 && d <= 91)
		d -= 60;
	int m = (c[2] - '0') * 10 + c[3] - '0';
	int yy = (c[4] - '0') * 10 + c[5] - '0';
	int y = cpr_century(c[6] - '0', yy) + yy;
	if (!day_is_valid(y, m, d))
		return -1;
	*out = y * 10000 + m * 100 + d;
	return 0;
}

int cpr_mod11_ok(const char c[CPR_LEN])
{
	static const int w[CPR_LEN] = { 4, 3, 2, 7, 6, 5, 4, 3, 2, 1 };
	int sum = 0;
	for (int i = 0; i < CPR_LEN; i++)
		sum += (c[i] - '0') * w[i];
	return sum % 11 == 0;
}

/* Collects the digits of DDMMYY-SSSS / DDMMYYSSSS (or, padded, DMMYY...). */
static size_t cpr_digits(const char *s, size_t len, char d[CPR_LEN])
{
	size_t n = 0;
	size_t dash = len >= 5 ? len - 5 : len;	/* the dash sits before SSSS */
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '-' && i == dash && i > 0)
			continue;
		if (s[i] < '0' || s[i] > '9' || n == CPR_LEN)
			return 0;
		d[n++] = s[i];
	}
	return n;
}

int cpr_parse(const char *s, size_t len, unsigned flags, char out[CPR_LEN + 1],
	      int *mod11_ok, const char **why)
{
	char d[CPR_LEN];
	size_t n;
	int birth;

	if (flags & CPR_TRIM_BLANKS) {
		while (len && *s == ' ')
			s++, len--;
		while (len && s[len - 1] == ' ')
			len--;
	}
	n = cpr_digits(s, len, d);

	if (n == CPR_LEN - 1 && (flags & CPR_PAD_LEADING_ZERO)) {
		memmove(d + 1, d, n);
		d[0] = '0';
		n++;
	}
	if (n != CPR_LEN && (memchr(s, 'E', len) || memchr(s, 'e', len)) &&
	    (memchr(s, '+', len) || memchr(s, '.', len) || memchr(s, ',', len)))
		return fail(why, "CPR in exponent notation (Excel made the number of it and "
			    "lost digits; export the column as text)");
	if (n == CPR_LEN - 1)
		return fail(why, "CPR has 9 digits (a leading 0 lost? the schema says "
			    "pad-cpr where the sender drops it)");
	if (n != CPR_LEN)
		return fail(why, "CPR is not DDMMYY-SSSS or DDMMYYSSSS");
	if (cpr_birth_date(d, &birth))
		return fail(why, "CPR date part is not a real date");
	memcpy(out, d, CPR_LEN);
	out[CPR_LEN] = '\0';
	*mod11_ok = cpr_mod11_ok(d);
	return 0;
}

char *cpr_mask(const char *c, char buf[CPR_MASKSZ])
{
	if (strlen(c) < 6) {
		memcpy(buf, "xxxxxx-xxxx", CPR_MASKSZ);
		return buf;
	}
	memcpy(buf, c, 6);
	memcpy(buf + 6, "-xxxx", 6);
	return buf;
}

int se_parse(const char *s, size_t len, char out[SE_LEN + 1], const char **why)
{
	static const int w[SE_LEN] = { 2, 7, 6, 5, 4, 3, 2, 1 };
	int sum = 0;
	if (len != SE_LEN || !all_digits(s, len))
		return fail(why, "SE/CVR number is not 8 digits");
	if (s[0] == '0')
		return fail(why, "SE/CVR number cannot start with 0");
	for (int i = 0; i < SE_LEN; i++)
		sum += (s[i] - '0') * w[i];
	if (sum % 11)
		return fail(why, "SE/CVR number fails the modulus 11 check");
	memcpy(out, s, SE_LEN);
	out[SE_LEN] = '\0';
	return 0;
}

int ean_parse(const char *s, size_t len, char out[EAN_LEN + 1], const char **why)
{
	int sum = 0;
	if (len != EAN_LEN || !all_digits(s, len))
		return fail(why, "EAN number is not 13 digits");
	/* From the right, excluding the check digit: weights 3,1,3,1,... */
	for (int i = EAN_LEN - 2, k = 0; i >= 0; i--, k++)
		sum += (s[i] - '0') * (k % 2 == 0 ? 3 : 1);
	if ((10 - sum % 10) % 10 != s[EAN_LEN - 1] - '0')
		return fail(why, "EAN number has a wrong check digit");
	memcpy(out, s, EAN_LEN);
	out[EAN_LEN] = '\0';
	return 0;
}
