/*
 * known_hosts with OpenSSH's semantics (stages/fetch/knownhosts.h): names
 * with and without a port, patterns, hashed names (vectors written by
 * OpenSSH's ssh-keygen -H), markers, several key types, comments, and every
 * line that must be refused with file:line.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stages/fetch/knownhosts.h"
#include "test.h"

/* Keys made by ssh-keygen for this test (public halves only). */
#define ED1 "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOkZOQIvz7PnaTfFJg8kjrCBE0H924/qX9XiQiTil+XN"
#define ED2 "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKHdqmwGsng2aADOWwKvxiM2YaoehihbA5KV6U/FT6I0"
#define EC1 "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBDm+WOHNNnUz3BUQnZU2hPwiQqlUgY1hpafscW57+zhtQFOTOPq8DcSicx0zXU03kp0eEIEaUgZ8iVL23opbv20="
/* ssh-keygen -H of "[127.0.0.1]:2222 ED1" and "sftp.ky.example.dk ED1". */
#define HASHED_2222 "|1|d0VXEb8CECc5Fpxgmd0OqX75smc=|k76I0+V4QXogqGV5SkRtuYy18SU="
#define HASHED_KY "|1|/KRtGwR7t1hY6sma2EAx1dS5qdM=|P33KbzenT+SXD+c53p/4tCcXwXI="

/* The wire blob of "TYPE BASE64" (what the server presents). */
static unsigned char *blob(const char *line, size_t *len)
{
	const char *b64 = strchr(line, ' ') + 1;
	size_t n = strlen(b64), pad = 0;
	unsigned char *out = malloc(n);
	while (b64[n - 1 - pad] == '=')
		pad++;
	*len = (size_t)EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n) - pad;
	return out;
}

static char errs[8192];

/* Loads text (written with mode) for host:port; stderr kept in errs. */
static int load_mode(struct knownhosts *kh, const char *text, mode_t mode, const char *host,
		     int port, char path[64])
{
	struct test_capture cap;
	int rc;
	snprintf(path, 64, "%s", test_text_file(text));
	chmod(path, mode);
	test_stderr_start(&cap);
	rc = knownhosts_load(kh, path, host, port);
	test_stderr_stop(&cap, errs, sizeof(errs));
	return rc;
}

static int load(struct knownhosts *kh, const char *text, const char *host, int port,
		char path[64])
{
	return load_mode(kh, text, 0600, host, port, path);
}

/* The verdict for the server key "TYPE BASE64" of host:port; *line as checked. */
static enum kh_verdict verdict(const char *text, const char *host, int port, const char *key,
			       unsigned long *line)
{
	struct knownhosts kh;
	char path[64];
	size_t len;
	unsigned char *b = blob(key, &len);
	enum kh_verdict v = (enum kh_verdict)-1;
	if (load(&kh, text, host, port, path) == 0)
		v = knownhosts_check(&kh, b, len, line);
	knownhosts_free(&kh);
	unlink(path);
	free(b);
	return v;
}

/* text must be refused with "PATH:LINE: " and why in the message. */
static void refused(const char *text, const char *host, int port, int line, const char *why)
{
	struct knownhosts kh;
	char path[64], want[96];
	int rc = load(&kh, text, host, port, path);
	snprintf(want, sizeof(want), "%s:%d: ", path, line);
	CHECK(rc == -1, "refused: %s", why);
	CHECK(strstr(errs, want) && strstr(errs, why), "'%s' names %s: %s", why, want, errs);
	CHECK(kh.n == 0 && !kh.path, "nothing kept after an error");
	knownhosts_free(&kh);
	unlink(path);
}

static void test_name(void)
{
	char *n;
	n = knownhosts_name("127.0.0.1", 22);
	CHECK(!strcmp(n, "127.0.0.1"), "port 22: the plain host: %s", n);
	free(n);
	n = knownhosts_name("127.0.0.1", 2222);
	CHECK(!strcmp(n, "[127.0.0.1]:2222"), "another port: [host]:port: %s", n);
	free(n);
	n = knownhosts_name("SFTP.KY.Example.DK", 22);
	CHECK(!strcmp(n, "sftp.ky.example.dk"), "lowercased: %s", n);
	free(n);
	n = knownhosts_name("::1", 2222);
	CHECK(!strcmp(n, "[::1]:2222"), "IPv6 with a port: %s", n);
	free(n);
}

static void test_patterns(void)
{
	CHECK(knownhosts_field_matches("127.0.0.1", "127.0.0.1") == 1, "plain host");
	CHECK(knownhosts_field_matches("127.0.0.1", "[127.0.0.1]:2222") == 0,
	      "a line for port 22 is not for port 2222 (libssh2 would fall back)");
	CHECK(knownhosts_field_matches("[127.0.0.1]:2222", "127.0.0.1") == 0,
	      "a line for port 2222 is not for port 22");
	CHECK(knownhosts_field_matches("[127.0.0.1]:2222", "[127.0.0.1]:2223") == 0,
	      "another port");
	CHECK(knownhosts_field_matches("[127.0.0.1]:2222", "[127.0.0.1]:2222") == 1, "[host]:port");
	CHECK(knownhosts_field_matches("a.dk,[127.0.0.1]:2222,b.dk", "[127.0.0.1]:2222") == 1,
	      "in a comma list");
	CHECK(knownhosts_field_matches("a.dk,b.dk", "c.dk") == 0, "not in a comma list");
	CHECK(knownhosts_field_matches("127.0.0.10", "127.0.0.1") == 0, "no prefix match");
	CHECK(knownhosts_field_matches("SFTP.KY.Example.DK", "sftp.ky.example.dk") == 1,
	      "case does not matter");
	CHECK(knownhosts_field_matches("*.example.dk", "sftp.ky.example.dk") == 1, "'*'");
	CHECK(knownhosts_field_matches("*.example.dk", "example.dk") == 0, "'*.' needs the dot");
	CHECK(knownhosts_field_matches("*", "[127.0.0.1]:2222") == 1, "'*' matches a port too");
	CHECK(knownhosts_field_matches("[127.0.0.?]:2222", "[127.0.0.1]:2222") == 1, "'?'");
	CHECK(knownhosts_field_matches("[127.0.0.?]:2222", "[127.0.0.10]:2222") == 0,
	      "'?' is one character");
	CHECK(knownhosts_field_matches("sftp*.dk", "sftp.ky.example.dk") == 1, "'*' in the middle");
	CHECK(knownhosts_field_matches("*.example.dk,!bad.example.dk", "bad.example.dk") == 0,
	      "a negated pattern that matches wins");
	CHECK(knownhosts_field_matches("!bad.example.dk,*.example.dk", "bad.example.dk") == 0,
	      "whatever its place");
	CHECK(knownhosts_field_matches("*.example.dk,!bad.example.dk", "ok.example.dk") == 1,
	      "a negated pattern that does not match changes nothing");
	CHECK(knownhosts_field_matches("!bad.example.dk", "ok.example.dk") == 0,
	      "negation alone names no host");
	CHECK(knownhosts_field_matches(HASHED_2222, "[127.0.0.1]:2222") == 1,
	      "hashed by ssh-keygen -H: [127.0.0.1]:2222");
	CHECK(knownhosts_field_matches(HASHED_2222, "127.0.0.1") == 0, "hashed: not the plain host");
	CHECK(knownhosts_field_matches(HASHED_2222, "[127.0.0.1]:2223") == 0, "hashed: other port");
	CHECK(knownhosts_field_matches(HASHED_KY, "sftp.ky.example.dk") == 1, "hashed host name");
	CHECK(knownhosts_field_matches("|1|abc|def", "x") == -1, "hashed, not base64");
	CHECK(knownhosts_field_matches("|1|d0VXEb8CECc5Fpxgmd0OqX75smc=", "x") == -1,
	      "hashed without its hash");
	CHECK(knownhosts_field_matches("|1|AAAA|k76I0+V4QXogqGV5SkRtuYy18SU=", "x") == -1,
	      "hashed with a short salt");
	CHECK(knownhosts_field_matches("|2|d0VXEb8CECc5Fpxgmd0OqX75smc=|k76I0+V4QXogqGV5SkRtuYy18SU=",
				       "x") == -1, "an unknown hash kind");
}

static void test_verdicts(void)
{
	unsigned long line;
	const char *h = "127.0.0.1";

	CHECK(verdict("[127.0.0.1]:2222 " ED1 "\n", h, 2222, ED1, &line) == KH_MATCH && line == 1,
	      "listed for host and port");
	CHECK(verdict("127.0.0.1 " ED1 "\n", h, 2222, ED1, &line) == KH_PORTLESS_ONLY && line == 1,
	      "listed for port 22 only: not trusted on 2222 (OpenSSH would), the line named");
	CHECK(verdict("127.0.0.1 " ED2 "\n", h, 2222, ED1, &line) == KH_UNKNOWN && line == 0,
	      "another key listed for port 22 only: unknown on 2222");
	CHECK(verdict("[127.0.0.1]:2222 " ED2 "\n127.0.0.1 " ED1 "\n", h, 2222, ED1, &line) ==
	      KH_CHANGED && line == 1,
	      "[host]:port lists another key, the plain host this one: changed (libssh2 would "
	      "take it)");
	CHECK(verdict("127.0.0.1 ssh-ed25519 !!!\n@frob 127.0.0.1 " ED1 "\n127.0.0.1 " ED1 "\n", h,
		      2222, ED1, &line) == KH_PORTLESS_ONLY && line == 3,
	      "unreadable lines for the port-22 host are hints not taken, not errors");
	CHECK(verdict("@revoked 127.0.0.1 " ED1 "\n[127.0.0.1]:2222 " ED1 "\n", h, 2222, ED1,
		      &line) == KH_MATCH, "a @revoked line for port 22 is not for 2222");
	CHECK(verdict("127.0.0.1 " ED1 "\n", h, 22, ED1, &line) == KH_MATCH, "port 22: plain host");
	CHECK(verdict("[127.0.0.1]:22 " ED1 "\n", h, 22, ED1, &line) == KH_UNKNOWN,
	      "port 22 is never written [host]:22 (OpenSSH does not look it up)");
	CHECK(verdict(HASHED_2222 " " ED1 "\n", h, 2222, ED1, &line) == KH_MATCH,
	      "a hashed line");
	CHECK(verdict(HASHED_2222 " " ED1 "\n", h, 2223, ED1, &line) == KH_UNKNOWN,
	      "a hashed line of another port");
	CHECK(verdict("# operators' file\n\n   \n\t# indented comment\r\n[127.0.0.1]:2222 " ED1
		      " the comment\r\n", h, 2222, ED1, &line) == KH_MATCH && line == 5,
	      "comments, blank lines, CRLF, a comment after the key: line %lu", line);
	CHECK(verdict("[127.0.0.1]:2222 " ED2 "\n", h, 2222, ED1, &line) == KH_CHANGED && line == 1,
	      "another key of the same type: changed");
	CHECK(verdict("[127.0.0.1]:2222 " EC1 "\n", h, 2222, ED1, &line) == KH_UNKNOWN,
	      "only another type listed: unknown, not changed");
	CHECK(verdict("[127.0.0.1]:2222 " EC1 "\n[127.0.0.1]:2222 " ED1 "\n", h, 2222, ED1,
		      &line) == KH_MATCH && line == 2, "several key types: the ED25519 one");
	CHECK(verdict("[127.0.0.1]:2222 " EC1 "\n[127.0.0.1]:2222 " ED1 "\n", h, 2222, EC1,
		      &line) == KH_MATCH && line == 1, "several key types: the ECDSA one");
	CHECK(verdict("[127.0.0.1]:2222 " ED2 "\n[127.0.0.1]:2222 " ED1 "\n", h, 2222, ED1,
		      &line) == KH_MATCH && line == 2, "two keys of one type: either is accepted");
	CHECK(verdict("@revoked [127.0.0.1]:2222 " ED1 "\n", h, 2222, ED1, &line) == KH_REVOKED &&
	      line == 1, "revoked");
	CHECK(verdict("[127.0.0.1]:2222 " ED1 "\n@revoked * " ED1 "\n", h, 2222, ED1, &line) ==
	      KH_REVOKED && line == 2, "revoked after a plain line of the same key: refused");
	CHECK(verdict("@revoked * " ED1 "\n[127.0.0.1]:2222 " ED1 "\n", h, 2222, ED1, &line) ==
	      KH_REVOKED && line == 1, "revoked before a plain line: refused");
	CHECK(verdict("@revoked " HASHED_2222 " " ED1 "\n[127.0.0.1]:2222 " ED1 "\n", h, 2222, ED1,
		      &line) == KH_REVOKED, "revoked by a hashed line");
	CHECK(verdict("@revoked other.dk " ED1 "\n[127.0.0.1]:2222 " ED1 "\n", h, 2222, ED1,
		      &line) == KH_MATCH && line == 2, "revoked for another host only");
	CHECK(verdict("@revoked * " ED2 "\n[127.0.0.1]:2222 " ED1 "\n", h, 2222, ED1, &line) ==
	      KH_MATCH, "another key revoked");
	CHECK(verdict("@cert-authority *.dk,[127.0.0.1]:2222 " ED2 "\n", h, 2222, ED1, &line) ==
	      KH_CA_ONLY && line == 1, "only a @cert-authority line: refused, and said why");
	CHECK(verdict("@cert-authority [127.0.0.1]:2222 " ED1 "\n", h, 2222, ED1, &line) ==
	      KH_CA_ONLY, "a CA line never trusts a key, even its own");
	CHECK(verdict("@cert-authority [127.0.0.1]:2222 " ED2 "\n[127.0.0.1]:2222 " ED1 "\n", h,
		      2222, ED1, &line) == KH_MATCH, "a CA line beside the listed key");
	CHECK(verdict("[127.0.0.*]:2222 " ED1 "\n", h, 2222, ED1, &line) == KH_MATCH, "wildcard");
	CHECK(verdict("*,![127.0.0.1]:2222 " ED1 "\n", h, 2222, ED1, &line) == KH_PORTLESS_ONLY,
	      "negated: not trusted (its '*' names the host on port 22: a hint)");
	CHECK(verdict("*,!127.0.0.1 " ED1 "\n", h, 22, ED1, &line) == KH_UNKNOWN, "negated, port 22");
	CHECK(verdict("[127.0.0.1]:2222 sk-ssh-ed25519@openssh.com AAAA\n[127.0.0.1]:2222 " ED1
		      "\n", h, 2222, ED1, &line) == KH_MATCH && line == 2,
	      "a key type this client cannot use is skipped");
	CHECK(verdict("other.dk ssh-ed25519 !!!\nother.dk\n@frob other.dk " ED2 "\n"
		      "[127.0.0.1]:2222 " ED1 "\n", h, 2222, ED1, &line) == KH_MATCH,
	      "unreadable lines for other hosts are not looked at");
	{
		char *big = malloc(20000), *text = malloc(21000);
		memset(big, 'x', 19999);
		big[19999] = '\0';
		snprintf(text, 21000, "[127.0.0.1]:2222 " ED1 " %s\n", big);
		CHECK(verdict(text, h, 2222, ED1, &line) == KH_MATCH,
		      "a line of 20000 bytes (libssh2 reads 4092)");
		free(text);
		free(big);
	}
}

static void test_types(void)
{
	struct knownhosts kh;
	char path[64];
	const char **t;
	CHECK(load(&kh, "@revoked * " ED2 "\n[127.0.0.1]:2222 " EC1 "\n@cert-authority * " ED2
		   "\nother.dk ssh-rsa AAAA\n[127.0.0.1]:2222 " ED1 "\n[127.0.0.1]:2222 " EC1 "\n",
		   "127.0.0.1", 2222, path) == 0, "loads");
	t = knownhosts_types(&kh);
	CHECK(t[0] && !strcmp(t[0], "ecdsa-sha2-nistp256") && t[1] &&
	      !strcmp(t[1], "ssh-ed25519") && !t[2],
	      "types: listed ones in file order, once each; not the CA's nor another host's");
	free(t);
	knownhosts_free(&kh);
	unlink(path);
	CHECK(load(&kh, "@revoked * " ED2 "\n", "127.0.0.1", 2222, path) == 0, "loads");
	t = knownhosts_types(&kh);
	CHECK(t[0] && !strcmp(t[0], "ssh-ed25519") && !t[1],
	      "a type only a @revoked line lists is asked for (to refuse it by name)");
	free(t);
	knownhosts_free(&kh);
	unlink(path);
	CHECK(load(&kh, "127.0.0.1 " ED1 "\n@revoked * " EC1 "\n[127.0.0.1]:2222 " ED2 "\n",
		   "127.0.0.1", 2222, path) == 0, "loads");
	t = knownhosts_types(&kh);
	CHECK(t[0] && !strcmp(t[0], "ssh-ed25519") && t[1] && !strcmp(t[1], "ecdsa-sha2-nistp256") &&
	      !t[2], "listed, then revoked, then the port-22 host's types");
	free(t);
	knownhosts_free(&kh);
	unlink(path);
}

static void test_refused(void)
{
	const char *h = "127.0.0.1";
	refused("# ok\n[127.0.0.1]:2222\n", h, 2222, 2, "without a key");
	refused("[127.0.0.1]:2222 ssh-ed25519\n", h, 2222, 1, "without a key");
	refused("\n\n@revoked\n", h, 2222, 3, "a marker without host names or key");
	refused("@revoked [127.0.0.1]:2222 ssh-ed25519 AAAA!!!!\n[127.0.0.1]:2222 " ED1 "\n", h,
		2222, 1, "is not base64");
	refused("[127.0.0.1]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOkZOQIvz7PnaTfFJg8kjrCBE0H924/qX9XiQiTil+X\n",
		h, 2222, 1, "is not base64");
	refused("[127.0.0.1]:2222 ecdsa-sha2-nistp256 AAAAC3NzaC1lZDI1NTE5AAAAIOkZOQIvz7PnaTfFJg8kjrCBE0H924/qX9XiQiTil+XN\n",
		h, 2222, 1, "is an ssh-ed25519 key, the line says ecdsa-sha2-nistp256");
	refused("@revokd [127.0.0.1]:2222 " ED1 "\n", h, 2222, 1, "unknown marker '@revokd'");
	refused("x.dk " ED1 "\n|1|abc|def " ED1 "\n", h, 2222, 2,
		"a hashed host name that cannot be read");
}

static void test_file_mode(void)
{
	struct knownhosts kh;
	char path[64];
	CHECK(load_mode(&kh, "[127.0.0.1]:2222 " ED1 "\n", 0644, "127.0.0.1", 2222, path) == 0,
	      "0644 is fine (others may read public keys)");
	knownhosts_free(&kh);
	unlink(path);
	CHECK(load_mode(&kh, "[127.0.0.1]:2222 " ED1 "\n", 0664, "127.0.0.1", 2222, path) == -1 &&
	      strstr(errs, path) && strstr(errs, "mode 0664: writable by group or others"),
	      "group-writable: refused, naming file and mode: %s", errs);
	knownhosts_free(&kh);
	unlink(path);
	CHECK(load_mode(&kh, "[127.0.0.1]:2222 " ED1 "\n", 0602, "127.0.0.1", 2222, path) == -1 &&
	      strstr(errs, "mode 0602"), "world-writable: refused: %s", errs);
	knownhosts_free(&kh);
	unlink(path);
	CHECK(knownhosts_load(&kh, "/nonexistent/known_hosts", "h", 22) == -1 && !kh.path,
	      "a missing file");
	knownhosts_free(&kh);
	CHECK(knownhosts_load(&kh, "/tmp", "h", 22) == -1, "a directory");
	knownhosts_free(&kh);
}

int main(void)
{
	test_name();
	test_patterns();
	test_verdicts();
	test_types();
	test_refused();
	test_file_mode();
	return test_done();
}
