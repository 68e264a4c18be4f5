/* The archive's files: seal records, the chain, manifests, archive.conf. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/strbuf.h"
#include "archive/archiveconf.h"
#include "archive/sealed.h"
#include "test.h"

#define H(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	     c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
static char dir[] = "/tmp/test-archive-XXXXXX";

static void put(const char *name, const char *text)
{
	struct strbuf p = STRBUF_INIT;
	FILE *f;
	strbuf_addf(&p, "%s/%s", dir, name);
	f = fopen(p.buf, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
	strbuf_release(&p);
}

static int chain_text(const char *text, struct chain *ch)
{
	put("chain", text);
	return chain_load(dir, ch);
}

static void test_seal(void)
{
	char out[DIGEST_HEXSZ];
	seal_compute(seal_genesis, H("a"), out);
	CHECK(!strcmp(out, "6b0440c1ce48fe6bbbdc6b7b1499bf9aa8b74171dcdb3eeff952e1e7cf527813"),
	      "SHA-256 of PREV then MANIFEST as hex text: %s", out);
	CHECK(strlen(seal_genesis) == 64 && strspn(seal_genesis, "0") == 64, "genesis");
}

static void test_chain(void)
{
	struct chain ch;
	const char *good = "# c\nseal 1 2021-02-05 2021-02-05 " H("a") " " H("0") " " H("b") "\n"
			   "seal 2 2021-02-05 2021-02-05.r2 " H("c") " " H("b") " " H("d") "\n";
	CHECK(chain_text(good, &ch) == 0 && ch.n == 2, "a good chain");
	CHECK(chain_latest(&ch, "2021-02-05") == &ch.v[1], "the newest revision");
	CHECK(chain_latest(&ch, "2021-02-06") == NULL, "no such night");
	CHECK(chain_newest(&ch) == 20210205, "newest night");
	CHECK(retention_cutoff(chain_newest(&ch), 10, 20261123) == 20110205 &&
	      retention_cutoff(20210205, 0, 20261123) == 0 && retention_cutoff(0, 10, 20261123) == 0,
	      "cutoff");
	CHECK(retention_cutoff(21020105, 1, 20261123) == 20251123,
	      "a night after today: the cutoff is years before today");
	chain_free(&ch);
	CHECK(chain_load("/nonexistent", &ch) == 0 && ch.n == 0, "no chain file: empty");
	fprintf(stderr, "(expected errors follow)\n");
	CHECK(chain_text("seal 1 2021-02-05 2021-02-05 " H("A") " " H("0") " " H("b") "\n",
			 &ch) == -1, "upper-case hex");
	CHECK(chain_text("seal 1 2021-02-30 2021-02-30 " H("a") " " H("0") " " H("b") "\n",
			 &ch) == -1, "not a day");
	CHECK(chain_text("seal 1 2021-02-05 2021-02-06 " H("a") " " H("0") " " H("b") "\n",
			 &ch) == -1, "a base naming another night");
	CHECK(chain_text("seal 1 2021-02-05 2021-02-05/x " H("a") " " H("0") " " H("b") "\n",
			 &ch) == -1, "a base with a slash");
	CHECK(chain_text("seal 0 2021-02-05 2021-02-05 " H("a") " " H("0") " " H("b") "\n",
			 &ch) == -1, "sequence 0");
	CHECK(chain_text("seal 1 2021-02-05 2021-02-05 " H("a") " " H("0") "\n", &ch) == -1,
	      "a word missing");
	CHECK(chain_text("seal 1 2021-02-05 2021-02-05 abc " H("0") " " H("b") "\n", &ch) == -1,
	      "a short hash");
}

static void test_manifest(void)
{
	struct manifest m;
	struct strbuf p = STRBUF_INIT;
	put("m", "night 2021-02-05\narchive 2021-02-05.tar.gz " H("a") " 100\n"
	    "member " H("b") " 10 2 exceptions/x.csv\ninput " H("c") " 5 1 ky/a.csv\n");
	strbuf_addf(&p, "%s/m", dir);
	CHECK(manifest_load(p.buf, &m) == 0, "a good manifest");
	CHECK(m.nmembers == 1 && m.ninputs == 1 && m.archive_size == 100 &&
	      m.members[0].rows == 2 && manifest_member(&m, "exceptions/x.csv") &&
	      !manifest_member(&m, "x"), "its fields");
	manifest_free(&m);
	put("m", "night 2021-02-05\nretention-years 10\narchive a.tar.gz " H("a") " 1\n");
	CHECK(manifest_load(p.buf, &m) == 0 && m.retention_years == 10, "retention sealed");
	manifest_free(&m);
	put("m", "night 2021-02-05\nretention-years x\narchive a.tar.gz " H("a") " 1\n");
	CHECK(manifest_load(p.buf, &m) == -1, "a bad retention");
	put("m", "night 2021-02-05\nmember " H("b") " 10 2 x\n");
	CHECK(manifest_load(p.buf, &m) == -1, "no archive line");
	put("m", "night 2021-02-05\narchive a.tar.gz " H("a") " 1\nmember " H("b") " 1x 2 x\n");
	CHECK(manifest_load(p.buf, &m) == -1, "a bad size");
	put("m", "night 2021-02-05\narchive a.tar.gz " H("a") " 1\nextra 1\n");
	CHECK(manifest_load(p.buf, &m) == -1, "an unknown line");
	strbuf_release(&p);
}

static void test_conf(void)
{
	struct pipeline_conf c;
	struct archive_conf ac;
	memset(&c, 0, sizeof(c));
	c.dir = dir;
	unsetenv("PIPELINE_ARCHIVE_DIR");
	put("archive.conf", "dir arch\nretention-years 10\n");
	CHECK(archive_conf_load(&c, &ac) == 0 && ac.retention_years == 10, "load");
	CHECK(!strncmp(ac.dir, dir, strlen(dir)) && !strcmp(ac.dir + strlen(dir), "/arch"),
	      "relative to the conf: %s", ac.dir);
	archive_conf_free(&ac);
	setenv("PIPELINE_ARCHIVE_DIR", "/elsewhere", 1);
	CHECK(archive_conf_load(&c, &ac) == 0 && !strcmp(ac.dir, "/elsewhere"), "env overrides");
	archive_conf_free(&ac);
	unsetenv("PIPELINE_ARCHIVE_DIR");
	put("archive.conf", "retention-years -1\n");
	CHECK(archive_conf_load(&c, &ac) == -1, "negative retention");
	put("archive.conf", "dir a b\n");
	CHECK(archive_conf_load(&c, &ac) == -1, "dir with two words");
}

static void cleanup(void)
{
	static const char *const names[] = { "chain", "m", "archive.conf" };
	struct strbuf p = STRBUF_INIT;
	for (size_t i = 0; i < 3; i++) {
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s", dir, names[i]);
		unlink(p.buf);
	}
	rmdir(dir);
	strbuf_release(&p);
}

int main(void)
{
	log_init("test-archive");
	if (!mkdtemp(dir))
		return 1;
	test_seal();
	test_chain();
	test_manifest();
	test_conf();
	cleanup();
	return test_done();
}
