#include "ingest/sources.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/conffile.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/banned.h"

int safe_name(const char *name)
{
	size_t n = strlen(name);
	if (!n || n > 255 || name[0] == '.' || strstr(name, ".."))
		return 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p == '/' || *p == '\\' || *p == '@' || *p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

void printable_name(const char *name, struct strbuf *out)
{
	strbuf_reset(out);
	for (; *name && out->len < 200; name++)
		strbuf_addch(out, (unsigned char)*name < 0x20 || *name == 0x7f ? '?' : *name);
}

static char *conf_path(const struct conf_line *l, const char *arg)
{
	struct strbuf p = STRBUF_INIT;
	const char *slash = strrchr(l->path, '/');
	if (arg[0] != '/' && slash)
		strbuf_add(&p, l->path, (size_t)(slash - l->path + 1));
	strbuf_addstr(&p, arg);
	return strbuf_detach(&p);
}

static int number(const struct conf_line *l, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;
	errno = 0;
	v = strtoull(l->argv[l->argc - 1], &end, 10);
	if (l->argv[l->argc - 1][0] < '0' || l->argv[l->argc - 1][0] > '9' || *end ||
	    errno || v < min || v > max)
		return conf_error(l, "%s: '%s' is not a number from %llu to %llu", l->argv[0],
				  l->argv[l->argc - 1], (unsigned long long)min,
				  (unsigned long long)max);
	*out = v;
	return 0;
}

static int set_int(const struct conf_line *l, int max, int *dst)
{
	uint64_t v;
	if (l->argc != 2)
		return conf_error(l, "usage: %s N", l->argv[0]);
	if (number(l, 1, (uint64_t)max, &v))
		return -1;
	*dst = (int)v;
	return 0;
}

static int set_limit(const struct conf_line *l, struct unpack_limits *u)
{
	static const char *names[] = { "max-entries", "max-bytes", "max-ratio" };
	uint64_t *dst[] = { &u->max_entries, &u->max_bytes, &u->max_ratio };
	for (int i = 0; l->argc == 3 && i < 3; i++)
		if (!strcmp(l->argv[1], names[i]))
			return number(l, 1, UINT64_MAX / 2, dst[i]);
	return conf_error(l, "usage: unpack max-entries|max-bytes|max-ratio N");
}

static int source_start(const struct conf_line *l, struct sources_conf *c)
{
	struct source_def *d;
	if (l->argc != 3 || (strcmp(l->argv[2], "sftp") && strcmp(l->argv[2], "local")))
		return conf_error(l, "usage: source NAME sftp|local");
	if (!safe_name(l->argv[1]))
		return conf_error(l, "source name '%s' is not a plain name", l->argv[1]);
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].name, l->argv[1]))
			return conf_error(l, "source '%s' is named twice", l->argv[1]);
	c->v = xrealloc(c->v, (size_t)(c->n + 1) * sizeof(*c->v));
	d = &c->v[c->n++];
	memset(d, 0, sizeof(*d));
	d->name = xstrdup(l->argv[1]);
	d->type = strcmp(l->argv[2], "sftp") ? SOURCE_LOCAL : SOURCE_SFTP;
	d->port = 22;
	d->lineno = l->lineno;
	return 0;
}

static int source_after(const struct conf_line *l, struct source_def *d)
{
	if (l->argc == 2 && !strcmp(l->argv[1], "leave"))
		d->after = AFTER_LEAVE;
	else if (l->argc == 2 && !strcmp(l->argv[1], "delete"))
		d->after = AFTER_DELETE;
	else if (l->argc == 3 && !strcmp(l->argv[1], "move"))
		d->after = AFTER_MOVE;
	else
		return conf_error(l, "usage: after-landing leave|delete|move DIR");
	free(d->move_to);
	d->move_to = d->after == AFTER_MOVE ? (d->type == SOURCE_LOCAL ?
		     conf_path(l, l->argv[2]) : xstrdup(l->argv[2])) : NULL;
	return 0;
}

/* A line inside a source block. */
static int source_line(const struct conf_line *l, struct source_def *d)
{
	const char *k = l->argv[0];
	char **dst = !strcmp(k, "host") ? &d->host : !strcmp(k, "user") ? &d->user :
		     !strcmp(k, "key") ? &d->key : !strcmp(k, "known-hosts") ? &d->known_hosts :
		     !strcmp(k, "dir") ? &d->dir : !strcmp(k, "into") ? &d->into : NULL;
	int local_path = !strcmp(k, "key") || !strcmp(k, "known-hosts") ||
			 (!strcmp(k, "dir") && d->type == SOURCE_LOCAL);
	uint64_t port;

	if (!strcmp(k, "after-landing"))
		return source_after(l, d);
	if (!strcmp(k, "port")) {
		if (l->argc != 2 || number(l, 1, 65535, &port))
			return l->argc != 2 ? conf_error(l, "usage: port N") : -1;
		d->port = (int)port;
		return 0;
	}
	if (!dst)
		return conf_error(l, "unknown directive '%s'", k);
	if (l->argc != 2)
		return conf_error(l, "usage: %s VALUE", k);
	if (!strcmp(k, "into") && !safe_name(l->argv[1]))
		return conf_error(l, "into '%s' is not a plain directory name", l->argv[1]);
	free(*dst);
	*dst = local_path ? conf_path(l, l->argv[1]) : xstrdup(l->argv[1]);
	return 0;
}

static int on_line(const struct conf_line *l, void *data)
{
	struct sources_conf *c = data;
	const char *k = l->argv[0];
	if (!strcmp(k, "source"))
		return source_start(l, c);
	if (!strcmp(k, "retries"))
		return set_int(l, 100, &c->retries);
	if (!strcmp(k, "timeout"))
		return set_int(l, 3600, &c->timeout);
	if (!strcmp(k, "backoff"))
		return set_int(l, 3600, &c->backoff);
	if (!strcmp(k, "unpack"))
		return set_limit(l, &c->limits);
	if (!c->n)
		return conf_error(l, "'%s' outside a source block (or unknown)", k);
	return source_line(l, &c->v[c->n - 1]);
}

/* What a source must say, checked when its block is complete. */
static int check_source(const struct sources_conf *c, const struct source_def *d)
{
	const char *miss = !d->dir ? "dir" : !d->into ? "into" : NULL;
	if (!miss && d->type == SOURCE_SFTP)
		miss = !d->host ? "host" : !d->user ? "user" : !d->key ? "key" :
		       !d->known_hosts ? "known-hosts" : NULL;
	if (miss) {
		log_error("%s:%lu: source %s: '%s' is missing", c->path, d->lineno, d->name, miss);
		return -1;
	}
	return 0;
}

int sources_load(const char *path, struct sources_conf *c)
{
	struct stat st;
	memset(c, 0, sizeof(*c));
	c->path = xstrdup(path);
	c->retries = 5;
	c->timeout = 30;
	c->backoff = 2;
	c->limits = (struct unpack_limits){ 10000, (uint64_t)4 << 30, 200 };
	if (stat(path, &st) && errno == ENOENT)
		return 0;
	if (conf_read(path, on_line, c))
		return -1;
	for (int i = 0; i < c->n; i++)
		if (check_source(c, &c->v[i]))
			return -1;
	return 0;
}

void sources_add_local(struct sources_conf *c, const char *name, const char *dir,
		       const char *into)
{
	struct source_def *d;
	c->v = xrealloc(c->v, (size_t)(c->n + 1) * sizeof(*c->v));
	d = &c->v[c->n++];
	memset(d, 0, sizeof(*d));
	d->name = xstrdup(name);
	d->type = SOURCE_LOCAL;
	d->dir = xstrdup(dir);
	d->into = xstrdup(into);
}

void sources_free(struct sources_conf *c)
{
	for (int i = 0; i < c->n; i++) {
		struct source_def *d = &c->v[i];
		free(d->name);
		free(d->host);
		free(d->user);
		free(d->key);
		free(d->known_hosts);
		free(d->dir);
		free(d->into);
		free(d->move_to);
	}
	free(c->v);
	free(c->path);
	memset(c, 0, sizeof(*c));
}
