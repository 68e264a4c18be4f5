#include "cells.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cprkey.h"
#include "core/date.h"
#include "core/banned.h"

size_t amount_width(money_t ore)
{
	uint64_t kr = (ore < 0 ? 0 - (uint64_t)ore : (uint64_t)ore) / 100;
	size_t n = 1;
	while (kr >= 10) {
		kr /= 10;
		n++;
	}
	return (ore < 0) + n + (n - 1) / 3 + 3;	/* sign, digits, dots, ",00" */
}

size_t utf8_width(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

void cell_release(struct cell *c)
{
	strbuf_release(&c->text);
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

/* YYYY-MM-DDTHH:MM:SSZ (decisions/: when a clerk decided). */
static int parse_datetime(const char *s, struct cell *c)
{
	int32_t d;
	if (strlen(s) != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' ||
	    !all_digits(s + 11, 2) || !all_digits(s + 14, 2) || !all_digits(s + 17, 2))
		return -1;
	char day[11];
	memcpy(day, s, 10);
	day[10] = '\0';
	if (day_parse_iso(day, &d))
		return -1;
	c->year = d / 10000;
	c->month = d / 100 % 100;
	c->day = d % 100;
	c->hour = (s[11] - '0') * 10 + (s[12] - '0');
	c->min = (s[14] - '0') * 10 + (s[15] - '0');
	c->sec = (s[17] - '0') * 10 + (s[18] - '0');
	return c->hour < 24 && c->min < 60 && c->sec < 60 ? 0 : -1;
}

int cell_parse(const char *s, enum term_type type, int mask_cpr, struct cell *c,
	       const char **why)
{
	int32_t d;
	memset(c, 0, sizeof(*c));
	if (!*s)
		return 0;
	switch (type) {
	case TERM_AMOUNT:
		if (money_parse(s, strlen(s), 0, &c->ore, why))
			return -1;
		c->kind = CELL_AMOUNT;
		c->width = amount_width(c->ore);
		return 0;
	case TERM_INTEGER:
		if (!all_digits(s[0] == '-' ? s + 1 : s, strlen(s[0] == '-' ? s + 1 : s)) ||
		    strlen(s) > 15) {
			*why = "not a whole number";
			return -1;
		}
		c->kind = CELL_INTEGER;
		c->integer = strtoll(s, NULL, 10);
		c->width = strlen(s);
		return 0;
	case TERM_DATE:
		if (strlen(s) != 10 || day_parse_iso(s, &d)) {
			*why = "not a date YYYY-MM-DD";
			return -1;
		}
		c->kind = CELL_DATE;
		c->year = d / 10000;
		c->month = d / 100 % 100;
		c->day = d % 100;
		c->width = 10;
		return 0;
	case TERM_DATETIME:
		if (parse_datetime(s, c)) {
			*why = "not a time YYYY-MM-DDTHH:MM:SSZ";
			return -1;
		}
		c->kind = CELL_DATETIME;
		c->width = 19;
		return 0;
	case TERM_STATUS: {
		/* the class of an exception ("break", "warning"): the status word */
		char code[32];
		size_t i;
		for (i = 0; s[i] && i + 1 < sizeof(code); i++)
			code[i] = (char)toupper((unsigned char)s[i]);
		code[i] = '\0';
		c->kind = CELL_TEXT;
		strbuf_addstr(&c->text, terms_status(code));
		c->width = utf8_width(c->text.buf);
		return 0;
	}
	case TERM_CPR:
	case TERM_TEXT:
		break;
	}
	c->kind = CELL_TEXT;
	/* A CPR column holds a CPR even when its date part is no date (a number
	 * a school wrote wrong): ten digits, or six, '-' and four, are masked. */
	if (mask_cpr && type == TERM_CPR &&
	    ((strlen(s) == 10 && all_digits(s, 10)) ||
	     (strlen(s) == 11 && s[6] == '-' && all_digits(s, 6) && all_digits(s + 7, 4)))) {
		strbuf_add(&c->text, s, 6);
		strbuf_addstr(&c->text, "-xxxx");
	} else if (mask_cpr)
		cpr_mask_text(s, strlen(s), &c->text);
	else
		strbuf_addstr(&c->text, s);
	c->width = utf8_width(c->text.buf);
	return 0;
}
