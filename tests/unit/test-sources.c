/* conf/sources.conf (ingest/sources.h), safe_name, and the archive kinds of ingest/unpack.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/sources.h"
#include "ingest/unpack.h"
#include "test.h"

#define SFTP_OK "source a sftp\n host h\n user u\n key k\n known-hosts kh\n dir d\n into i\n"

static int load(const char *text, struct sources_conf *c)
{
	const char *path = test_text_file(text);
	int rc = sources_load(path, c);
	unlink(path);
	return rc;
}

/* A text that must be refused, with an error naming the file and the line. */
static void refused(const char *text, int line, const char *why)
{
	struct sources_conf c;
	char msg[1024], want[128];
	struct test_capture cap;
	const char *path = test_text_file(text);
	snprintf(want, sizeof(want), "%s:%d: ", path, line);
	test_stderr_start(&cap);
	CHECK(sources_load(path, &c) == -1, "refused: %s", why);
	unlink(path);
	test_stderr_stop(&cap, msg, sizeof(msg));
	CHECK(strstr(msg, want) != NULL, "%s: the error names %s: %s", why, want, msg);
	sources_free(&c);
}

static void test_safe_name(void)
{
	CHECK(safe_name("KY_SumEindkomst_29757895_20210205.csv"), "a report name");
	CHECK(safe_name("a b æøå.csv"), "blanks and Danish letters are fine");
	CHECK(!safe_name(""), "empty");
	CHECK(!safe_name(".hidden"), "leading dot");
	CHECK(!safe_name(".."), "dot dot");
	CHECK(!safe_name("a..b"), "dot dot inside");
	CHECK(!safe_name("a/b"), "slash");
	CHECK(!safe_name("a\\b"), "backslash");
	CHECK(!safe_name("a\nb"), "newline");
	CHECK(!safe_name("a\x7f"), "DEL");
	CHECK(!safe_name("a.csv@0123456789abcdef"), "@: kept for NAME@FILEID");
	struct strbuf p = STRBUF_INIT;
	printable_name("a\nb\x7f\x1b[2Jø.csv", &p);
	CHECK(!strcmp(p.buf, "a?b??[2Jø.csv"), "printable: control characters as '?': %s", p.buf);
	strbuf_release(&p);
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK(!safe_name(longname), "longer than 255");
}

static void test_load(void)
{
	struct sources_conf c;
	int rc = load("retries 3\ntimeout 7\nbackoff 1\n"
		      "source ky sftp\n  host 10.0.0.1\n  port 2222\n  user recon\n"
		      "  key keys/id\n  known-hosts /etc/kh\n  dir /out/ky\n  into ky\n"
		      "  after-landing move /out/ky/done\n"
		      "source erp local\n  dir drops/erp\n  into erp\n  after-landing delete\n"
		      "unpack max-entries 9\nunpack max-ratio 50\n", &c);
	CHECK(rc == 0, "a full file loads");
	CHECK(c.n == 2, "two sources: %d", c.n);
	CHECK(c.retries == 3 && c.timeout == 7 && c.backoff == 1, "numbers");
	CHECK(c.limits.max_entries == 9 && c.limits.max_ratio == 50 &&
	      c.limits.max_bytes == (uint64_t)4 << 30, "limits, max-bytes default");
	if (c.n == 2) {
		const struct source_def *k = &c.v[0], *e = &c.v[1];
		CHECK(k->type == SOURCE_SFTP && k->port == 2222 && !strcmp(k->host, "10.0.0.1"),
		      "sftp source");
		CHECK(!strcmp(k->key, "/tmp/keys/id"), "key relative to the conf dir: %s", k->key);
		CHECK(!strcmp(k->known_hosts, "/etc/kh"), "absolute known-hosts kept");
		CHECK(!strcmp(k->dir, "/out/ky"), "remote dir not made relative: %s", k->dir);
		CHECK(k->after == AFTER_MOVE && !strcmp(k->move_to, "/out/ky/done"), "move");
		CHECK(e->type == SOURCE_LOCAL && !strcmp(e->dir, "/tmp/drops/erp"),
		      "local dir relative to the conf dir: %s", e->dir);
		CHECK(e->after == AFTER_DELETE && e->port == 22, "delete; default port");
	}
	sources_free(&c);
}

static void test_defaults(void)
{
	struct sources_conf c;
	CHECK(sources_load("/nonexistent/sources.conf", &c) == 0 && c.n == 0 &&
	      c.retries == 5 && c.timeout == 30 && c.limits.max_entries == 10000,
	      "a missing file gives the defaults");
	sources_free(&c);
}

static void test_refused(void)
{
	struct sources_conf c;
	CHECK(load(SFTP_OK, &c) == 0, "the complete sftp block the refusals build on loads");
	sources_free(&c);
	refused("source ky ftp\n", 1, "an unknown type");
	refused("source ../x sftp\n", 1, "a source name with a path");
	refused("source a local\n dir x\n into y\nsource a local\n dir x\n into y\n", 4,
		"a name twice");
	refused("host x\n", 1, "a source line before any source");
	refused("source a local\n dir x\n", 1, "into missing");
	refused("source a local\n dir x\n into ../etc\n", 3, "into with ..");
	refused("source a local\n dir x\n into a/b\n", 3, "into with a slash");
	refused("source a local\n dir x\n into a@b\n", 3, "into with an @");
	refused("source a sftp\n host h\n user u\n key k\n dir d\n into i\n", 1,
		"known-hosts missing on sftp");
	refused(SFTP_OK " port 0\n", 8, "port 0");
	refused(SFTP_OK " port 65536\n", 8, "port too big");
	refused(SFTP_OK " port 22x\n", 8, "port not a number");
	refused(SFTP_OK " password secret\n", 8, "no passwords");
	refused("retries -1\n", 1, "negative retries");
	refused("retries 0\n", 1, "zero retries");
	refused("timeout 5\ntimeout\n", 2, "timeout without a value");
	refused("unpack max-bytes\n", 1, "a limit without a value");
	refused("unpack max-files 3\n", 1, "an unknown limit");
	refused("unpack max-ratio 99999999999999999999999\n", 1, "a limit that overflows");
	refused("source a local\n dir x\n into y\n after-landing move\n", 4, "move without DIR");
	refused("source a local\n dir x\n into y\n after-landing keep\n", 4, "unknown action");
}

static void test_kinds(void)
{
	CHECK(unpack_kind("ky/a.csv") == UNPACK_NONE, "plain");
	CHECK(unpack_kind("ky/a.csv.gz") == UNPACK_GZ, "gz");
	CHECK(unpack_kind("ky/a.TAR.GZ") == UNPACK_TGZ, "tar.gz, any case");
	CHECK(unpack_kind("ky/a.tgz") == UNPACK_TGZ, "tgz");
	CHECK(unpack_kind("ky/a.tar") == UNPACK_TAR, "tar");
	CHECK(unpack_kind("ky/a.Zip") == UNPACK_ZIP, "zip");
	CHECK(unpack_kind(".gz") == UNPACK_NONE, "only a suffix is no archive name");
	CHECK(unpack_kind("ky/a.gzip") == UNPACK_NONE, "gzip is not gz");
}

int main(void)
{
	test_safe_name();
	test_load();
	test_defaults();
	test_refused();
	test_kinds();
	return test_done();
}
