#include "match/matchconf.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/conffile.h"
#include "core/banned.h"

struct load {
	const char *recon;
	struct match_conf *m;
};

struct setting {
	const char *name;
	long long min, max;
};

/* The stages that read this file: a line for another name is a typo. */
static const char *const recons[] = { "nemkonto", "debitor", "faktura" };

static int known_recon(const char *name)
{
	for (size_t i = 0; i < sizeof(recons) / sizeof(recons[0]); i++)
		if (!strcmp(recons[i], name))
			return 1;
	return 0;
}

static const struct setting settings[] = {
	{ "pair-window", -1, 36600 },
	{ "group-window", -1, 36600 },
	{ "max-group", 1, GM_MAX_GROUP },
	{ "max-steps", 1, 1000000000LL },
	{ "lookback-months", 0, 120 },
	{ "transit-days", 0, 365 },
	{ "balance-rest", 0, 1 },
	{ "return-window", 0, 36600 },
};

void matchconf_defaults(struct match_conf *m)
{
	struct gm_limits lim = GM_LIMITS_DEFAULT;
	m->lim = lim;
	m->lookback_months = 1;
	m->transit_days = 0;
	m->return_window = 0;
}

static void apply(struct match_conf *m, int which, long long v)
{
	switch (which) {
	case 0: m->lim.pair_window = (int)v; break;
	case 1: m->lim.group_window = (int)v; break;
	case 2: m->lim.max_group = (int)v; break;
	case 3: m->lim.max_steps = (uint64_t)v; break;
	case 4: m->lookback_months = (int)v; break;
	case 5: m->transit_days = (int)v; break;
	case 6: m->lim.balance_rest = (int)v; break;
	default: m->return_window = (int)v; break;
	}
}

static int line(const struct conf_line *l, void *data)
{
	struct load *ld = data;
	char *end;
	long long v;
	int which = -1;
	if (strcmp(l->argv[0], "set") || l->argc != 4)
		return conf_error(l, "usage: set RECON SETTING VALUE");
	if (!known_recon(l->argv[1]))
		return conf_error(l, "unknown reconciliation '%s' (nemkonto, debitor, faktura)",
				  l->argv[1]);
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		if (!strcmp(settings[i].name, l->argv[2]))
			which = (int)i;
	if (which < 0)
		return conf_error(l, "unknown setting '%s' (pair-window, group-window, max-group, "
				  "max-steps, lookback-months, transit-days, balance-rest, return-window)", l->argv[2]);
	errno = 0;
	v = strtoll(l->argv[3], &end, 10);
	if (errno || end == l->argv[3] || *end || v < settings[which].min ||
	    v > settings[which].max)
		return conf_error(l, "%s: '%s' is not an integer from %lld to %lld", l->argv[2],
				  l->argv[3], settings[which].min, settings[which].max);
	if (!strcmp(l->argv[1], ld->recon))
		apply(ld->m, which, v);
	return 0;
}

int matchconf_load(const char *path, const char *recon, struct match_conf *m)
{
	struct load ld = { recon, m };
	matchconf_defaults(m);
	return conf_read(path, line, &ld) ? -1 : 0;
}

int matchconf_months_back(const struct match_conf *m, int months_back)
{
	return months_back < m->lookback_months ? months_back : m->lookback_months;
}
