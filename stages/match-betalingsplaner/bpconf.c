/*
 * conf/betalingsplaner.conf, conf/laege-takster.conf and
 * conf/godkendte-udlejere.conf (bpconf.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conffile.h"
#include "core/date.h"
#include "core/strbuf.h"
#include "bpconf.h"
#include "core/banned.h"

struct load {
	struct bp_conf *c;
	const char *dir;	/* the conf file's directory, with '/' */
	unsigned seen;		/* directives read, by bit */
	int places_given;
};

static const char *const directives[] = {
	"scope-ean", "cpr-places", "takster", "udlejere", "warn-plan-days", "amount-basis",
	"sum-tolerance", "credit-notes", "history-months", "kadence-stop-perioder", "suggest",
};

static int number(const struct conf_line *l, const char *s, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < lo || v > hi)
		return conf_error(l, "'%s' is not a number from %d to %d", s, lo, hi);
	*out = (int)v;
	return 0;
}

static int on_takst(const struct conf_line *l, void *data)
{
	struct bp_conf *c = data;
	struct bp_takst t;
	const char *why;
	if (strcmp(l->argv[0], "takst"))
		return conf_error(l, "unknown directive '%s' (takst TYPE FROM-DATE MIN MAX)",
				  l->argv[0]);
	if (l->argc != 5)
		return conf_error(l, "takst takes TYPE FROM-DATE MIN MAX");
	if (strlen(l->argv[1]) != 6 || strncmp(l->argv[1], "LAE", 3))
		return conf_error(l, "certificate type '%s' is not LAE and three digits", l->argv[1]);
	memcpy(t.type, l->argv[1], 7);
	if (day_parse_iso(l->argv[2], &t.from))
		return conf_error(l, "'%s' is not a date YYYY-MM-DD", l->argv[2]);
	if (money_parse(l->argv[3], strlen(l->argv[3]), 0, &t.min, &why))
		return conf_error(l, "MIN '%s': %s", l->argv[3], why);
	if (money_parse(l->argv[4], strlen(l->argv[4]), 0, &t.max, &why))
		return conf_error(l, "MAX '%s': %s", l->argv[4], why);
	if (t.min > t.max)
		return conf_error(l, "MIN is above MAX");
	for (int i = 0; i < c->ntakst; i++)
		if (!strcmp(c->takst[i].type, t.type) && c->takst[i].from == t.from)
			return conf_error(l, "%s from %s is given twice", t.type, l->argv[2]);
	c->takst = xrealloc(c->takst, (size_t)(c->ntakst + 1) * sizeof(*c->takst));
	c->takst[c->ntakst++] = t;
	return 0;
}

static int on_udlejer(const struct conf_line *l, void *data)
{
	struct bp_conf *c = data;
	char cvr[SE_LEN + 1];
	const char *why;
	if (strcmp(l->argv[0], "udlejer"))
		return conf_error(l, "unknown directive '%s' (udlejer CVR \"NAME\")", l->argv[0]);
	if (l->argc < 2 || l->argc > 3)
		return conf_error(l, "udlejer takes CVR and a name");
	if (strlen(l->argv[1]) != SE_LEN || se_parse(l->argv[1], SE_LEN, cvr, &why))
		return conf_error(l, "CVR '%s' is not 8 digits passing modulus 11", l->argv[1]);
	c->udlejere = xrealloc(c->udlejere, (size_t)(c->nudlejere + 1) * sizeof(*c->udlejere));
	memcpy(c->udlejere[c->nudlejere++], cvr, SE_LEN + 1);
	return 0;
}

static int table(struct load *ld, const struct conf_line *l, conf_fn fn)
{
	struct strbuf p = STRBUF_INIT;
	int rc;
	if (l->argc != 2)
		return conf_error(l, "%s takes one file name", l->argv[0]);
	if (l->argv[1][0] != '/')
		strbuf_addstr(&p, ld->dir);
	strbuf_addstr(&p, l->argv[1]);
	rc = conf_read(strbuf_str(&p), fn, ld->c);
	strbuf_release(&p);
	return rc ? -1 : 0;
}

static int on_line(const struct conf_line *l, void *data)
{
	struct load *ld = data;
	struct bp_conf *c = ld->c;
	const char *d = l->argv[0], *why;
	int k = -1;
	for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++)
		if (!strcmp(d, directives[i]))
			k = (int)i;
	if (k < 0)
		return conf_error(l, "unknown directive '%s'", d);
	if (ld->seen & (1u << k))
		return conf_error(l, "'%s' is given twice", d);
	ld->seen |= 1u << k;
	if (!strcmp(d, "scope-ean")) {
		c->scope = xcalloc((size_t)l->argc, sizeof(*c->scope));
		for (int i = 1; i < l->argc; i++) {
			if (strlen(l->argv[i]) != EAN_LEN ||
			    ean_parse(l->argv[i], EAN_LEN, c->scope[c->nscope], &why))
				return conf_error(l, "EAN '%s' is not 13 digits with a valid check "
						  "digit", l->argv[i]);
			c->nscope++;
		}
		return 0;
	}
	if (!strcmp(d, "cpr-places")) {
		static const char *const names[BP_NPLACES] = {
			[BP_LINE_NOTE] = "line-note", [BP_LINE_ITEM_NAME] = "line-item-name",
			[BP_LINE_ITEM_DESC] = "line-item-description",
			[BP_HEADER_NOTE] = "header-note", [BP_ORDER_REF] = "order-ref",
		};
		if (l->argc < 2 || l->argc > 1 + BP_NPLACES)
			return conf_error(l, "cpr-places takes 1 to %d places", BP_NPLACES);
		c->nplaces = 0;
		for (int i = 1; i < l->argc; i++) {
			int p = -1;
			for (int j = 0; j < BP_NPLACES; j++)
				if (!strcmp(l->argv[i], names[j]))
					p = j;
			for (int j = 0; j < c->nplaces && p >= 0; j++)
				if (c->places[j] == p)
					return conf_error(l, "place '%s' is given twice", l->argv[i]);
			if (p < 0)
				return conf_error(l, "unknown place '%s' (line-note line-item-name "
						  "line-item-description header-note order-ref)",
						  l->argv[i]);
			c->places[c->nplaces++] = p;
		}
		return 0;
	}
	if (!strcmp(d, "takster"))
		return table(ld, l, on_takst);
	if (!strcmp(d, "udlejere"))
		return table(ld, l, on_udlejer);
	if (!strcmp(d, "suggest")) {
		static const char *const keys[] = { "min-invoices", "max-cv-pct", "window-months",
						     "slack-days", "margin-pct" };
		int *vals[] = { &c->sug_min, &c->sug_cv, &c->sug_window, &c->sug_slack,
				&c->sug_margin };
		if (l->argc % 2 != 1)
			return conf_error(l, "suggest takes NAME VALUE pairs");
		for (int i = 1; i < l->argc; i += 2) {
			int j = -1;
			for (int x = 0; x < 5; x++)
				if (!strcmp(l->argv[i], keys[x]))
					j = x;
			if (j < 0)
				return conf_error(l, "unknown suggest setting '%s'", l->argv[i]);
			if (number(l, l->argv[i + 1], j == 0 ? 2 : 0, j == 2 ? 120 : 1000, vals[j]))
				return -1;
		}
		if (c->sug_margin > 100)
			return conf_error(l, "margin-pct above 100");
		return 0;
	}
	if (l->argc != 2)
		return conf_error(l, "%s takes one value", d);
	if (!strcmp(d, "warn-plan-days"))
		return number(l, l->argv[1], 0, 3660, &c->warn_days);
	if (!strcmp(d, "history-months"))
		return number(l, l->argv[1], 1, 240, &c->history_months);
	if (!strcmp(d, "kadence-stop-perioder"))
		return number(l, l->argv[1], 1, 1000, &c->stop_periods);
	if (!strcmp(d, "amount-basis")) {
		if (strcmp(l->argv[1], "payable") && strcmp(l->argv[1], "net"))
			return conf_error(l, "amount-basis is payable or net, not '%s'", l->argv[1]);
		c->basis_net = !strcmp(l->argv[1], "net");
		return 0;
	}
	if (!strcmp(d, "credit-notes")) {
		if (strcmp(l->argv[1], "hold") && strcmp(l->argv[1], "post"))
			return conf_error(l, "credit-notes is hold or post, not '%s'", l->argv[1]);
		c->post_credit = !strcmp(l->argv[1], "post");
		return 0;
	}
	/* sum-tolerance */
	if (money_parse(l->argv[1], strlen(l->argv[1]), 0, &c->sum_tolerance, &why) ||
	    c->sum_tolerance < 0)
		return conf_error(l, "sum-tolerance '%s' is not an amount (0,01)", l->argv[1]);
	return 0;
}

int bp_conf_load(const char *path, struct bp_conf *c)
{
	struct strbuf dir = STRBUF_INIT;
	const char *slash = strrchr(path, '/');
	struct load ld = { .c = c };
	int rc;
	bp_conf_defaults(c);
	if (slash)
		strbuf_add(&dir, path, (size_t)(slash - path + 1));
	ld.dir = strbuf_str(&dir);
	rc = conf_read(path, on_line, &ld);
	strbuf_release(&dir);
	return rc ? -1 : 0;
}
