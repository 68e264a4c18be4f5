#include "core/cprkey.h"

#include <string.h>
#include <unistd.h>

#include "core/banned.h"
#include "core/log.h"

int key_is_cpr(const char *key)
{
	char cpr[CPR_LEN + 1];
	const char *why;
	int mod11;
	return strlen(key) == CPR_LEN && strspn(key, "0123456789") == CPR_LEN &&
	       cpr_parse(key, CPR_LEN, 0, cpr, &mod11, &why) == 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Whether s[i..j) sits in a hex word of 16+ characters with a letter. */
static int in_hex_word(const char *s, size_t len, size_t i, size_t j)
{
	size_t a = i, b = j;
	int letter = 0;
	while (a > 0 && is_hex(s[a - 1]))
		letter |= !is_digit(s[--a]);
	while (b < len && is_hex(s[b]))
		letter |= !is_digit(s[b++]);
	return letter && b - a >= 16;
}

/* The CPR-shaped run at s[i] (a digit after a non-digit): its length, or 0. */
static size_t cpr_run(const char *s, size_t len, size_t i, char cpr[CPR_LEN + 1])
{
	size_t j = i, n;
	const char *why;
	int mod11;
	while (j < len && is_digit(s[j]))
		j++;
	n = j - i;
	/* DDMMYY-SSSS: four digits after the dash, then no digit. Nine digits
	 * (SKAT's CPR without its 0) are not masked: every byte count of
	 * 100-999 MB would be. */
	if (n == 6 && j + 5 <= len && s[j] == '-' && is_digit(s[j + 1]) &&
	    is_digit(s[j + 2]) && is_digit(s[j + 3]) && is_digit(s[j + 4]) &&
	    (j + 5 == len || !is_digit(s[j + 5])))
		n += 5;
	else if (n != 10)
		return 0;
	if (cpr_parse(s + i, n, 0, cpr, &mod11, &why))
		return 0;
	return n;
}

void cpr_mask_text(const char *s, size_t len, struct strbuf *out)
{
	size_t i = 0, from = 0;
	while (i < len) {
		char cpr[CPR_LEN + 1], m[CPR_MASKSZ];
		size_t n;
		if (!is_digit(s[i]) || (i > 0 && is_digit(s[i - 1]))) {
			i++;
			continue;
		}
		n = cpr_run(s, len, i, cpr);
		if (!n || in_hex_word(s, len, i, i + n)) {
			while (i < len && is_digit(s[i]))
				i++;
			continue;
		}
		strbuf_add(out, s + from, i - from);
		strbuf_addstr(out, cpr_mask(cpr, m));
		i += n;
		from = i;
	}
	strbuf_add(out, s + from, len - from);
}

const char *key_masked(const char *key, char buf[CPR_MASKSZ])
{
	return key_is_cpr(key) ? cpr_mask(key, buf) : key;
}

int cpr_show_full(int asked)
{
	if (!asked)
		return 0;
	if (isatty(STDOUT_FILENO))
		return 1;
	log_error("--show-cpr ignored: standard output is not a terminal, so CPR numbers stay "
		  "masked (DDMMYY-xxxx)");
	return 0;
}
