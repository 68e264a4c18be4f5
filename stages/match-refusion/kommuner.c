/* conf/kommuner.conf: see kommuner.h. */
#include "kommuner.h"

#include <stdlib.h>
#include <string.h>

#include "core/conffile.h"
#include "core/ident.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/banned.h"

enum { KOMMUNER_EXPECTED = 98 };

int kommune_code_parse(const char *s, size_t len, char out[5])
{
	if (len != 3 && len != 4)
		return -1;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	if (len == 3) {
		out[0] = '0';
		memcpy(out + 1, s, 3);
	} else {
		memcpy(out, s, 4);
	}
	out[4] = '\0';
	return 0;
}

void fold_case(const char *s, size_t len, char *out, size_t outsz)
{
	size_t o = 0;
	for (size_t i = 0; i < len && o + 1 < outsz; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		else if (c == 0xC3 && i + 1 < len && o + 2 < outsz) {
			unsigned char d = (unsigned char)s[i + 1];
			/* Æ Ø Å (C3 86, C3 98, C3 85) -> æ ø å (C3 A6, C3 B8, C3 A5) */
			if (d == 0x86 || d == 0x98 || d == 0x85)
				d = (unsigned char)(d + 0x20);
			out[o++] = (char)c;
			out[o++] = (char)d;
			i++;
			continue;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
}

struct load {
	struct kommuner *k;
	size_t alloc;
};

static int kommune_line(const struct conf_line *l, void *data)
{
	struct load *ld = data;
	struct kommuner *k = ld->k;
	struct kommune m = { .lineno = l->lineno };
	const char *why;
	char tmp[16];

	if (strcmp(l->argv[0], "kommune"))
		return conf_error(l, "unknown directive '%s' (kommune)", l->argv[0]);
	if (l->argc < 5 || strcmp(l->argv[3], "cvr"))
		return conf_error(l, "usage: kommune CODE NAME cvr CVR [ean EAN] [kontakt \"TEXT\"]");
	if (kommune_code_parse(l->argv[1], strlen(l->argv[1]), m.code))
		return conf_error(l, "code '%s' is not 3 or 4 digits", l->argv[1]);
	for (int i = 0; i < k->n; i++)
		if (!strcmp(k->v[i].code, m.code))
			return conf_error(l, "kommune %s given twice (first on line %lu)", m.code,
					  k->v[i].lineno);
	if (se_parse(l->argv[4], strlen(l->argv[4]), m.cvr, &why))
		return conf_error(l, "cvr %s fails modulus 11", l->argv[4]);
	for (int i = 5; i < l->argc; i += 2) {
		if (i + 1 >= l->argc)
			return conf_error(l, "'%s' needs a value", l->argv[i]);
		if (!strcmp(l->argv[i], "ean")) {
			if (ean_parse(l->argv[i + 1], strlen(l->argv[i + 1]), tmp, &why))
				return conf_error(l, "ean %s: bad check digit", l->argv[i + 1]);
			memcpy(m.ean, tmp, sizeof(m.ean));
		} else if (!strcmp(l->argv[i], "kontakt")) {
			free(m.kontakt);
			m.kontakt = xstrdup(l->argv[i + 1]);
		} else {
			free(m.kontakt);
			return conf_error(l, "unknown word '%s' (ean, kontakt)", l->argv[i]);
		}
	}
	m.name = xstrdup(l->argv[2]);
	if (!m.kontakt)
		m.kontakt = xstrdup("");
	k->v = xgrow(k->v, &ld->alloc, (size_t)k->n + 1, sizeof(*k->v));
	k->v[k->n++] = m;
	return 0;
}

static int cmp_code(const void *a, const void *b)
{
	return strcmp(((const struct kommune *)a)->code, ((const struct kommune *)b)->code);
}

int kommuner_load(const char *path, struct kommuner *k)
{
	struct load ld = { .k = k };
	memset(k, 0, sizeof(*k));
	k->path = xstrdup(path);
	if (conf_read(path, kommune_line, &ld)) {
		kommuner_free(k);
		return -1;
	}
	if (k->n)
		qsort(k->v, (size_t)k->n, sizeof(*k->v), cmp_code);
	if (k->n != KOMMUNER_EXPECTED)
		log_info("warning: %s lists %d municipalities, not %d", path, k->n,
			 KOMMUNER_EXPECTED);
	return 0;
}

void kommuner_free(struct kommuner *k)
{
	for (int i = 0; i < k->n; i++) {
		free(k->v[i].name);
		free(k->v[i].kontakt);
	}
	free(k->v);
	free(k->path);
	memset(k, 0, sizeof(*k));
}

const struct kommune *kommune_find(const struct kommuner *k, const char *code)
{
	struct kommune key;
	if (kommune_code_parse(code, strlen(code), key.code))
		return NULL;
	return k->n ? bsearch(&key, k->v, (size_t)k->n, sizeof(*k->v), cmp_code) : NULL;
}

const struct kommune *kommune_by_name(const struct kommuner *k, const char *name, size_t len)
{
	char want[256], have[256];
	size_t n;
	while (len && (name[len - 1] == ' '))
		len--;
	fold_case(name, len, want, sizeof(want));
	n = strlen(want);
	/* "NAME Kommune" and "NAMEs Kommune" name the municipality NAME */
	if (n > 8 && !strcmp(want + n - 8, " kommune")) {
		n -= 8;
		want[n] = '\0';
	}
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < k->n; i++) {
			fold_case(k->v[i].name, strlen(k->v[i].name), have, sizeof(have));
			if (!strcmp(have, want))
				return &k->v[i];
		}
		if (n > 1 && want[n - 1] == 's')
			want[--n] = '\0';
		else
			break;
	}
	return NULL;
}
