#include "ingest/csvin.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/strbuf.h"
#include "core/banned.h"

enum { DETECT_BYTES = 65536 };

/* Windows-1252 0x80..0x9F; the five holes become U+FFFD. */
static const unsigned short cp1252_c1[32] = {
	0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
	0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

int utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		unsigned c = s[i], need, min;
		unsigned long cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			need = 1, min = 0x80, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			need = 2, min = 0x800, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			need = 3, min = 0x10000, cp = c & 0x07;
		else
			return 0;
		for (unsigned k = 1; k <= need; k++) {
			if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += need + 1;
	}
	return 1;
}

static void add_utf8(struct strbuf *sb, unsigned cp)
{
	char b[3];
	if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		strbuf_add(sb, b, 2);
	} else {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		strbuf_add(sb, b, 3);
	}
}

static void cp1252_to_utf8(const char *in, size_t len, struct strbuf *out)
{
	strbuf_reset(out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c < 0x80)
			strbuf_addch(out, (char)c);
		else if (c < 0xA0)
			add_utf8(out, cp1252_c1[c - 0x80]);
		else
			add_utf8(out, c);
	}
}

struct reader {
	csvin_row_fn fn;
	void *data;
	int stop;			/* nonzero return of fn */
	unsigned long line;		/* line being fed */
	unsigned long row_line;		/* line where the current row began */
	int in_row;
	struct csv_field *fields;
	size_t nfields, cap;
	struct strbuf text;		/* all field bytes of the row, NUL-separated */
	size_t *offsets;
};

static void on_field(void *f, size_t len, void *data)
{
	struct reader *r = data;
	if (r->stop)
		return;
	if (!r->in_row) {
		r->in_row = 1;
		r->row_line = r->line;
		r->nfields = 0;
		strbuf_reset(&r->text);
	}
	if (r->nfields == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 32;
		r->fields = xrealloc(r->fields, r->cap * sizeof(*r->fields));
		r->offsets = xrealloc(r->offsets, r->cap * sizeof(*r->offsets));
	}
	r->offsets[r->nfields] = r->text.len;
	r->fields[r->nfields].len = len;
	strbuf_add(&r->text, f ? f : "", f ? len : 0);
	strbuf_addch(&r->text, '\0');
	r->nfields++;
}

static void on_row(int c, void *data)
{
	struct reader *r = data;
	(void)c;
	if (r->stop)
		return;
	if (!r->in_row) {	/* a row of one empty field: treat as one field */
		on_field(NULL, 0, data);
	}
	for (size_t i = 0; i < r->nfields; i++)
		r->fields[i].ptr = r->text.buf + r->offsets[i];
	struct csv_row row = { r->row_line, r->nfields, r->fields };
	r->in_row = 0;
	r->stop = r->fn(&row, r->data);
}

static enum csvin_encoding detect(FILE *f, int *bom)
{
	char *buf = xmalloc(DETECT_BYTES);
	size_t n = fread(buf, 1, DETECT_BYTES, f);
	enum csvin_encoding e;
	*bom = n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0;
	/* A multibyte sequence cut at the end of the sample is not an error. */
	size_t check = n;
	if (n == DETECT_BYTES) {
		size_t k = n;
		while (k > 0 && n - k < 3 && ((unsigned char)buf[k - 1] & 0xC0) == 0x80)
			k--;
		if (k > 0 && (unsigned char)buf[k - 1] >= 0xC0)
			check = k - 1;
	}
	e = *bom || utf8_valid(buf, check) ? CSVIN_UTF8 : CSVIN_CP1252;
	free(buf);
	rewind(f);
	return e;
}

static int feed(struct csv_parser *p, struct reader *r, const char *s, size_t n,
		const char *path)
{
	if (csv_parse(p, s, n, on_field, on_row, r) != n) {
		log_input(path, r->line, 0, "CSV syntax error: %s",
			  csv_strerror(csv_error(p)));
		return -1;
	}
	return 0;
}

int csvin_read(const char *path, const struct csvin_opts *opts,
	       csvin_row_fn fn, void *data, enum csvin_encoding *used)
{
	FILE *f = fopen(path, "rb");
	int rc;
	if (!f) {
		log_error("unable to open %s: %s", path, strerror(errno));
		return -1;
	}
	rc = csvin_read_fp(f, path, opts, fn, data, used);
	fclose(f);
	return rc;
}

int csvin_read_fp(FILE *f, const char *path, const struct csvin_opts *opts,
		  csvin_row_fn fn, void *data, enum csvin_encoding *used)
{
	struct csv_parser p;
	struct reader r = { .fn = fn, .data = data };
	struct strbuf conv = STRBUF_INIT;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int bom = 0, rc = 0;
	enum csvin_encoding enc;

	enc = detect(f, &bom);
	if (opts->encoding != CSVIN_AUTO)
		enc = opts->encoding;
	if (used)
		*used = enc;
	csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
	csv_set_delim(&p, (unsigned char)(opts->delimiter ? opts->delimiter : ';'));
	while (!r.stop && (n = getline(&line, &cap, f)) >= 0) {
		const char *s = line;
		size_t len = (size_t)n;
		r.line++;
		if (r.line == 1 && bom) {
			s += 3;
			len -= 3;
		}
		if (enc == CSVIN_CP1252) {
			cp1252_to_utf8(s, len, &conv);
			s = conv.buf, len = conv.len;
		}
		if ((rc = feed(&p, &r, s, len, path)))
			break;
	}
	if (!rc && !r.stop && ferror(f)) {
		log_error("unable to read %s: %s", path, strerror(errno));
		rc = -1;
	}
	if (!rc && !r.stop && csv_fini(&p, on_field, on_row, &r)) {
		log_input(path, r.line, 0, "CSV syntax error: %s",
			  csv_strerror(csv_error(&p)));
		rc = -1;
	}
	if (!rc && r.stop)
		rc = r.stop;
	csv_free(&p);
	free(line);
	free(r.fields);
	free(r.offsets);
	strbuf_release(&r.text);
	strbuf_release(&conv);
	return rc;
}
