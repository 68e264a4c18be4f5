#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/atomicfile.h"
#include "core/conffile.h"
#include "core/log.h"
#include "core/banned.h"

/* Address space only: LMDB maps lazily; 64 GiB holds 10^8 rows. */
static size_t map_size = (size_t)64 << 30;

void store_set_map_size(size_t bytes)
{
	if (bytes)
		map_size = bytes;
}

int store_parse_size(const char *s, size_t *bytes)
{
	/* Less than a megabyte cannot hold the catalog. */
	return conf_parse_size(s, bytes) || *bytes < ((size_t)1 << 20) ? -1 : 0;
}

/* PIPELINE_STORE_MAP_SIZE, else the conf's setting, else 64G. */
static int effective_map_size(size_t *out)
{
	const char *env = getenv("PIPELINE_STORE_MAP_SIZE");
	*out = map_size;
	if (env && *env && store_parse_size(env, out)) {
		log_error("PIPELINE_STORE_MAP_SIZE='%s' is not a size (e.g. 1G, 512M, "
			  "at least 1M)", env);
		return -1;
	}
	return 0;
}

int store_fail(const char *what, int rc)
{
	log_error("store: %s: %s", what, mdb_strerror(rc));
	return -1;
}

/* MDB_CREATE in a write transaction; 0 (open an existing one) in a read one. */
static unsigned dbi_flags;

static int open_dbi(MDB_txn *txn, const char *name, MDB_dbi *dbi)
{
	int rc = mdb_dbi_open(txn, name, dbi_flags, dbi);
	if (rc == MDB_NOTFOUND) {
		log_error("store: no database '%s': built by another version; move the "
			  "state directory aside and run the nights again", name);
		return -1;
	}
	return rc ? store_fail(name, rc) : 0;
}

/*
 * The layout of rows follows schemas/stores and STORE_LAYOUT; refuse a
 * store built on another.
 */
static int check_layout(struct store *st, MDB_txn *txn)
{
	MDB_val k = { 6, "layout" }, v;
	struct strbuf want = STRBUF_INIT;
	int rc = mdb_get(txn, st->meta, &k, &v), same;
	strbuf_addf(&want, STORE_LAYOUT ":%s", st->cat->digest);
	if (rc == MDB_NOTFOUND && !dbi_flags) {
		strbuf_release(&want);
		log_error("store: no layout record: not a finished store");
		return -1;
	}
	if (rc == MDB_NOTFOUND) {
		v.mv_size = want.len;
		v.mv_data = want.buf;
		rc = mdb_put(txn, st->meta, &k, &v, 0);
		strbuf_release(&want);
		return rc ? store_fail("meta", rc) : 0;
	}
	same = rc == 0 && v.mv_size == want.len && !memcmp(v.mv_data, want.buf, want.len);
	strbuf_release(&want);
	if (rc)
		return store_fail("meta", rc);
	if (!same) {
		size_t l = strlen(STORE_LAYOUT);
		if (v.mv_size > l && !memcmp(v.mv_data, STORE_LAYOUT ":", l + 1))
			log_error("store: built with another schemas/stores; move the state "
				  "directory aside and run the nights again");
		else
			log_error("store: built by an older version (row layout %.*s, this one "
				  "reads layout " STORE_LAYOUT "); move the state directory aside "
				  "and run the nights again",
				  (int)(memchr(v.mv_data, ':', v.mv_size) ?
					(const char *)memchr(v.mv_data, ':', v.mv_size) -
					(const char *)v.mv_data : 0), (const char *)v.mv_data);
		return -1;
	}
	return 0;
}

static int open_all(struct store *st, MDB_txn *txn)
{
	if (open_dbi(txn, "files", &st->files) || open_dbi(txn, "names", &st->names) ||
	    open_dbi(txn, "coverage", &st->coverage) ||
	    open_dbi(txn, "landed", &st->landed) ||
	    open_dbi(txn, "ledger", &st->ledger) || open_dbi(txn, "breaks", &st->breaks) ||
	    open_dbi(txn, "meta", &st->meta) || open_dbi(txn, "receipts", &st->receipts) ||
	    open_dbi(txn, "vouchers", &st->vouchers) ||
	    open_dbi(txn, "filecover", &st->filecover) ||
	    open_dbi(txn, "outfiles", &st->outfiles))
		return -1;
	st->data = xcalloc((size_t)st->cat->nstores, sizeof(*st->data));
	for (int i = 0; i < st->cat->nstores; i++)
		if (open_dbi(txn, st->cat->stores[i].name, &st->data[i]))
			return -1;
	return check_layout(st, txn);
}

static int open_env(struct store *st, const char *statedir, const struct catalog *cat,
		    int readonly)
{
	struct strbuf dir = STRBUF_INIT;
	MDB_txn *txn = NULL;
	struct stat sb;
	size_t size;
	int rc;

	memset(st, 0, sizeof(*st));
	st->cat = cat;
	strbuf_addf(&dir, "%s/store", statedir);
	if (readonly) {
		struct strbuf data = STRBUF_INIT;
		strbuf_addf(&data, "%s/data.mdb", dir.buf);
		rc = stat(data.buf, &sb);
		strbuf_release(&data);
		if (rc) {
			strbuf_release(&dir);
			return 1;
		}
	}
	if (effective_map_size(&size) || (!readonly && mkdirs(dir.buf, 0700)))
		goto fail;
	if ((rc = mdb_env_create(&st->env)) ||
	    (rc = mdb_env_set_maxdbs(st->env, (MDB_dbi)(cat->nstores + 16))) ||
	    (rc = mdb_env_set_mapsize(st->env, size)) ||
	    (rc = mdb_env_open(st->env, dir.buf, readonly ? MDB_RDONLY : 0, 0600))) {
		log_error("store: unable to open %s: %s", dir.buf, mdb_strerror(rc));
		goto fail;
	}
	dbi_flags = readonly ? 0 : MDB_CREATE;
	if (store_begin(st, readonly ? MDB_RDONLY : 0, &txn) || open_all(st, txn))
		goto fail;
	/* A read-only transaction is committed too: that keeps its handles. */
	if (store_commit(txn)) {
		txn = NULL;
		goto fail;
	}
	strbuf_release(&dir);
	return 0;
fail:
	if (txn)
		mdb_txn_abort(txn);
	store_close(st);
	strbuf_release(&dir);
	return -1;
}

int store_open(struct store *st, const char *statedir, const struct catalog *cat)
{
	return open_env(st, statedir, cat, 0);
}

int store_open_readonly(struct store *st, const char *statedir, const struct catalog *cat)
{
	return open_env(st, statedir, cat, 1);
}

void store_close(struct store *st)
{
	if (st->env)
		mdb_env_close(st->env);
	free(st->data);
	st->env = NULL;
	st->data = NULL;
}

int store_begin(struct store *st, unsigned flags, MDB_txn **txn)
{
	int rc = mdb_txn_begin(st->env, NULL, flags, txn);
	return rc ? store_fail("begin transaction", rc) : 0;
}

int store_commit(MDB_txn *txn)
{
	int rc = mdb_txn_commit(txn);
	return rc ? store_fail("commit", rc) : 0;
}

MDB_dbi store_dbi(const struct store *st, const struct store_def *sd)
{
	return st->data[sd - st->cat->stores];
}

/* A number as w digits, zero-padded (a key field; no printf per row). */
static void put_digits(uint8_t *out, size_t w, int64_t v)
{
	uint64_t u = v < 0 ? 0 : (uint64_t)v;
	for (size_t i = w; i-- > 0; u /= 10)
		out[i] = (uint8_t)('0' + u % 10);
}

static size_t put_key_field(const struct field_def *f, const struct value *v,
			    uint8_t *out)
{
	size_t w;
	switch (f->type) {
	case FT_SE:
	case FT_CPR:
		w = f->type == FT_SE ? 8 : 10;
		memset(out, ' ', w);	/* absent sorts first */
		if (v->present)
			memcpy(out, v->text, v->len < w ? v->len : w);
		return w;
	case FT_MONTH:
		w = 6;
		break;
	case FT_DAY:
		w = 8;
		break;
	case FT_FELTNR:
		w = 4;
		break;
	default:
		return 0;
	}
	put_digits(out, w, v->present ? v->num : 0);
	return w;
}

size_t store_key_len(const struct store_def *sd)
{
	return SEGMENT_LEN + sd->key_width + 6 + 4;
}

size_t store_key_tail(const struct catalog *cat, const struct store_def *sd,
		      const struct record *r, uint64_t record, uint32_t line, uint8_t *out)
{
	size_t n = 0;
	for (int i = 0; i < sd->nkey; i++)
		n += put_key_field(&cat->fields[sd->key[i]], &r->v[sd->key[i]], out + n);
	for (int s = 40; s >= 0; s -= 8)
		out[n++] = (uint8_t)(record >> s);
	for (int s = 24; s >= 0; s -= 8)
		out[n++] = (uint8_t)(line >> s);
	return n;
}

size_t store_key(const struct catalog *cat, const struct store_def *sd,
		 const struct record *r, const uint8_t segment[SEGMENT_LEN],
		 uint64_t record, uint32_t line, uint8_t *out)
{
	memcpy(out, segment, SEGMENT_LEN);
	return SEGMENT_LEN + store_key_tail(cat, sd, r, record, line, out + SEGMENT_LEN);
}

const uint8_t *store_key_segment(const MDB_val *key)
{
	return key->mv_data;
}

/*
 * Values are varints (LEB128: 7 bits a byte, low first, the high bit says
 * more follow): a row's amounts, field numbers and days take 1-5 bytes
 * where a fixed u64 took 8, and a text's length 1 byte where a u16 took
 * 2 (layout 5; issue 17: the store was 2.3 bytes per byte of CSV).
 */
/* 0 and *p past the varint, or -1 when it runs past end or past 64 bits. */
static int get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;
	for (unsigned shift = 0; *p < end && shift < 64; shift += 7) {
		uint8_t b = *(*p)++;
		if (shift == 63 && b > 1)
			return -1;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

/* Zigzag: small negative amounts (credit notes, reversals) stay short. */
static uint64_t zigzag(int64_t n)
{
	return ((uint64_t)n << 1) ^ (uint64_t)(n >> 63);
}

static int64_t unzigzag(uint64_t u)
{
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static int is_text(enum field_type t)
{
	return t == FT_TEXT || t == FT_CPR || t == FT_SE;
}

/* The varint of v at p; returns the bytes written (1..10). */
static size_t varint_at(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* One grow for the whole value, then bytes in place: normalise's per-row path. */
void store_encode(const struct catalog *cat, const struct store_def *sd,
		  const struct record *r, struct strbuf *out)
{
	uint32_t present = 0;
	size_t most = 10, n;
	uint8_t *p;
	strbuf_reset(out);
	for (int i = 0; i < sd->nvalue; i++) {
		const struct value *v = &r->v[sd->value[i]];
		if (!v->present)
			continue;
		present |= 1u << i;
		most += 10 + (is_text(cat->fields[sd->value[i]].type) ? v->len : 0);
	}
	strbuf_grow(out, most);
	p = (uint8_t *)out->buf;
	n = varint_at(p, present);
	for (int i = 0; i < sd->nvalue; i++) {
		const struct value *v = &r->v[sd->value[i]];
		if (!v->present)
			continue;
		if (is_text(cat->fields[sd->value[i]].type)) {
			n += varint_at(p + n, v->len);
			if (v->len)
				memcpy(p + n, v->text, v->len);
			n += v->len;
		} else {
			n += varint_at(p + n, zigzag(v->num));
		}
	}
	out->len = n;
	out->buf[n] = '\0';
}

static int decode_key(const struct catalog *cat, const struct store_def *sd,
		      const uint8_t *k, struct record *r)
{
	for (int i = 0; i < sd->nkey; i++) {
		const struct field_def *f = &cat->fields[sd->key[i]];
		struct value *v = &r->v[sd->key[i]];
		size_t w = f->type == FT_SE ? 8 : f->type == FT_CPR ? 10 :
			   f->type == FT_MONTH ? 6 : f->type == FT_DAY ? 8 : 4;
		if (f->type == FT_SE || f->type == FT_CPR) {
			*v = (struct value){ k[0] != ' ', 0, (const char *)k, w };
		} else {
			*v = (struct value){ 1, 0, NULL, 0 };
			for (size_t j = 0; j < w; j++) {
				if (k[j] < '0' || k[j] > '9')
					return -1;
				v->num = v->num * 10 + (k[j] - '0');
			}
		}
		k += w;
	}
	return 0;
}

int store_decode(const struct catalog *cat, const struct store_def *sd,
		 const MDB_val *key, const MDB_val *val, struct record *r)
{
	memset(r, 0, sizeof(*r));
	return store_decode_row(cat, sd, key, val, r);
}

int store_decode_row(const struct catalog *cat, const struct store_def *sd,
		     const MDB_val *key, const MDB_val *val, struct record *r)
{
	const uint8_t *p = val->mv_data, *end = p + val->mv_size;
	uint32_t present;
	uint64_t u;

	for (int i = 0; i < sd->nvalue; i++)
		r->v[sd->value[i]] = (struct value){ 0, 0, NULL, 0 };
	if (key->mv_size != store_key_len(sd))
		return -1;
	if (decode_key(cat, sd, (const uint8_t *)key->mv_data + SEGMENT_LEN, r))
		return -1;
	if (get_varint(&p, end, &u) || u >> sd->nvalue)
		return -1;
	present = (uint32_t)u;
	for (int i = 0; i < sd->nvalue; i++) {
		struct value *v = &r->v[sd->value[i]];
		if (!(present & (1u << i)))
			continue;
		v->present = 1;
		if (get_varint(&p, end, &u))
			return -1;
		if (is_text(cat->fields[sd->value[i]].type)) {
			if ((uint64_t)(end - p) < u)
				return -1;
			v->text = (const char *)p;
			v->len = (size_t)u;
			p += u;
		} else {
			v->num = unzigzag(u);
		}
	}
	return p == end ? 0 : -1;
}

void fileid_hex(const uint8_t id[FILEID_LEN], char hex[2 * FILEID_LEN + 1])
{
	static const char x[] = "0123456789abcdef";
	for (int i = 0; i < FILEID_LEN; i++) {
		hex[2 * i] = x[id[i] >> 4];
		hex[2 * i + 1] = x[id[i] & 15];
	}
	hex[2 * FILEID_LEN] = '\0';
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int fileid_from_hex(const char *hex, uint8_t id[FILEID_LEN])
{
	for (int i = 0; i < FILEID_LEN; i++) {
		int hi = hexval(hex[2 * i]), lo = hi < 0 ? -1 : hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		id[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

const char *prop_get(const MDB_val *val, const char *key, struct strbuf *out)
{
	const char *p = val->mv_data, *end = p + val->mv_size;
	size_t kl = strlen(key);
	strbuf_reset(out);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		if ((size_t)(e - p) > kl && !memcmp(p, key, kl) && p[kl] == '=') {
			strbuf_add(out, p + kl + 1, (size_t)(e - p - kl - 1));
			return out->buf;
		}
		p = e + 1;
	}
	return NULL;
}
