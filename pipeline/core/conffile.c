#include "core/conffile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/strbuf.h"
#include "core/banned.h"

/* Splits line in place into words; returns argc or -1 with *why. */
static int split_words(char *s, char **argv, const char **why)
{
	int argc = 0;
	char *out;

	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (!*s || *s == '#')
			break;
		if (argc == CONF_MAXARGS) {
			*why = "too many words on one line";
			return -1;
		}
		argv[argc++] = out = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r') {
			if (*s != '"') {
				*out++ = *s++;
				continue;
			}
			s++;
			while (*s && *s != '"')
				*out++ = *s++;
			if (*s != '"') {
				*why = "unterminated quote";
				return -1;
			}
			s++;
		}
		if (*s)
			s++;
		*out = '\0';
	}
	return argc;
}

int conf_read(const char *path, conf_fn fn, void *data)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	struct conf_line cl = { .path = path };
	int rc = 0;

	if (!f) {
		log_error("unable to open %s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && (n = getline(&buf, &cap, f)) >= 0) {
		const char *why;
		cl.lineno++;
		if (n && buf[n - 1] == '\n')
			buf[n - 1] = '\0';
		cl.argc = split_words(buf, cl.argv, &why);
		if (cl.argc < 0)
			rc = conf_error(&cl, "%s", why);
		else if (cl.argc > 0)
			rc = fn(&cl, data);
	}
	if (rc == 0 && ferror(f)) {
		log_error("unable to read %s: %s", path, strerror(errno));
		rc = -1;
	}
	free(buf);
	fclose(f);
	return rc;
}

int conf_error(const struct conf_line *line, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	log_input(line->path, line->lineno, 0, "%s", strbuf_str(&sb));
	strbuf_release(&sb);
	return -1;
}

int conf_parse_size(const char *s, size_t *bytes)
{
	char *end;
	unsigned long long v;
	int shift = 0;
	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	switch (*end) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	case 'T': shift = 40; end++; break;
	}
	if (errno || *end || v == 0 || v > (SIZE_MAX >> shift))
		return -1;
	*bytes = (size_t)v << shift;
	return 0;
}
