/*
 * Outgoing files (run/outfile.h) and the postings writer on them
 * (post/postfile.h): written 0640, remembered per night and path, a rerun
 * told same from changed, listed in path order, pruned per stage, paths
 * that leave OUT/DATE refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "post/postfile.h"
#include "run/outfile.h"
#include "test.h"

static char tmpdir[] = "/tmp/test-outfile-XXXXXX";
static struct stage_ctx ctx;

static const char *slurp(const char *rel)
{
	static char buf[4096];
	char path[8192];
	FILE *f;
	size_t n;
	snprintf(path, sizeof(path), "%s/%s", ctx.outdir, rel);
	if (!(f = fopen(path, "r")))
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int mode_of(const char *rel)
{
	char path[8192];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", ctx.outdir, rel);
	return stat(path, &st) ? -1 : (int)(st.st_mode & 0777);
}

static int list(const struct outfile_info *f, void *data)
{
	struct strbuf *sb = data;
	strbuf_addf(sb, "%s %llu %llu %s %.8s\n", f->rel, f->size, f->rows, f->stage, f->sha);
	return 0;
}

static void test_write(MDB_txn *txn)
{
	enum outfile_result r;
	struct strbuf sb = STRBUF_INIT;
	char sha[65];
	const char *kept[] = { "charges/r/0101.csv" };
	ctx.name = "match-refusion";
	CHECK(outfile_write(&ctx, txn, "charges/r/0101.csv", "a\n1\n", 4, 1, sha, &r) == 0 &&
	      r == OUTFILE_NEW, "first write: new");
	CHECK(!strcmp(sha, "309b0e45a73d3fc5325e2b6ed0a01ef8b9cde6b05a5633c1f893f970d52bfddc"), "sha: the bytes' SHA-256: %s", sha);
	CHECK(slurp("charges/r/0101.csv") && !strcmp(slurp("charges/r/0101.csv"), "a\n1\n") &&
	      mode_of("charges/r/0101.csv") == 0640 && mode_of("charges/r") == 0750,
	      "written 0640 in a 0750 directory");
	CHECK(outfile_write(&ctx, txn, "charges/r/0147.csv", "a\n2\n", 4, 1, NULL, &r) == 0 &&
	      r == OUTFILE_NEW, "a second file");
	CHECK(outfile_write(&ctx, txn, "charges/r/0101.csv", "a\n1\n", 4, 1, NULL, &r) == 0 &&
	      r == OUTFILE_SAME, "a rerun with the same bytes: same");
	fprintf(stderr, "(the next line is expected)\n");
	CHECK(outfile_write(&ctx, txn, "charges/r/0101.csv", "a\n3\n", 4, 1, NULL, &r) == 0 &&
	      r == OUTFILE_CHANGED && !strcmp(slurp("charges/r/0101.csv"), "a\n3\n"),
	      "other bytes: changed, and the new bytes written");
	ctx.name = "match-other";
	CHECK(outfile_write(&ctx, txn, "charges/other.csv", "x\n", 2, 0, NULL, &r) == 0,
	      "another stage's file");
	CHECK(outfile_each(&ctx.store, txn, "2025-06-30", list, &sb) == 0, "listed");
	CHECK(strstr(sb.buf, "charges/other.csv 2 0 match-other") == sb.buf &&
	      strstr(sb.buf, "\ncharges/r/0101.csv 4 1 match-refusion ") &&
	      strstr(sb.buf, "\ncharges/r/0147.csv 4 1 match-refusion "),
	      "path order, size, rows, stage:\n%s", sb.buf);
	strbuf_reset(&sb);
	CHECK(outfile_each(&ctx.store, txn, "2025-07-01", list, &sb) == 0 && sb.len == 0,
	      "another night has none");
	ctx.name = "match-refusion";
	CHECK(outfile_prune(&ctx, txn, "charges", kept, 1) == 0 && slurp("charges/r/0101.csv") &&
	      !slurp("charges/r/0147.csv") && slurp("charges/other.csv"),
	      "prune: the file this run did not write goes; kept and other stages' stay");
	strbuf_reset(&sb);
	outfile_each(&ctx.store, txn, "2025-06-30", list, &sb);
	CHECK(!strstr(sb.buf, "0147") && strstr(sb.buf, "0101") && strstr(sb.buf, "other"),
	      "and its record:\n%s", sb.buf);
	fprintf(stderr, "(the next four errors are expected)\n");
	CHECK(outfile_write(&ctx, txn, "../escape.csv", "x", 1, 0, NULL, NULL) == -1 &&
	      outfile_write(&ctx, txn, "/etc/x", "x", 1, 0, NULL, NULL) == -1 &&
	      outfile_write(&ctx, txn, "a//b", "x", 1, 0, NULL, NULL) == -1 &&
	      outfile_write(&ctx, txn, "a/", "x", 1, 0, NULL, NULL) == -1,
	      "a path that leaves OUT/DATE is refused");
	strbuf_release(&sb);
}

/* The postings writer: the exception row's shape, own columns, sorted, one id once. */
static void test_postfile(MDB_txn *txn)
{
	static const char *const extra[] = { "opkraevnings_id", "periode" };
	struct postfile p;
	struct postfile_row *r;
	struct strbuf sb = STRBUF_INIT;
	char id[17], digest[65];
	ctx.name = "match-refusion";
	postfile_id(id, "mellemkommunal-refusion|%s|%s", "0101", "2025-H1");
	CHECK(!strcmp(id, "6c252dc6dbd60a93"), "id: 16 hex of SHA-256 of the event: %s", id);
	postfile_init(&p, "mellemkommunal-refusion", extra, 2);
	r = postfile_add(&p, id, "29757895", 202506, "0147", NULL, 32940, "opkraevning",
			 "Frederiksberg");
	postfile_set(r, 0, "MKR-0147-2025-06");
	postfile_set(r, 1, "2025-06");
	postfile_id(id, "mellemkommunal-refusion|%s|%s", "0101", "2025-H2");
	r = postfile_add(&p, id, "29757895", 202506, "0101", "0101851234", 191408, "opkraevning",
			 "København; 2 hold");
	xstrlcpy(r->account, "@refusion", sizeof(r->account));
	CHECK(postfile_write(&p, &ctx, txn, digest) == 0, "postings file written");
	CHECK(slurp("postings/mellemkommunal-refusion.csv") &&
	      !strcmp(slurp("postings/mellemkommunal-refusion.csv"), "\xef\xbb\xbf"
		      "id;recon;se;month;key;cpr;amount;reason;first_seen;"
		      "age_days;left;right;account;net;vat;opkraevnings_id;periode\n"
		      "fccb5ab4d2df5e42;mellemkommunal-refusion;29757895;2025-06;0101;0101851234;"
		      "1914,08;\"opkraevning: København; 2 hold\";2025-06-30;0;;;@refusion;1914,08;0,00;;\n"
		      "6c252dc6dbd60a93;mellemkommunal-refusion;29757895;2025-06;0147;;329,40;"
		      "opkraevning: Frederiksberg;2025-06-30;0;;;;329,40;0,00;MKR-0147-2025-06;2025-06\n"),
	      "sorted by key; quoted; net = amount, VAT 0; empty own columns");
	CHECK(mode_of("postings/mellemkommunal-refusion.csv") == 0640, "postings are 0640");
	outfile_each(&ctx.store, txn, "2025-06-30", list, &sb);
	CHECK(strstr(sb.buf, "postings/mellemkommunal-refusion.csv ") &&
	      strstr(sb.buf, " 2 match-refusion "), "remembered as an outgoing file:\n%s", sb.buf);
	postfile_add(&p, p.v[0].id, "29757895", 202506, "0999", NULL, 1, "opkraevning", "x");
	fprintf(stderr, "(the next error is expected)\n");
	CHECK(postfile_write(&p, &ctx, txn, digest) == -1, "two rows with one id are refused");
	postfile_free(&p);
	strbuf_release(&sb);
}

int main(void)
{
	struct catalog cat;
	struct strbuf dir = STRBUF_INIT;
	MDB_txn *txn;
	log_init("test-outfile");
	if (!mkdtemp(tmpdir))
		return 1;
	strbuf_addf(&dir, "%s/state", tmpdir);
	if (catalog_load("schemas/stores", &cat) || store_open(&ctx.store, dir.buf, &cat) ||
	    store_begin(&ctx.store, 0, &txn))
		return 1;
	ctx.opts.date = "2025-06-30";
	ctx.night = 20250630;
	snprintf(ctx.outdir, sizeof(ctx.outdir), "%s/out/2025-06-30", tmpdir);
	test_write(txn);
	test_postfile(txn);
	mdb_txn_abort(txn);
	store_close(&ctx.store);
	catalog_free(&cat);
	strbuf_release(&dir);
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			return 1;
	}
	return test_done();
}
