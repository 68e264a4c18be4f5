#include "ingest/csvin.h"

#include <csv.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/strbuf.h"
#include "core/banned.h"

enum { READ_BLOCK = 65536 };

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

static int has_high_byte(const char *s, size_t len)
{
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {	/* a word at a time: every line is looked at */
		uint64_t w;
		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080u)
			return 1;
	}
	for (; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

/*
 * What is known of the encoding under CSVIN_AUTO: nothing while every
 * line was ASCII; "UTF-8 so far" once a valid non-ASCII line was read.
 */
enum enc_state { ENC_ASCII, ENC_UTF8_SEEN, ENC_UTF8, ENC_CP1252 };

struct reader {
	FILE *f;
	const char *path;
	const struct csvin_opts *o;
	csvin_row_fn fn;
	void *data;
	int stop;			/* nonzero return of fn */
	int fail;			/* -1: reported, end the read */
	enum enc_state enc;

	/* physical lines from the file */
	char *buf;
	size_t blen, bpos;
	int eof;
	unsigned long lineno;		/* lines taken from the file */
	struct strbuf raw, dec;		/* a line as read; decoded */

	/* lines given back after an error row (decoded, consecutive) */
	struct strbuf replay;
	size_t replay_pos;
	unsigned long replay_line;	/* number of the next replayed line */

	/* the row being parsed */
	struct csv_parser p;
	int parser_live;
	int row_open;			/* a line of it was fed, no row end yet */
	unsigned long row_line;
	/* Its text: a row of one line is that line where it was read (no
	 * copy); a row that goes on past its first line is copied into
	 * rowraw (held), as the next read overwrites the line. */
	const char *first;
	size_t first_len;
	int held;
	size_t rowlen;			/* bytes of its lines */
	struct strbuf rowraw;		/* its lines, decoded, line ends kept (held) */
	size_t *line_off;		/* where each of its lines starts in rowraw */
	size_t nlines, line_cap;
	struct csv_field *fields;
	size_t nfields, cap;
	struct strbuf text;		/* all field bytes of the row, NUL-separated */
	size_t *offsets;
};

static void parser_start(struct reader *r)
{
	if (r->parser_live)
		csv_free(&r->p);
	csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI);
	csv_set_delim(&r->p, (unsigned char)(r->o->delimiter ? r->o->delimiter : ';'));
	/* Quotes are text: '\0' never reaches the parser (a NUL byte makes
	 * its row an error first), so no character opens a quoted field. */
	csv_set_quote(&r->p, r->o->quotes_are_text ? '\0' : '"');
	csv_set_blk_size(&r->p, 4096);
	r->parser_live = 1;
	r->row_open = 0;
	r->nfields = 0;
	strbuf_reset(&r->text);
}

static void on_field(void *f, size_t len, void *data)
{
	struct reader *r = data;
	if (r->stop || r->fail)
		return;
	if (r->nfields == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 32;
		r->fields = xrealloc(r->fields, r->cap * sizeof(*r->fields));
		r->offsets = xrealloc(r->offsets, r->cap * sizeof(*r->offsets));
	}
	r->offsets[r->nfields] = r->text.len;
	r->fields[r->nfields].len = len;
	/* one grow per field, its bytes and NUL in place (a copy per row is
	 * the reader's cost: libcsv reuses its field buffer) */
	strbuf_grow(&r->text, len + 1);
	if (len)
		memcpy(r->text.buf + r->text.len, f, len);
	r->text.buf[r->text.len + len] = '\0';
	r->text.len += len + 1;
	r->text.buf[r->text.len] = '\0';
	r->nfields++;
}

/* The length of a line's text without its line end. */
static size_t without_eol(const char *s, size_t len)
{
	if (len && s[len - 1] == '\n')
		len--;
	if (len && s[len - 1] == '\r')
		len--;
	return len;
}

/* The row's text so far (see struct reader). */
static const char *row_text(const struct reader *r, size_t *len)
{
	if (r->held || !r->first) {
		*len = r->rowraw.len;
		return r->rowraw.buf;
	}
	*len = r->first_len;
	return r->first;
}

static void on_row(int c, void *data)
{
	struct reader *r = data;
	struct csv_row row;
	const char *t;
	size_t tlen;
	(void)c;
	if (r->stop || r->fail)
		return;
	for (size_t i = 0; i < r->nfields; i++)
		r->fields[i].ptr = r->text.buf + r->offsets[i];
	t = row_text(r, &tlen);
	row = (struct csv_row){ r->row_line, r->nfields, r->fields, NULL, t,
				without_eol(t, tlen) };
	r->row_open = 0;
	r->stop = r->fn(&row, r->data);
	r->nfields = 0;
	strbuf_reset(&r->text);
}

/*
 * The row begun at r->row_line cannot be split: it is passed on as an
 * error row made of its first physical line, the parser starts afresh,
 * and the lines after that first one are read again, so a stray '"' costs
 * its own line only.
 */
static void row_error(struct reader *r, const char *why)
{
	struct csv_row row;
	size_t tlen;
	const char *t = row_text(r, &tlen);
	size_t first = r->nlines > 1 ? r->line_off[1] : tlen;
	if (r->nlines > 1) {	/* then the row is held: its lines are in rowraw */
		/* Give back the later lines, before what was already given back. */
		struct strbuf again = STRBUF_INIT;
		strbuf_add(&again, r->rowraw.buf + first, r->rowraw.len - first);
		if (r->replay.len > r->replay_pos)	/* an empty buf may be NULL */
			strbuf_add(&again, r->replay.buf + r->replay_pos,
				   r->replay.len - r->replay_pos);
		strbuf_release(&r->replay);
		r->replay = again;
		r->replay_pos = 0;
		r->replay_line = r->row_line + 1;
	}
	if (!r->o->error_rows) {
		log_input(r->path, r->row_line, 0, "CSV syntax error: %s", why);
		r->fail = -1;
		return;
	}
	row = (struct csv_row){ r->row_line, 0, r->fields, why, t, without_eol(t, first) };
	parser_start(r);
	r->nlines = 0;
	r->stop = r->fn(&row, r->data);
}

/* Whether a line holds nothing but blanks (libcsv begins no row on it). */
static int line_blank(const struct reader *r, const char *s, size_t len)
{
	char delim = r->o->delimiter ? r->o->delimiter : ';';
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\r' || s[i] == '\n' ||
		    ((s[i] == ' ' || s[i] == '\t') && s[i] != delim))
			continue;
		else
			return 0;
	return 1;
}

/* Feeds one physical line (its line end included) to the parser. */
static void feed_line(struct reader *r, const char *s, size_t len, unsigned long line,
		      const char *bad)
{
	size_t used;
	if (!r->row_open) {
		if (!bad && line_blank(r, s, len))
			return;
		r->row_open = 1;
		r->row_line = line;
		r->nlines = 0;
		strbuf_reset(&r->rowraw);
		r->held = 0;
		r->first = s;
		r->first_len = len;
		r->rowlen = 0;
	}
	r->line_off = xgrow(r->line_off, &r->line_cap, r->nlines + 1, sizeof(*r->line_off));
	r->line_off[r->nlines++] = r->rowraw.len;
	if (r->held)
		strbuf_add(&r->rowraw, s, len);
	r->rowlen += len;
	if (bad && r->nlines > 1) {
		/* An open quoted field ran into a line that cannot be read: the
		 * row is its first line; this one comes again and is its own. */
		row_error(r, "a quoted field is never closed (a stray '\"'?)");
		return;
	}
	if (bad) {
		row_error(r, bad);
		return;
	}
	if (r->rowlen > CSVIN_MAX_ROW) {
		row_error(r, "the row is longer than 1 MiB (a '\"' never closed?)");
		return;
	}
	used = csv_parse(&r->p, s, len, on_field, on_row, r);
	if (used != len && !r->stop && !r->fail)
		row_error(r, csv_error(&r->p) != CSV_EPARSE ? "out of memory" :
			  r->p.quoted ? "text after the closing '\"' of a quoted field "
					"(a '\"' inside it not doubled?)"
				      : "a '\"' inside a field that does not start with one");
	if (r->row_open && !r->held) {	/* it goes on: keep its first line */
		strbuf_add(&r->rowraw, r->first, r->first_len);
		r->held = 1;
	}
}

/* Why a line's row cannot be read, or NULL. */
static const char *line_bad(const char *s, size_t len, int long_line)
{
	if (long_line || len > CSVIN_MAX_ROW + 2)
		return "a line longer than 1 MiB";
	if (memchr(s, '\0', len))
		return "a NUL byte (a binary or UTF-16 file?)";
	return NULL;
}

/* Refills the read buffer; 0, or -1 at the end of the file (or an error). */
static int refill(struct reader *r)
{
	if (r->eof)
		return -1;
	r->blen = fread(r->buf, 1, READ_BLOCK, r->f);
	r->bpos = 0;
	if (r->blen == 0) {
		r->eof = 1;
		return -1;
	}
	return 0;
}

/*
 * The next physical line of the file into r->raw, its line end included
 * (LF, CRLF or CR). *long_line: it passed CSVIN_MAX_ROW and only its
 * start is kept. 1 when there is none left.
 */
static int file_line_copy(struct reader *r, int *long_line)
{
	strbuf_reset(&r->raw);
	*long_line = 0;
	for (;;) {
		const char *s;
		size_t n, k = 0;
		if (r->bpos == r->blen && refill(r))
			return r->raw.len ? 0 : 1;
		s = r->buf + r->bpos;
		n = r->blen - r->bpos;
		while (k < n && s[k] != '\n' && s[k] != '\r')
			k++;
		if (k < n)
			k++;	/* the line end */
		if (r->raw.len + k <= CSVIN_MAX_ROW + 2)
			strbuf_add(&r->raw, s, k);
		else
			*long_line = 1;
		r->bpos += k;
		if (!k || (s[k - 1] != '\n' && s[k - 1] != '\r'))
			continue;	/* the block ended inside the line */
		if (s[k - 1] == '\r') {	/* CRLF is one line end, even across blocks */
			if (r->bpos == r->blen && refill(r))
				return 0;
			if (r->buf[r->bpos] == '\n') {
				if (!*long_line)
					strbuf_addch(&r->raw, '\n');
				r->bpos++;
			}
		}
		return 0;
	}
}

/*
 * The next physical line of the file, its line end included: *s points
 * into the read buffer when the line lies whole in it (most lines: no
 * copy), else into r->raw (file_line_copy); valid until the next read.
 * Line 1 is always copied (its byte-order mark is cut in r->raw).
 */
static int file_line(struct reader *r, int *long_line, const char **line, size_t *len)
{
	int rc;
	if (r->lineno && r->bpos < r->blen) {
		const char *s = r->buf + r->bpos, *nl, *cr;
		size_t n = r->blen - r->bpos, k;
		nl = memchr(s, '\n', n);
		cr = memchr(s, '\r', nl ? (size_t)(nl - s) : n);
		k = cr ? (size_t)(cr - s) : nl ? (size_t)(nl - s) : n;
		/* a CR last in the buffer may begin a CRLF: the copying path */
		if (k < n && (s[k] == '\n' || k + 1 < n)) {
			k += s[k] == '\r' && s[k + 1] == '\n' ? 2 : 1;
			if (k <= CSVIN_MAX_ROW + 2) {
				*long_line = 0;
				r->bpos += k;
				*line = s;
				*len = k;
				return 0;
			}
		}
	}
	rc = file_line_copy(r, long_line);
	*line = r->raw.buf;
	*len = r->raw.len;
	return rc;
}

/* The next line given back by row_error(), or 1 when there is none. */
static int replay_line(struct reader *r, const char **s, size_t *len)
{
	const char *p;
	size_t n = r->replay.len - r->replay_pos, k = 0;
	if (!n) {
		strbuf_reset(&r->replay);	/* the last line given is used no more */
		r->replay_pos = 0;
		return 1;
	}
	p = r->replay.buf + r->replay_pos;	/* not before: an empty buf may be NULL */
	while (k < n && p[k] != '\n' && p[k] != '\r')
		k++;
	if (k < n)
		k += (p[k] == '\r' && k + 1 < n && p[k + 1] == '\n') ? 2 : 1;
	*s = p;
	*len = k;
	r->replay_pos += k;
	return 0;
}

/* Starts the whole read over as Windows-1252 (see csvin.h). */
static int restart(struct reader *r)
{
	int rc = r->o->restart(r->data);
	if (rc) {
		r->stop = rc;
		return -1;
	}
	if (fseeko(r->f, 0, SEEK_SET)) {
		log_error("unable to read %s again: %s", r->path, strerror(errno));
		r->fail = -1;
		return -1;
	}
	r->enc = ENC_CP1252;
	r->eof = 0;
	r->blen = r->bpos = 0;
	r->lineno = 0;
	strbuf_reset(&r->replay);
	r->replay_pos = 0;
	parser_start(r);
	return 0;
}

/* What a byte-order mark at the start of line 1 says; 0 none, -1 refused. */
static int byte_order_mark(struct reader *r)
{
	const unsigned char *s = (const unsigned char *)r->raw.buf;
	size_t n = r->raw.len;
	if (n >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF))) {
		log_input(r->path, 0, 0, "UTF-16 text (byte-order mark %02X %02X): save it as "
			  "UTF-8 or Windows-1252", s[0], s[1]);
		r->fail = -1;
		return -1;
	}
	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
		memmove(r->raw.buf, r->raw.buf + 3, n - 3);
		strbuf_grow(&r->raw, 0);
		r->raw.len = n - 3;
		r->raw.buf[r->raw.len] = '\0';
		if (r->enc == ENC_ASCII)
			r->enc = ENC_UTF8;	/* the mark decides: no guessing */
		return 1;
	}
	return 0;
}

/*
 * The next line from the file, decoded: *s, *len, *bad (why its row
 * cannot be read: a NUL byte, a line too long). 1 at the end, -1 to stop.
 */
static int next_file_line(struct reader *r, const char **s, size_t *len, const char **bad)
{
	int long_line;
	for (;;) {
		const char *ln;
		size_t lnlen;
		if (file_line(r, &long_line, &ln, &lnlen))
			return 1;
		r->lineno++;
		*bad = NULL;
		if (r->lineno == 1) {	/* copied: the mark is cut there */
			if (byte_order_mark(r) < 0)
				return -1;
			ln = r->raw.buf;
			lnlen = r->raw.len;
		}
		*bad = line_bad(ln, lnlen, long_line);
		if (r->enc == ENC_ASCII || r->enc == ENC_UTF8_SEEN) {
			if (has_high_byte(ln, lnlen)) {
				if (utf8_valid(ln, lnlen))
					r->enc = ENC_UTF8_SEEN;
				else if (r->enc == ENC_ASCII)
					r->enc = ENC_CP1252;	/* all before was ASCII: nothing to redo */
				else if (r->o->restart) {
					if (restart(r))
						return -1;
					continue;
				} else {
					log_input(r->path, r->lineno, 0, "not valid UTF-8, but lines "
						  "before it are: the file mixes encodings");
					r->fail = -1;
					return -1;
				}
			}
		}
		if (r->enc == ENC_CP1252) {
			cp1252_to_utf8(ln, lnlen, &r->dec);
			*s = r->dec.buf, *len = r->dec.len;
		} else {
			*s = ln, *len = lnlen;
		}
		return 0;
	}
}

static void reader_free(struct reader *r)
{
	if (r->parser_live)
		csv_free(&r->p);
	free(r->buf);
	free(r->fields);
	free(r->offsets);
	free(r->line_off);
	strbuf_release(&r->raw);
	strbuf_release(&r->dec);
	strbuf_release(&r->replay);
	strbuf_release(&r->rowraw);
	strbuf_release(&r->text);
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
	struct reader r;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.f = f;
	r.path = path;
	r.o = opts;
	r.fn = fn;
	r.data = data;
	r.enc = opts->encoding == CSVIN_UTF8 ? ENC_UTF8 :
		opts->encoding == CSVIN_CP1252 ? ENC_CP1252 : ENC_ASCII;
	r.buf = xmalloc(READ_BLOCK);
	parser_start(&r);
	while (!r.stop && !r.fail) {
		const char *s, *bad = NULL;
		size_t len;
		unsigned long line;
		if (replay_line(&r, &s, &len) == 0) {
			line = r.replay_line++;
			bad = line_bad(s, len, 0);
		} else {
			int e = next_file_line(&r, &s, &len, &bad);
			if (e < 0)
				break;
			if (e == 1) {
				/* The end: a last row without a line end, or a quote never closed. */
				if (csv_fini(&r.p, on_field, on_row, &r) == 0)
					break;
				row_error(&r, "a quoted field is never closed (a stray '\"'?)");
				continue;
			}
			line = r.lineno;
		}
		feed_line(&r, s, len, line, bad);
	}
	if (!r.stop && !r.fail && ferror(f)) {
		log_error("unable to read %s: %s", path, strerror(errno));
		r.fail = -1;
	}
	rc = r.fail ? -1 : r.stop;
	if (used)
		*used = r.enc == ENC_CP1252 ? CSVIN_CP1252 : CSVIN_UTF8;
	reader_free(&r);
	return rc;
}
