/* conf/opkraevning.conf: see opkconf.h. */
#include "opkconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/conffile.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/banned.h"

enum { NSEEN = 9 };

struct load {
	struct opk_conf *c;
	unsigned long seen[NSEEN];	/* line of each directive, 0 while unseen */
};

static int once(struct load *ld, const struct conf_line *l, int i)
{
	if (ld->seen[i])
		return conf_error(l, "%s given twice (first on line %lu)", l->argv[0],
				  ld->seen[i]);
	ld->seen[i] = l->lineno;
	return 0;
}

static int name(const struct conf_line *l, char *out)
{
	if (!l->argv[2][0] || strlen(l->argv[2]) >= OPK_NAME_MAX)
		return conf_error(l, "%s %s: a name of 1 to %d characters", l->argv[0],
				  l->argv[1], OPK_NAME_MAX - 1);
	xstrlcpy(out, l->argv[2], OPK_NAME_MAX);
	return 0;
}

static int number(const struct conf_line *l, int *out)
{
	const char *s = l->argv[1];
	long v = 0;
	if (!*s || strlen(s) > 4)
		return conf_error(l, "%s: '%s' is not a number from 0 to 3650", l->argv[0], s);
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return conf_error(l, "%s: '%s' is not a number from 0 to 3650",
					  l->argv[0], l->argv[1]);
		v = v * 10 + (*s - '0');
	}
	if (v > 3650)
		return conf_error(l, "%s: '%s' is not a number from 0 to 3650", l->argv[0],
				  l->argv[1]);
	*out = (int)v;
	return 0;
}

static int line(const struct conf_line *l, void *data)
{
	static const char *const numbers[] = {
		"adult-age", "lookahead-days", "months-back", "ns-booking-days",
	};
	struct load *ld = data;
	struct opk_conf *c = ld->c;
	const char *d = l->argv[0];
	if (!strcmp(d, "central-type") || !strcmp(d, "job")) {
		int central = d[0] == 'c';
		const char *k = l->argc > 1 ? l->argv[1] : "";
		if (l->argc != 3)
			return conf_error(l, central ? "usage: central-type berettiget|"
					  "ikke-berettiget|individuelt NAME" :
					  "usage: job elevbetalinger|individuelle NAME");
		if (central && !strcmp(k, "berettiget"))
			return once(ld, l, 0) || name(l, c->berettiget);
		if (central && !strcmp(k, "ikke-berettiget"))
			return once(ld, l, 1) || name(l, c->ikke_berettiget);
		if (central && !strcmp(k, "individuelt"))
			return once(ld, l, 2) || name(l, c->individuelt);
		if (!central && !strcmp(k, "elevbetalinger"))
			return once(ld, l, 3) || name(l, c->job_elevbetalinger);
		if (!central && !strcmp(k, "individuelle"))
			return once(ld, l, 4) || name(l, c->job_individuelle);
		return conf_error(l, central ? "unknown central type '%s' (berettiget, "
				  "ikke-berettiget, individuelt)" :
				  "unknown job '%s' (elevbetalinger, individuelle)", k);
	}
	for (int i = 0; i < 4; i++) {
		int *v[] = { &c->adult_age, &c->lookahead_days, &c->months_back,
			     &c->ns_booking_days };
		if (strcmp(d, numbers[i]))
			continue;
		if (l->argc != 2)
			return conf_error(l, "usage: %s N", d);
		return once(ld, l, 5 + i) || number(l, v[i]);
	}
	return conf_error(l, "unknown directive '%s' (central-type, job, adult-age, "
			  "lookahead-days, months-back, ns-booking-days)", d);
}

void opk_conf_default(struct opk_conf *c)
{
	memset(c, 0, sizeof(*c));
	xstrlcpy(c->berettiget, "Skhber", OPK_NAME_MAX);
	xstrlcpy(c->ikke_berettiget, "Skhejb", OPK_NAME_MAX);
	xstrlcpy(c->individuelt, "Individuelt gebyr", OPK_NAME_MAX);
	xstrlcpy(c->job_elevbetalinger, "D438", OPK_NAME_MAX);
	xstrlcpy(c->job_individuelle, "D638", OPK_NAME_MAX);
	c->adult_age = 18;
	c->lookahead_days = 30;
	c->months_back = 1;
	c->ns_booking_days = 10;
}

int opk_conf_load(const char *path, struct opk_conf *c)
{
	struct load ld = { .c = c };
	opk_conf_default(c);
	if (conf_read(path, line, &ld))
		return -1;
	if (!strcmp(c->berettiget, c->ikke_berettiget)) {
		/* rule 7 could never tell the two apart */
		log_error("%s: central-type berettiget and ikke-berettiget are both '%s'",
			  path, c->berettiget);
		return -1;
	}
	return 0;
}
