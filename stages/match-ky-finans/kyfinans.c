/* conf/ky-finans.conf: see kyfinans.h. */
#include "kyfinans.h"

#include <stdlib.h>
#include <string.h>

#include "core/conffile.h"
#include "core/strbuf.h"
#include "match/accounts.h"
#include "core/banned.h"

static int mapped(const struct kyfinans_conf *c, const char *konto, const char *detalj)
{
	for (int i = 0; i < c->nmap; i++)
		if (!strcmp(c->map[i].konto, konto) &&
		    !strcmp(c->map[i].detalj ? c->map[i].detalj : "*", detalj))
			return 1;
	return 0;
}

/*
 * A mapped ERP account that holds another as whole segments (5.57.72 and
 * 5.57.72.001) would count one ERP posting on both; NULL if none does.
 */
static const char *overlapping(const struct kyfinans_conf *c, const char *account)
{
	for (int i = 0; i < c->nmap; i++) {
		const char *a = c->map[i].account;
		if (strcmp(a, account) && (account_matches(a, account, strlen(account)) ||
					   account_matches(account, a, strlen(a))))
			return a;
	}
	return NULL;
}

static int line(const struct conf_line *l, void *data)
{
	struct kyfinans_conf *c = data;
	if (!strcmp(l->argv[0], "clearing-prefix")) {
		if (l->argc < 2)
			return conf_error(l, "usage: clearing-prefix PREFIX...");
		for (int i = 1; i < l->argc; i++) {
			c->prefix = xrealloc(c->prefix, (size_t)(c->nprefix + 1) * sizeof(char *));
			c->prefix[c->nprefix++] = xstrdup(l->argv[i]);
		}
		return 0;
	}
	if (!strcmp(l->argv[0], "map")) {
		struct kyfinans_map *m;
		const char *other;
		if (l->argc != 4)
			return conf_error(l, "usage: map KONTO DETALJERINGSKONTO|* ACCOUNT");
		if (mapped(c, l->argv[1], l->argv[2]))
			return conf_error(l, "konto '%s' %s mapped twice", l->argv[1], l->argv[2]);
		if ((other = overlapping(c, l->argv[3])))
			return conf_error(l, "ERP account '%s' overlaps '%s' mapped above: a "
					  "posting would count on both", l->argv[3], other);
		c->map = xrealloc(c->map, (size_t)(c->nmap + 1) * sizeof(*m));
		m = &c->map[c->nmap++];
		m->konto = xstrdup(l->argv[1]);
		m->detalj = strcmp(l->argv[2], "*") ? xstrdup(l->argv[2]) : NULL;
		m->account = xstrdup(l->argv[3]);
		return 0;
	}
	return conf_error(l, "unknown directive '%s' (clearing-prefix, map)", l->argv[0]);
}

int kyfinans_load(const char *path, struct kyfinans_conf *c)
{
	memset(c, 0, sizeof(*c));
	if (conf_read(path, line, c)) {
		kyfinans_free(c);
		return -1;
	}
	return 0;
}

void kyfinans_free(struct kyfinans_conf *c)
{
	for (int i = 0; i < c->nprefix; i++)
		free(c->prefix[i]);
	for (int i = 0; i < c->nmap; i++) {
		free(c->map[i].konto);
		free(c->map[i].detalj);
		free(c->map[i].account);
	}
	free(c->prefix);
	free(c->map);
	memset(c, 0, sizeof(*c));
}

int kyfinans_is_clearing(const struct kyfinans_conf *c, const char *konto, size_t len)
{
	for (int i = 0; i < c->nprefix; i++) {
		size_t n = strlen(c->prefix[i]);
		if (len >= n && !memcmp(konto, c->prefix[i], n))
			return 1;
	}
	return 0;
}

static int same(const char *s, const char *t, size_t len)
{
	return strlen(s) == len && !memcmp(s, t, len);
}

/* An exact detaljeringskonto wins over '*'. */
const char *kyfinans_account(const struct kyfinans_conf *c, const char *konto, size_t klen,
			     const char *detalj, size_t dlen)
{
	const char *any = NULL;
	for (int i = 0; i < c->nmap; i++) {
		const struct kyfinans_map *m = &c->map[i];
		if (!same(m->konto, konto, klen))
			continue;
		if (!m->detalj)
			any = m->account;
		else if (detalj && same(m->detalj, detalj, dlen))
			return m->account;
	}
	return any;
}
