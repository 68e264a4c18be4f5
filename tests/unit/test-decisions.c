/*
 * The decisions database (store/decisions.h): the words, initials and
 * notes it takes and refuses; every decision kept in the order recorded;
 * which one applies to a night (the latest not taken after it); a value
 * round-trips (a note with newlines and ';'); damaged keys and values
 * refused with a reason (what check-store reports).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/decisions.h"
#include "test.h"

static char tmpdir[] = "/tmp/test-decisions-XXXXXX";

static struct decision mk(const char *id, int32_t night, const char *word, const char *by,
			  money_t amount, const char *note)
{
	struct decision d;
	decision_init(&d);
	snprintf(d.id, sizeof(d.id), "%s", id);
	d.night = night;
	snprintf(d.decision, sizeof(d.decision), "%s", word);
	snprintf(d.by, sizeof(d.by), "%s", by);
	snprintf(d.at, sizeof(d.at), "2021-11-16T08:00:00Z");
	d.amount = amount;
	strbuf_addstr(&d.note, note);
	return d;
}

static void test_words(void)
{
	CHECK(decision_word_ok("forklaret") && decision_word_ok("accepteret") &&
	      decision_word_ok("afskrevet") && decision_word_ok("genaabnet"), "the four words");
	CHECK(!decision_word_ok("Forklaret") && !decision_word_ok("explained") &&
	      !decision_word_ok("") && !decision_word_ok("genåbnet"), "no other word, no case");
	CHECK(decision_explains("forklaret") && decision_explains("afskrevet") &&
	      !decision_explains("genaabnet") && !decision_explains("x"), "genaabnet opens");
	CHECK(decision_id_ok("8c14e79da80a9a31"), "an id");
	CHECK(!decision_id_ok("8C14E79DA80A9A31") && !decision_id_ok("8c14e79da80a9a3") &&
	      !decision_id_ok("8c14e79da80a9a31a") && !decision_id_ok("8c14e79da80a9a3g"),
	      "ids: lowercase, 16 hex exactly");
	CHECK(!decision_by_bad("AB") && !decision_by_bad("ÆØ") && !decision_by_bad("a.b-c_1"),
	      "initials");
	CHECK(decision_by_bad("") && decision_by_bad("A B") && decision_by_bad("A;B") &&
	      decision_by_bad("ABCDEFGHIJKLMNOPQ"), "initials refused: empty, blank, ';', 17 bytes");
	CHECK(!decision_note_bad("ok; on\nseveral\tlines"), "a note with ';', newline, tab");
	CHECK(decision_note_bad("") && decision_note_bad(" \n ") && decision_note_bad("a\rb") &&
	      decision_note_bad("a\x1b"), "notes refused: empty, blank, CR, ESC");
	{
		char big[DECISION_NOTE_MAX + 2];
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		CHECK(decision_note_bad(big) && (big[DECISION_NOTE_MAX] = '\0', !decision_note_bad(big)),
		      "a note of 2001 bytes refused, 2000 taken");
	}
}

static int count(const struct decision *d, void *data)
{
	struct strbuf *sb = data;
	strbuf_addf(sb, "%s/%u %s %s;", d->id, (unsigned)d->seq, d->decision, d->note.buf);
	return 0;
}

static void test_store(MDB_env *env)
{
	const char *A = "8c14e79da80a9a31", *B = "be87637b314edd11", *C = "0000000000000000";
	struct decision d1 = mk(A, 20211115, "forklaret", "AB", 1034400, "retur; rettet i KY\nlinje 2");
	struct decision d2 = mk(A, 20211120, "genaabnet", "CD", 1034400, "ikke rettet");
	struct decision d3 = mk(A, 20211116, "afskrevet", "AB", 1034400, "sent for the 16th");
	struct decision d4 = mk(B, 20211115, "accepteret", "ÆØ", -370000, "ok");
	struct decision got;
	struct strbuf sb = STRBUF_INIT;
	MDB_txn *txn;
	MDB_dbi dbi;

	decision_init(&got);
	CHECK(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) == 0, "read txn");
	CHECK(decisions_open(txn, 0, &dbi) == 1, "no database yet: 1, nothing made");
	mdb_txn_abort(txn);

	CHECK(mdb_txn_begin(env, NULL, 0, &txn) == 0, "write txn");
	CHECK(decisions_open(txn, 1, &dbi) == 0, "made");
	CHECK(decisions_put(txn, dbi, &d1) == 0 && d1.seq == 1, "first decision: seq 1");
	CHECK(decisions_put(txn, dbi, &d2) == 0 && d2.seq == 2, "second: seq 2");
	CHECK(decisions_put(txn, dbi, &d3) == 0 && d3.seq == 3, "third: seq 3");
	CHECK(decisions_put(txn, dbi, &d4) == 0 && d4.seq == 1, "another id: its own seq 1");
	CHECK(mdb_txn_commit(txn) == 0, "commit");

	CHECK(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) == 0, "read txn");
	CHECK(decisions_open(txn, 0, &dbi) == 0, "there now");
	CHECK(decisions_effective(txn, dbi, A, 20211114, &got) == 1, "before any: none");
	CHECK(decisions_effective(txn, dbi, A, 20211115, &got) == 0 && got.seq == 1 &&
	      !strcmp(got.decision, "forklaret") && got.amount == 1034400 &&
	      !strcmp(got.note.buf, "retur; rettet i KY\nlinje 2") && !strcmp(got.by, "AB") &&
	      !strcmp(got.at, "2021-11-16T08:00:00Z") && got.night == 20211115,
	      "its own night: the first, whole (note with ';' and a newline)");
	CHECK(decisions_effective(txn, dbi, A, 20211116, &got) == 0 && got.seq == 3 &&
	      !strcmp(got.decision, "afskrevet"), "the 16th: the latest recorded not after it");
	CHECK(decisions_effective(txn, dbi, A, 20211130, &got) == 0 && got.seq == 3,
	      "later: the latest recorded (seq 3, though taken for an earlier night than seq 2)");
	CHECK(decisions_effective(txn, dbi, B, 20211130, &got) == 0 && got.amount == -370000 &&
	      !strcmp(got.by, "ÆØ"), "another id, negative amount, UTF-8 initials");
	CHECK(decisions_effective(txn, dbi, C, 20211130, &got) == 1, "an id with none");
	CHECK(decisions_each(txn, dbi, A, count, &sb) == 0 &&
	      !strcmp(sb.buf, "8c14e79da80a9a31/1 forklaret retur; rettet i KY\nlinje 2;"
		      "8c14e79da80a9a31/2 genaabnet ikke rettet;"
		      "8c14e79da80a9a31/3 afskrevet sent for the 16th;"), "one id's history in order: %s",
	      sb.buf);
	strbuf_reset(&sb);
	CHECK(decisions_each(txn, dbi, NULL, count, &sb) == 0 &&
	      strstr(sb.buf, "be87637b314edd11/1 accepteret ok;") && strstr(sb.buf, "/3 afskrevet"),
	      "every decision");
	mdb_txn_abort(txn);
	strbuf_release(&sb);
	decision_release(&d1);
	decision_release(&d2);
	decision_release(&d3);
	decision_release(&d4);
	decision_release(&got);
}

static int decodes(const char *key, const char *val, const char **why)
{
	struct decision d;
	MDB_val k = { strlen(key), (void *)key }, v = { strlen(val), (void *)val };
	int rc;
	decision_init(&d);
	*why = "";
	rc = decision_decode(&k, &v, &d, why);
	decision_release(&d);
	return rc;
}

static void test_decode(void)
{
	const char *K = "8c14e79da80a9a31/00000001", *why;
	const char *V = "night=2021-11-15\ndecision=forklaret\nby=AB\nat=2021-11-16T08:00:00Z\n"
			"amount=1034400\nnote=why";
	struct strbuf sb = STRBUF_INIT;
	struct decision d = mk("8c14e79da80a9a31", 20211115, "forklaret", "AB", 1034400, "why");
	decision_encode(&d, &sb);
	CHECK(!strcmp(sb.buf, V), "encode: the documented layout: %s", sb.buf);
	CHECK(decodes(K, V, &why) == 0, "decodes: %s", why);
	CHECK(decodes("8c14e79da80a9a31/0000001", V, &why) && strstr(why, "key"), "short key");
	CHECK(decodes("8C14E79DA80A9A31/00000001", V, &why) && strstr(why, "key"), "uppercase id");
	CHECK(decodes("8c14e79da80a9a31/00000000", V, &why) && strstr(why, "0"), "seq 0");
	CHECK(decodes(K, "night=2021-02-30\ndecision=forklaret\nby=AB\nat=2021-11-16T08:00:00Z\n"
		      "amount=1\nnote=x", &why) && strstr(why, "night"), "no such night");
	CHECK(decodes(K, "night=2021-11-15\ndecision=explained\nby=AB\nat=2021-11-16T08:00:00Z\n"
		      "amount=1\nnote=x", &why) && strstr(why, "decision"), "unknown word");
	CHECK(decodes(K, "night=2021-11-15\ndecision=forklaret\nby=\nat=2021-11-16T08:00:00Z\n"
		      "amount=1\nnote=x", &why) && strstr(why, "initials"), "no initials");
	CHECK(decodes(K, "night=2021-11-15\ndecision=forklaret\nby=AB\nat=2021-11-16 08:00:00\n"
		      "amount=1\nnote=x", &why) && strstr(why, "at="), "at not UTC ISO");
	CHECK(decodes(K, "night=2021-11-15\ndecision=forklaret\nby=AB\nat=2021-11-16T08:00:00Z\n"
		      "amount=10,00\nnote=x", &why) && strstr(why, "amount"), "amount not øre");
	CHECK(decodes(K, "night=2021-11-15\ndecision=forklaret\nby=AB\nat=2021-11-16T08:00:00Z\n"
		      "amount=1\n", &why) && strstr(why, "note"), "no note");
	CHECK(decodes(K, "decision=forklaret\nnight=2021-11-15\nby=AB\nat=2021-11-16T08:00:00Z\n"
		      "amount=1\nnote=x", &why) && strstr(why, "night"), "fields out of order");
	strbuf_release(&sb);
	decision_release(&d);
}

int main(void)
{
	MDB_env *env;
	int ok;
	test_words();
	test_decode();
	ok = mkdtemp(tmpdir) && mdb_env_create(&env) == 0 && mdb_env_set_maxdbs(env, 4) == 0 &&
	     mdb_env_set_mapsize(env, (size_t)1 << 24) == 0 && mdb_env_open(env, tmpdir, 0, 0600) == 0;
	CHECK(ok, "an LMDB environment in %s", tmpdir);
	if (ok) {
		char p[128];
		test_store(env);
		mdb_env_close(env);
		snprintf(p, sizeof(p), "%s/data.mdb", tmpdir);
		unlink(p);
		snprintf(p, sizeof(p), "%s/lock.mdb", tmpdir);
		unlink(p);
		rmdir(tmpdir);
	}
	return test_done();
}
