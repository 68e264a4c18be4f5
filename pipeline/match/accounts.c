#include "match/accounts.h"

#include <stdlib.h>
#include <string.h>

#include "core/conffile.h"
#include "core/ident.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/banned.h"

static int role_name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

static struct account_section *section_add(struct accounts *a, const char *se)
{
	struct account_section *s;
	a->sections = xrealloc(a->sections, (size_t)(a->nsections + 1) * sizeof(*s));
	s = &a->sections[a->nsections++];
	memset(s, 0, sizeof(*s));
	xstrlcpy(s->se, se, sizeof(s->se));
	return s;
}

static struct account_section *section_find(const struct accounts *a, const char *se)
{
	for (int i = 0; i < a->nsections; i++)
		if (!strcmp(a->sections[i].se, se))
			return &a->sections[i];
	return NULL;
}

static int line_municipality(const struct conf_line *l, struct accounts *a)
{
	char se[9];
	const char *why;
	struct account_section *s;
	if (l->argc < 2 || l->argc > 3)
		return conf_error(l, "usage: municipality SE [NAME]");
	if (se_parse(l->argv[1], strlen(l->argv[1]), se, &why))
		return conf_error(l, "SE number '%s': %s", l->argv[1], why);
	se[8] = '\0';
	if (section_find(a, se))
		return conf_error(l, "municipality %s given twice", se);
	s = section_add(a, se);
	s->label = l->argc == 3 ? xstrdup(l->argv[2]) : NULL;
	return 0;
}

static int line_role(const struct conf_line *l, struct accounts *a)
{
	struct account_section *s = &a->sections[a->nsections - 1];
	struct account_role *r;
	if (l->argc < 3 || l->argc > 2 + ROLE_MAX_ACCOUNTS)
		return conf_error(l, "usage: role NAME ACCOUNT... (at most %d accounts)",
				  ROLE_MAX_ACCOUNTS);
	if (!role_name_ok(l->argv[1]))
		return conf_error(l, "role name '%s': use a-z, 0-9 and '-'", l->argv[1]);
	for (int i = 0; i < s->nroles; i++)
		if (!strcmp(s->roles[i].name, l->argv[1]))
			return conf_error(l, "role '%s' given twice for this municipality",
					  l->argv[1]);
	s->roles = xrealloc(s->roles, (size_t)(s->nroles + 1) * sizeof(*r));
	r = &s->roles[s->nroles++];
	memset(r, 0, sizeof(*r));
	r->name = xstrdup(l->argv[1]);
	r->lineno = l->lineno;
	for (int i = 2; i < l->argc; i++)
		r->accounts[r->naccounts++] = xstrdup(l->argv[i]);
	return 0;
}

static int accounts_line(const struct conf_line *l, void *data)
{
	struct accounts *a = data;
	if (!strcmp(l->argv[0], "municipality"))
		return line_municipality(l, a);
	if (!strcmp(l->argv[0], "role"))
		return line_role(l, a);
	return conf_error(l, "unknown directive '%s' (municipality, role)", l->argv[0]);
}

int accounts_load(const char *path, struct accounts *a)
{
	memset(a, 0, sizeof(*a));
	a->path = xstrdup(path);
	section_add(a, "");
	if (conf_read(path, accounts_line, a)) {
		accounts_free(a);
		return -1;
	}
	return 0;
}

void accounts_free(struct accounts *a)
{
	for (int i = 0; i < a->nsections; i++) {
		struct account_section *s = &a->sections[i];
		for (int k = 0; k < s->nroles; k++) {
			for (int j = 0; j < s->roles[k].naccounts; j++)
				free(s->roles[k].accounts[j]);
			free(s->roles[k].name);
		}
		free(s->roles);
		free(s->label);
	}
	free(a->sections);
	free(a->path);
	memset(a, 0, sizeof(*a));
}

static const struct account_role *section_role(const struct account_section *s,
					       const char *role)
{
	for (int i = 0; s && i < s->nroles; i++)
		if (!strcmp(s->roles[i].name, role))
			return &s->roles[i];
	return NULL;
}

const struct account_role *accounts_role(const struct accounts *a, const char *se,
					 const char *role)
{
	const struct account_role *r = se && *se ? section_role(section_find(a, se), role) : NULL;
	return r ? r : section_role(section_find(a, ""), role);
}

const struct account_role *accounts_need(const struct accounts *a, const char *se,
					 const char *role)
{
	const struct account_role *r = accounts_role(a, se, role);
	if (!r)
		log_error("%s: no 'role %s' for municipality %s nor in the default section",
			  a->path, role, se && *se ? se : "(none)");
	return r;
}

static int segment_end(char c)
{
	return c == '\0' || c == '.' || c == '-' || c == ' ';
}

int account_matches(const char *pattern, const char *account, size_t len)
{
	size_t plen = strlen(pattern);
	if (!plen || plen > len)
		return 0;
	for (size_t at = 0; at + plen <= len; at++) {
		char after = at + plen < len ? account[at + plen] : '\0';
		if (at > 0 && account[at - 1] != '-' && account[at - 1] != ' ')
			continue;
		if (!memcmp(account + at, pattern, plen) && segment_end(after))
			return 1;
	}
	return 0;
}

int account_role_matches(const struct account_role *r, const char *account, size_t len)
{
	for (int i = 0; r && i < r->naccounts; i++)
		if (account_matches(r->accounts[i], account, len))
			return 1;
	return 0;
}
