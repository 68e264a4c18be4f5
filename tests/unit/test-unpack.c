/* unpack_archive (ingest/unpack.h) on archives written here with libarchive:
 * names, boundaries of the limits, duplicates, empty archives. */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/unpack.h"
#include "test.h"

static char dir[] = "/tmp/test-unpack-XXXXXX";
static char path[512];

struct member {
	const char *name;
	size_t size;		/* bytes of 'x' */
	mode_t type;
};

/* A tar (or stored zip) at path holding the members. */
static void make(int zip, const struct member *m, int n)
{
	struct archive *a = archive_write_new();
	char *buf;
	snprintf(path, sizeof(path), "%s/a.%s", dir, zip ? "zip" : "tar");
	if (zip) {
		archive_write_set_format_zip(a);
		archive_write_set_options(a, "zip:compression=store");
	}
	else
		archive_write_set_format_pax_restricted(a);
	archive_write_open_filename(a, path);
	for (int i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_filetype(e, m[i].type ? m[i].type : AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, m[i].type == AE_IFDIR ? 0 : (la_int64_t)m[i].size);
		archive_write_header(a, e);
		buf = malloc(m[i].size + 1);
		memset(buf, 'x', m[i].size);
		if (m[i].type != AE_IFDIR)
			archive_write_data(a, buf, m[i].size);
		free(buf);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
}

static int unpack(int zip, const struct unpack_limits *lim, struct unpack_members *ms)
{
	return unpack_archive(path, "test", zip ? UNPACK_ZIP : UNPACK_TAR, lim, dir, ms);
}

static const struct unpack_limits lim = { 5, 1000, 200 };

static void test_names(void)
{
	struct unpack_members ms;
	const struct member m[] = { { "./reports/", 0, AE_IFDIR }, { "./reports/b.csv", 3, 0 },
				    { "a.csv", 2, 0 } };
	make(0, m, 3);
	CHECK(unpack(0, &lim, &ms) == 0 && ms.n == 2, "./dir/ members by base name");
	if (ms.n == 2) {
		CHECK(!strcmp(ms.v[0].name, "a.csv") && ms.v[0].size == 2, "sorted by name");
		CHECK(!strcmp(ms.v[1].name, "b.csv") && ms.v[1].size == 3, "second member");
	}
	unpack_members_free(&ms);
	make(1, (const struct member[]){ { "x/a.csv", 1, 0 }, { "y/a.csv", 1, 0 } }, 2);
	CHECK(unpack(1, &lim, &ms) == 1 && ms.n == 0, "two members of one base name");
	make(0, (const struct member[]){ { "a/.hidden", 1, 0 } }, 1);
	CHECK(unpack(0, &lim, &ms) == 1, "a hidden member name");
	make(0, (const struct member[]){ { "..", 1, 0 } }, 1);
	CHECK(unpack(0, &lim, &ms) == 1, "a member called ..");
	make(0, (const struct member[]){ { "a/..", 1, 0 } }, 1);
	CHECK(unpack(0, &lim, &ms) == 1, "a path ending in /..");
	make(0, (const struct member[]){ { "a..b.csv", 1, 0 } }, 1);
	CHECK(unpack(0, &lim, &ms) == 1, "a name with .. inside is not plain");
	make(0, NULL, 0);
	CHECK(unpack(0, &lim, &ms) == 0 && ms.n == 0, "an empty tar is fine");
}

static void test_limits(void)
{
	struct unpack_members ms;
	struct member m[6];
	char names[6][24];
	for (int i = 0; i < 6; i++) {
		snprintf(names[i], sizeof(names[i]), "m%d.csv", i);
		m[i] = (struct member){ names[i], 1, 0 };
	}
	make(0, m, 5);
	CHECK(unpack(0, &lim, &ms) == 0 && ms.n == 5, "max-entries members pass");
	unpack_members_free(&ms);
	make(0, m, 6);
	CHECK(unpack(0, &lim, &ms) == 1, "one more is refused");
	make(0, (const struct member[]){ { "a", 600, 0 }, { "b", 400, 0 } }, 2);
	CHECK(unpack(0, &lim, &ms) == 0, "exactly max-bytes passes");
	unpack_members_free(&ms);
	make(0, (const struct member[]){ { "a", 600, 0 }, { "b", 401, 0 } }, 2);
	CHECK(unpack(0, &lim, &ms) == 1, "one byte more is refused");
	make(1, (const struct member[]){ { "z", 3 << 20, 0 } }, 1);
	CHECK(unpack(1, &(struct unpack_limits){ 5, 1 << 30, 200 }, &ms) == 0,
	      "a stored zip (ratio 1) of 3 MiB passes");
	unpack_members_free(&ms);
	CHECK(unpack(1, &(struct unpack_limits){ 5, 1 << 30, 1 }, &ms) == 0,
	      "ratio 1 is not exceeded by a stored zip");
	unpack_members_free(&ms);
	make(0, (const struct member[]){ { "z", 3 << 20, 0 } }, 1);
	CHECK(unpack(0, &(struct unpack_limits){ 5, 1 << 30, 1 }, &ms) == 0,
	      "a tar is never smaller than what it holds");
	unpack_members_free(&ms);
}

static void test_left_nothing(void)
{
	struct unpack_members ms;
	int files = 0;
	make(0, (const struct member[]){ { "a", 10, 0 }, { "b", 2000, 0 } }, 2);
	CHECK(unpack(0, &lim, &ms) == 1, "refused late");
	for (int i = 0; i < 4; i++) {
		char p[600];
		snprintf(p, sizeof(p), "%s/member-%d", dir, i);
		files += access(p, F_OK) == 0;
	}
	CHECK(files == 0, "no temporary member left after a refusal (%d)", files);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_names();
	test_limits();
	test_left_nothing();
	unlink(path);
	snprintf(path, sizeof(path), "%s/a.zip", dir);
	unlink(path);
	rmdir(dir);
	return test_done();
}
