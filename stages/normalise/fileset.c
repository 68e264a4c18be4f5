#include "fileset.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/strbuf.h"
#include "core/banned.h"

void fileset_key(const char *relpath, const struct name_match *nm, struct strbuf *key)
{
	strbuf_reset(key);
	if (!nm->part) {
		strbuf_addstr(key, relpath);
		return;
	}
	strbuf_add(key, relpath, (size_t)nm->part_off);
	strbuf_addch(key, '*');
	strbuf_addstr(key, relpath + nm->part_off + nm->part_len);
}

static int cmp_part(const void *a, const void *b)
{
	const struct set_part *x = a, *y = b;
	if (x->part != y->part)
		return x->part < y->part ? -1 : 1;
	return strcmp(x->lf.relpath, y->lf.relpath);
}

/* Adds (or, landed later, replaces) the landing of one name of the set. */
static int add_part(struct store *st, MDB_txn *txn, const char *night, const char *rel,
		    size_t rl, const MDB_val *v, int32_t part, struct set_part **parts,
		    size_t *n)
{
	struct strbuf props = STRBUF_INIT, val = STRBUF_INIT;
	struct set_part *p = NULL;
	int rc;
	if (rl >= sizeof(p->lf.relpath) || v->mv_size != FILEID_LEN)
		return store_fail("landed: a malformed record", MDB_CORRUPTED);
	for (size_t i = 0; i < *n && !p; i++)
		if (strlen((*parts)[i].lf.relpath) == rl && !memcmp((*parts)[i].lf.relpath, rel, rl))
			p = &(*parts)[i];
	if (!p) {
		*parts = xrealloc(*parts, (*n + 1) * sizeof(**parts));
		p = &(*parts)[(*n)++];
	} else if (strcmp(p->night, night) > 0) {
		return 0;	/* keys come in night order: never, but be sure */
	}
	memset(p, 0, sizeof(*p));
	memcpy(p->lf.relpath, rel, rl);
	memcpy(p->lf.fileid, v->mv_data, FILEID_LEN);
	xstrlcpy(p->night, night, sizeof(p->night));
	p->part = part;
	rc = file_props_get(st, txn, p->lf.fileid, &props);
	if (rc == 0) {
		xstrlcpy(p->lf.sha, props_get(&props, "sha", &val) ? val.buf : "", sizeof(p->lf.sha));
		xstrlcpy(p->lf.path, props_get(&props, "path", &val) ? val.buf : "", sizeof(p->lf.path));
	}
	strbuf_release(&props);
	strbuf_release(&val);
	return rc ? store_fail("landed: a record without its file", MDB_CORRUPTED) : 0;
}

int fileset_gather(struct store *st, MDB_txn *txn, const char *night,
		   const struct input_rule *rule, const char *relpath,
		   const struct name_match *nm, struct set_part **parts, size_t *nparts,
		   struct strbuf *key)
{
	struct strbuf k = STRBUF_INIT, rel = STRBUF_INIT;
	MDB_cursor *c;
	MDB_val kv, v;
	int rc;

	*parts = NULL;
	*nparts = 0;
	fileset_key(relpath, nm, key);
	if ((rc = mdb_cursor_open(txn, st->landed, &c)))
		return store_fail("landed", rc);
	/* Every landing of every night up to this one: "YYYY-MM-DD" NUL relpath. */
	for (rc = mdb_cursor_get(c, &kv, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &kv, &v, MDB_NEXT)) {
		const char *kb = kv.mv_data;
		struct name_match m;
		char kn[11];
		if (kv.mv_size <= 11 || kb[10] != '\0')
			continue;
		memcpy(kn, kb, 10);
		kn[10] = '\0';
		if (strcmp(kn, night) > 0)
			break;
		strbuf_reset(&rel);
		strbuf_add(&rel, kb + 11, kv.mv_size - 11);
		if (memchr(rel.buf, '\0', rel.len) ||
		    pattern_match(rule->pattern, rel.buf, &m) != 0 || !m.part)
			continue;
		fileset_key(rel.buf, &m, &k);
		if (strcmp(k.buf, key->buf))
			continue;
		if (add_part(st, txn, kn, rel.buf, rel.len, &v, m.part, parts, nparts)) {
			rc = -1;
			break;
		}
	}
	mdb_cursor_close(c);
	strbuf_release(&k);
	strbuf_release(&rel);
	if (rc == -1)
		return -1;
	if (rc != MDB_NOTFOUND && rc != 0)
		return store_fail("landed", rc);
	if (*nparts > 1)
		qsort(*parts, *nparts, sizeof(**parts), cmp_part);
	return 0;
}

int fileset_check(const struct set_part *p, size_t n, struct strbuf *why)
{
	int32_t want = 1;
	strbuf_reset(why);
	for (size_t i = 0; i < n; i++) {
		if (i && p[i].part == p[i - 1].part) {
			strbuf_addf(why, "two files are part %d (%s, %s)", (int)p[i].part,
				    p[i - 1].lf.relpath, p[i].lf.relpath);
			return -1;
		}
		if (p[i].part != want)
			break;
		want++;
	}
	if (n && want <= p[n - 1].part) {
		strbuf_addf(why, "part %d of the set is missing (parts", (int)want);
		for (size_t i = 0; i < n; i++)
			strbuf_addf(why, "%s %d", i ? "," : "", (int)p[i].part);
		strbuf_addstr(why, " present); never read as if complete");
		return -1;
	}
	return 0;
}
