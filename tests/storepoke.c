/*
 * storepoke: damages a COPY of a store on purpose, for the tests of
 * `pipeline check-store` (tests/t0170-store-check.sh). Never for a real
 * store.
 *
 *   storepoke STORE list DB             every record: KEY TAB VALUE, a line each
 *   storepoke STORE put DB KEY VALUE    puts (overwrites) one record
 *   storepoke STORE del DB KEY          deletes one record (exit 1: none)
 *
 * STORE is the LMDB directory (STATE/store). KEY and VALUE are written as
 * mdb_dump -p prints them, but unambiguously: printable ASCII as it is,
 * "\\" a backslash, "\XX" any other byte as two hex digits (so
 * "eindkomst.ky_sum\00..." and "loading"). (This lmdb-utils' mdb_dump
 * writes a backslash byte as a lone "\", which cannot be read back.)
 * Exit 0 done, 1 no such record, 64 usage, 70 an LMDB error.
 */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes mdb_dump -p notation into a new buffer; -1 when malformed. */
static int unprint(const char *s, MDB_val *out)
{
	size_t n = strlen(s), len = 0;
	unsigned char *b = malloc(n + 1);
	if (!b)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			b[len++] = (unsigned char)s[i];
		} else if (s[i + 1] == '\\') {
			b[len++] = '\\';
			i++;
		} else if (hexval(s[i + 1]) >= 0 && s[i + 2] && hexval(s[i + 2]) >= 0) {
			b[len++] = (unsigned char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
			i += 2;
		} else {
			free(b);
			return -1;
		}
	}
	out->mv_data = b;
	out->mv_size = len;
	return 0;
}

static void print(const MDB_val *v)
{
	const unsigned char *c = v->mv_data;
	for (size_t i = 0; i < v->mv_size; i++)
		if (c[i] == '\\')
			fputs("\\\\", stdout);
		else if (c[i] > 0x20 && c[i] < 0x7f)
			putchar(c[i]);
		else
			printf("\\%02x", c[i]);
}

static int fail(const char *what, int rc)
{
	fprintf(stderr, "storepoke: %s: %s\n", what, mdb_strerror(rc));
	return 70;
}

int main(int argc, char **argv)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k, v = { 0, NULL };
	MDB_cursor *cur;
	int put = argc == 6 && !strcmp(argv[2], "put");
	int del = argc == 5 && !strcmp(argv[2], "del");
	int list = argc == 4 && !strcmp(argv[2], "list");
	int rc;

	if ((!put && !del && !list) || (!list && unprint(argv[4], &k)) ||
	    (put && unprint(argv[5], &v))) {
		fputs("usage: storepoke STORE list DB | storepoke STORE put DB KEY VALUE |\n"
		      "       storepoke STORE del DB KEY\n", stderr);
		return 64;
	}
	if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_maxdbs(env, 128)) ||
	    (rc = mdb_env_open(env, argv[1], 0, 0600)))
		return fail(argv[1], rc);
	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) ||
	    (rc = mdb_dbi_open(txn, argv[3], 0, &dbi)))
		return fail(argv[3], rc);
	if (list) {
		if ((rc = mdb_cursor_open(txn, dbi, &cur)))
			return fail(argv[3], rc);
		while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
			print(&k);
			putchar('\t');
			print(&v);
			putchar('\n');
		}
		mdb_cursor_close(cur);
		mdb_txn_abort(txn);
		mdb_env_close(env);
		return rc == MDB_NOTFOUND ? 0 : fail(argv[3], rc);
	}
	rc = put ? mdb_put(txn, dbi, &k, &v, 0) : mdb_del(txn, dbi, &k, NULL);
	if (rc == MDB_NOTFOUND) {
		fprintf(stderr, "storepoke: %s: no such record\n", argv[3]);
		mdb_txn_abort(txn);
		mdb_env_close(env);
		return 1;
	}
	if (rc || (rc = mdb_txn_commit(txn)))
		return fail(argv[3], rc);
	mdb_env_close(env);
	free(k.mv_data);
	free(v.mv_data);
	return 0;
}
