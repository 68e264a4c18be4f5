/* conf/refusion.conf: see refusionconf.h. */
#include "refusionconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conffile.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/banned.h"

static const char *const form_names[FORM_N] = { "almen", "handicap", "instrumental", "foredrag" };

const char *refusion_form_name(enum refusion_form f)
{
	return f >= 0 && f < FORM_N ? form_names[f] : "?";
}

static enum refusion_form form_by_name(const char *s)
{
	for (int i = 0; i < FORM_N; i++)
		if (!strcmp(form_names[i], s))
			return (enum refusion_form)i;
	return FORM_UNKNOWN;
}

struct load {
	struct refusion_conf *c;
	const struct kommuner *k;
	int have_own, have_period;
	size_t arates, aalias, aagree, aschool;
};

/* A small decimal number of at most 4 digits: its value, or -1. */
static int small_number(const char *s)
{
	int v = 0;
	size_t n = strlen(s);
	if (n == 0 || n > 4)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int need_form(const struct conf_line *l, const char *what, const char *word,
		     enum refusion_form *f)
{
	*f = form_by_name(word);
	if (*f == FORM_UNKNOWN)
		return conf_error(l, "%s: '%s' is not a form (almen, handicap, instrumental, "
				  "foredrag)", what, word);
	return 0;
}

static int need_code(const struct conf_line *l, const struct load *ld, const char *what,
		     const char *word, char out[5])
{
	const struct kommune *m;
	if (kommune_code_parse(word, strlen(word), out))
		return conf_error(l, "%s: '%s' is not a municipality code (3 or 4 digits)", what,
				  word);
	m = kommune_find(ld->k, out);
	if (!m)
		return conf_error(l, "%s: %s is not a municipality of kommuner.conf", what, out);
	return 0;
}

static int line_rate(const struct conf_line *l, struct load *ld)
{
	struct refusion_conf *c = ld->c;
	struct refusion_rate r = { .lineno = l->lineno };
	const char *why;
	const char *y = l->argv[1];
	if (l->argc != 4)
		return conf_error(l, "usage: rate YEAR FORM AMOUNT");
	if (strlen(y) != 4 || strspn(y, "0123456789") != 4)
		return conf_error(l, "rate: year '%s' is not 4 digits", y);
	r.year = small_number(y);
	if (need_form(l, "rate", l->argv[2], &r.form))
		return -1;
	if (money_parse(l->argv[3], strlen(l->argv[3]), 0, &r.ore, &why))
		return conf_error(l, "rate: '%s': %s", l->argv[3], why);
	if (r.ore <= 0 || r.ore > 100000000)
		return conf_error(l, "rate: %s must be above 0 and at most 1000000,00", l->argv[3]);
	for (int i = 0; i < c->nrates; i++)
		if (c->rates[i].year == r.year && c->rates[i].form == r.form)
			return conf_error(l, "rate %d %s given twice", r.year, l->argv[2]);
	c->rates = xgrow(c->rates, &ld->arates, (size_t)c->nrates + 1, sizeof(*c->rates));
	c->rates[c->nrates++] = r;
	return 0;
}

static int line_alias(const struct conf_line *l, struct load *ld)
{
	struct refusion_conf *c = ld->c;
	struct refusion_alias a;
	char w[128];
	if (l->argc != 3)
		return conf_error(l, "usage: form-alias WORD FORM");
	if (need_form(l, "form-alias", l->argv[2], &a.form))
		return -1;
	fold_case(l->argv[1], strlen(l->argv[1]), w, sizeof(w));
	for (int i = 0; i < c->nalias; i++)
		if (!strcmp(c->alias[i].word, w))
			return conf_error(l, "form-alias %s given twice", l->argv[1]);
	a.word = xstrdup(w);
	c->alias = xgrow(c->alias, &ld->aalias, (size_t)c->nalias + 1, sizeof(*c->alias));
	c->alias[c->nalias++] = a;
	return 0;
}

static int conf_line_fn(const struct conf_line *l, void *data)
{
	struct load *ld = data;
	struct refusion_conf *c = ld->c;
	const char *d = l->argv[0];
	enum refusion_form f;

	if (!strcmp(d, "own-municipality")) {
		if (l->argc != 2)
			return conf_error(l, "usage: own-municipality CODE");
		if (ld->have_own)
			return conf_error(l, "own-municipality given twice");
		if (need_code(l, ld, "own-municipality", l->argv[1], c->own))
			return -1;
		ld->have_own = 1;
	} else if (!strcmp(d, "period")) {
		if (l->argc != 2 || strcmp(l->argv[1], "half-year"))
			return conf_error(l, "usage: period half-year (the only period for now)");
		ld->have_period = 1;
	} else if (!strcmp(d, "rate")) {
		return line_rate(l, ld);
	} else if (!strcmp(d, "not-chargeable")) {
		if (l->argc != 2)
			return conf_error(l, "usage: not-chargeable FORM");
		if (need_form(l, "not-chargeable", l->argv[1], &f))
			return -1;
		c->not_chargeable[f] = 1;
	} else if (!strcmp(d, "form-alias")) {
		return line_alias(l, ld);
	} else if (!strcmp(d, "agreement")) {
		if (l->argc < 2)
			return conf_error(l, "usage: agreement CODE...");
		for (int i = 1; i < l->argc; i++) {
			char code[5];
			if (need_code(l, ld, "agreement", l->argv[i], code))
				return -1;
			if (ld->have_own && !strcmp(code, c->own))
				return conf_error(l, "agreement: %s is the own municipality", code);
			c->agreement = xgrow(c->agreement, &ld->aagree, (size_t)c->nagreement + 1,
					     sizeof(*c->agreement));
			memcpy(c->agreement[c->nagreement++], code, 5);
		}
	} else if (!strcmp(d, "report-deadline-years")) {
		int n = l->argc == 2 ? small_number(l->argv[1]) : -1;
		if (n < 0 || n > 10)
			return conf_error(l, "usage: report-deadline-years N (0 to 10)");
		c->deadline_years = n;
	} else if (!strcmp(d, "school")) {
		if (l->argc != 3)
			return conf_error(l, "usage: school CODE \"NAME\"");
		for (int i = 0; i < c->nschool; i++)
			if (!strcmp(c->school[i].code, l->argv[1]))
				return conf_error(l, "school %s given twice", l->argv[1]);
		c->school = xgrow(c->school, &ld->aschool, (size_t)c->nschool + 1,
				  sizeof(*c->school));
		c->school[c->nschool].code = xstrdup(l->argv[1]);
		c->school[c->nschool++].name = xstrdup(l->argv[2]);
	} else {
		return conf_error(l, "unknown directive '%s' (own-municipality, period, rate, "
				  "not-chargeable, form-alias, agreement, "
				  "report-deadline-years, school)", d);
	}
	return 0;
}

int refusion_conf_load(const char *path, const struct kommuner *k, struct refusion_conf *c)
{
	struct load ld = { .c = c, .k = k };
	memset(c, 0, sizeof(*c));
	if (conf_read(path, conf_line_fn, &ld))
		goto fail;
	if (!ld.have_own) {
		log_error("%s: no own-municipality", path);
		goto fail;
	}
	for (int i = 0; i < c->nagreement; i++)
		if (!strcmp(c->agreement[i], c->own)) {
			log_error("%s: agreement names the own municipality %s", path, c->own);
			goto fail;
		}
	return 0;
fail:
	refusion_conf_free(c);
	return -1;
}

void refusion_conf_free(struct refusion_conf *c)
{
	for (int i = 0; i < c->nalias; i++)
		free(c->alias[i].word);
	for (int i = 0; i < c->nschool; i++) {
		free(c->school[i].code);
		free(c->school[i].name);
	}
	free(c->rates);
	free(c->alias);
	free(c->agreement);
	free(c->school);
	memset(c, 0, sizeof(*c));
}

enum refusion_form refusion_form(const struct refusion_conf *c, const char *word, size_t len)
{
	char w[128];
	enum refusion_form f;
	while (len && *word == ' ')
		word++, len--;
	while (len && word[len - 1] == ' ')
		len--;
	fold_case(word, len, w, sizeof(w));
	f = form_by_name(w);
	if (f != FORM_UNKNOWN)
		return f;
	for (int i = 0; i < c->nalias; i++)
		if (!strcmp(c->alias[i].word, w))
			return c->alias[i].form;
	return FORM_UNKNOWN;
}

money_t refusion_rate(const struct refusion_conf *c, int year, enum refusion_form form)
{
	for (int i = 0; i < c->nrates; i++)
		if (c->rates[i].year == year && c->rates[i].form == form)
			return c->rates[i].ore;
	return -1;
}

int refusion_is_agreement(const struct refusion_conf *c, const char code[5])
{
	for (int i = 0; i < c->nagreement; i++)
		if (!strcmp(c->agreement[i], code))
			return 1;
	return 0;
}

const char *refusion_school_name(const struct refusion_conf *c, const char *code)
{
	for (int i = 0; i < c->nschool; i++)
		if (!strcmp(c->school[i].code, code))
			return c->school[i].name;
	return code;
}

money_t refusion_value(int64_t hundredths, money_t rate_ore)
{
	int64_t p;
	if (hundredths < 0 || rate_ore < 0 || __builtin_mul_overflow(hundredths, rate_ore, &p) ||
	    p > INT64_MAX - 50)
		return -1;
	return (p + 50) / 100;
}

int32_t period_of_day(int32_t d)
{
	return d / 10000 * 10 + ((d / 100 % 100) <= 6 ? 1 : 2);
}

int32_t period_last_month(int32_t p)
{
	return p / 10 * 100 + (p % 10 == 1 ? 6 : 12);
}

int32_t period_last_day(int32_t p)
{
	return period_last_month(p) * 100 + (p % 10 == 1 ? 30 : 31);
}

char *period_format(int32_t p, char buf[16])
{
	snprintf(buf, 16, "%04d-%d", (int)(p / 10), (int)(p % 10));
	return buf;
}

int period_parse(const char *s, size_t len, int32_t *p)
{
	if (len != 6 || s[4] != '-' || (s[5] != '1' && s[5] != '2'))
		return -1;
	for (int i = 0; i < 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	*p = (int32_t)(((s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
			(s[3] - '0')) * 10 + (s[5] - '0'));
	return 0;
}
