#include "store/decisions.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/log.h"
#include "store/store.h"
#include "core/banned.h"

#define DB "decisions"

static const char *const WORDS[] = { "forklaret", "accepteret", "afskrevet", "genaabnet" };

int decision_word_ok(const char *word)
{
	for (size_t i = 0; i < sizeof(WORDS) / sizeof(*WORDS); i++)
		if (!strcmp(word, WORDS[i]))
			return 1;
	return 0;
}

int decision_explains(const char *word)
{
	return decision_word_ok(word) && strcmp(word, "genaabnet") != 0;
}

static int lowhex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int id_ok(const char *s, size_t n)
{
	if (n != 16)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!lowhex((unsigned char)s[i]))
			return 0;
	return 1;
}

int decision_id_ok(const char *s)
{
	return id_ok(s, strlen(s));
}

const char *decision_by_bad(const char *by)
{
	size_t n = strlen(by);
	if (!n)
		return "the initials are empty";
	if (n > DECISION_BY_MAX)
		return "the initials are longer than 16 bytes";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)by[i];
		if (!(c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
			return "initials are letters, digits, '.', '-' or '_'";
	}
	return NULL;
}

const char *decision_note_bad(const char *note)
{
	size_t n = strlen(note);
	int text = 0;
	if (n > DECISION_NOTE_MAX)
		return "the note is longer than 2000 bytes";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)note[i];
		if ((c < ' ' && c != '\n' && c != '\t') || c == 0x7f)
			return "the note holds a control character";
		text |= c != ' ' && c != '\n' && c != '\t';
	}
	return text ? NULL : "the note is empty: say why";
}

int decisions_open(MDB_txn *txn, int create, MDB_dbi *dbi)
{
	int rc = mdb_dbi_open(txn, DB, create ? MDB_CREATE : 0, dbi);
	if (rc == MDB_NOTFOUND && !create)
		return 1;
	return rc ? store_fail(DB, rc) : 0;
}

void decision_init(struct decision *d)
{
	memset(d, 0, sizeof(*d));
	strbuf_init(&d->note);
}

void decision_release(struct decision *d)
{
	strbuf_release(&d->note);
}

void decision_encode(const struct decision *d, struct strbuf *out)
{
	char day[DATE_BUFSZ];
	strbuf_addf(out, "night=%s\ndecision=%s\nby=%s\nat=%s\namount=%" PRId64 "\nnote=",
		    day_format(d->night, day), d->decision, d->by, d->at, d->amount);
	strbuf_add(out, strbuf_str(&d->note), d->note.len);
}

/* "name=" at *p: its value up to the next newline (or the end when last). */
static int field(const char **p, const char *end, const char *name, int last,
		 const char **v, size_t *n)
{
	size_t k = strlen(name);
	const char *e;
	if ((size_t)(end - *p) < k + 1 || memcmp(*p, name, k) || (*p)[k] != '=')
		return -1;
	*v = *p + k + 1;
	e = last ? end : memchr(*v, '\n', (size_t)(end - *v));
	if (!e)
		return -1;
	*n = (size_t)(e - *v);
	*p = last ? end : e + 1;
	return 0;
}

static int at_ok(const char *s, size_t n)
{
	char day[11];
	int32_t d;
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	if (n != 20)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return 0;
	memcpy(day, s, 10);
	day[10] = '\0';
	return day_parse_iso(day, &d) == 0 && memcmp(s + 11, "24", 2) < 0 &&
	       memcmp(s + 14, "60", 2) < 0 && memcmp(s + 17, "60", 2) < 0;
}

int decision_decode(const MDB_val *key, const MDB_val *val, struct decision *d,
		    const char **why)
{
	const char *k = key->mv_data, *p = val->mv_data, *end = p + val->mv_size, *v;
	char buf[32];
	size_t n;
	uint32_t seq = 0;

	strbuf_reset(&d->note);
	if (key->mv_size != DECISION_KEY_LEN || !id_ok(k, 16) || k[16] != '/') {
		*why = "the key is not ID/SEQ (16 hex digits, '/', 8 digits)";
		return -1;
	}
	for (int i = 17; i < DECISION_KEY_LEN; i++) {
		if (k[i] < '0' || k[i] > '9') {
			*why = "the key is not ID/SEQ (16 hex digits, '/', 8 digits)";
			return -1;
		}
		seq = seq * 10 + (uint32_t)(k[i] - '0');
	}
	if (!seq) {
		*why = "the key's sequence number is 0";
		return -1;
	}
	memcpy(d->id, k, 16);
	d->id[16] = '\0';
	d->seq = seq;
	if (memchr(p, '\0', val->mv_size)) {
		*why = "the value holds a NUL byte";
		return -1;
	}
	if (field(&p, end, "night", 0, &v, &n) || n != 10) {
		*why = "no night=YYYY-MM-DD first";
		return -1;
	}
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (day_parse_iso(buf, &d->night)) {
		*why = "night is not a YYYY-MM-DD date";
		return -1;
	}
	if (field(&p, end, "decision", 0, &v, &n) || n >= sizeof(d->decision)) {
		*why = "no decision= after night";
		return -1;
	}
	memcpy(d->decision, v, n);
	d->decision[n] = '\0';
	if (!decision_word_ok(d->decision)) {
		*why = "decision is not one of " DECISION_WORDS;
		return -1;
	}
	if (field(&p, end, "by", 0, &v, &n) || n > DECISION_BY_MAX) {
		*why = "no by= (initials, at most 16 bytes) after decision";
		return -1;
	}
	memcpy(d->by, v, n);
	d->by[n] = '\0';
	if (decision_by_bad(d->by)) {
		*why = decision_by_bad(d->by);
		return -1;
	}
	if (field(&p, end, "at", 0, &v, &n) || !at_ok(v, n)) {
		*why = "no at=YYYY-MM-DDTHH:MM:SSZ after by";
		return -1;
	}
	memcpy(d->at, v, n);
	d->at[n] = '\0';
	if (field(&p, end, "amount", 0, &v, &n) || !n || n >= sizeof(buf)) {
		*why = "no amount= (øre) after at";
		return -1;
	}
	memcpy(buf, v, n);
	buf[n] = '\0';
	{
		char *e;
		long long a = strtoll(buf, &e, 10);
		if (*e || (buf[0] != '-' && (buf[0] < '0' || buf[0] > '9')) ||
		    a > MONEY_FILE_MAX || a < -MONEY_FILE_MAX) {
			*why = "amount is not a whole number of øre";
			return -1;
		}
		d->amount = a;
	}
	if (field(&p, end, "note", 1, &v, &n)) {
		*why = "no note= after amount";
		return -1;
	}
	strbuf_add(&d->note, v, n);
	if (decision_note_bad(d->note.buf)) {
		*why = decision_note_bad(d->note.buf);
		return -1;
	}
	return 0;
}

/* The id's last SEQ, or 0: the key just before ID "/" "99999999". */
static int last_seq(MDB_txn *txn, MDB_dbi dbi, const char *id, uint32_t *seq)
{
	char kb[DECISION_KEY_LEN + 1];
	MDB_cursor *c;
	MDB_val k, v;
	int rc;
	*seq = 0;
	snprintf(kb, sizeof(kb), "%.16s/99999999", id);
	k.mv_size = DECISION_KEY_LEN;
	k.mv_data = kb;
	if ((rc = mdb_cursor_open(txn, dbi, &c)))
		return store_fail(DB, rc);
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	if (rc == 0)
		rc = mdb_cursor_get(c, &k, &v, MDB_PREV);
	else if (rc == MDB_NOTFOUND)
		rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	if (rc == 0 && k.mv_size == DECISION_KEY_LEN && !memcmp(k.mv_data, id, 16)) {
		for (int i = 17; i < DECISION_KEY_LEN; i++)
			*seq = *seq * 10 + (uint32_t)(((const char *)k.mv_data)[i] - '0');
	}
	mdb_cursor_close(c);
	return rc && rc != MDB_NOTFOUND ? store_fail(DB, rc) : 0;
}

int decisions_put(MDB_txn *txn, MDB_dbi dbi, struct decision *d)
{
	char kb[DECISION_KEY_LEN + 1];
	struct strbuf val = STRBUF_INIT;
	MDB_val k, v;
	uint32_t seq;
	int rc;
	if (last_seq(txn, dbi, d->id, &seq))
		return -1;
	if (seq >= 99999999u) {
		log_error("store: decisions: %.16s has 99999999 decisions: no more", d->id);
		return -1;
	}
	d->seq = seq + 1;
	snprintf(kb, sizeof(kb), "%.16s/%08u", d->id, (unsigned)d->seq);
	decision_encode(d, &val);
	k.mv_size = DECISION_KEY_LEN;
	k.mv_data = kb;
	v.mv_size = val.len;
	v.mv_data = val.buf;
	rc = mdb_put(txn, dbi, &k, &v, MDB_NOOVERWRITE);
	strbuf_release(&val);
	return rc ? store_fail(DB, rc) : 0;
}

struct effective {
	int32_t night;
	struct decision *out;
	int found;
};

static int take_effective(const struct decision *d, void *data)
{
	struct effective *e = data;
	if (d->night > e->night)
		return 0;
	/* in the order recorded: the last one not after the night wins */
	strbuf_reset(&e->out->note);
	{
		struct strbuf keep = e->out->note;
		*e->out = *d;
		e->out->note = keep;
	}
	strbuf_add(&e->out->note, strbuf_str(&d->note), d->note.len);
	e->found = 1;
	return 0;
}

int decisions_effective(MDB_txn *txn, MDB_dbi dbi, const char *id, int32_t night,
			struct decision *d)
{
	struct effective e = { night, d, 0 };
	int rc = decisions_each(txn, dbi, id, take_effective, &e);
	if (rc)
		return -1;
	return e.found ? 0 : 1;
}

int decisions_each(MDB_txn *txn, MDB_dbi dbi, const char *id, decision_fn fn, void *data)
{
	char kb[DECISION_KEY_LEN + 1];
	struct decision d;
	MDB_cursor *c;
	MDB_val k, v;
	int rc, ret = 0;
	unsigned op;
	if ((rc = mdb_cursor_open(txn, dbi, &c)))
		return store_fail(DB, rc);
	decision_init(&d);
	if (id) {
		snprintf(kb, sizeof(kb), "%.16s/00000000", id);
		k.mv_size = DECISION_KEY_LEN;
		k.mv_data = kb;
		op = MDB_SET_RANGE;
	} else {
		op = MDB_FIRST;
	}
	for (rc = mdb_cursor_get(c, &k, &v, op); rc == 0 && !ret;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const char *why;
		if (id && (k.mv_size < 16 || memcmp(k.mv_data, id, 16)))
			break;
		if (decision_decode(&k, &v, &d, &why)) {
			log_error("store: decisions: %.*s: %s (pipeline check-store)",
				  (int)(k.mv_size < 64 ? k.mv_size : 64), (const char *)k.mv_data, why);
			ret = -1;
			break;
		}
		ret = fn(&d, data);
	}
	mdb_cursor_close(c);
	decision_release(&d);
	if (ret)
		return ret;
	return rc && rc != MDB_NOTFOUND ? store_fail(DB, rc) : 0;
}
