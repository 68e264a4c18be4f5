/* known_hosts with OpenSSH's semantics; why our own reader: knownhosts.h. */
#include "knownhosts.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/strbuf.h"
#include "ingest/sources.h"
#include "core/banned.h"

enum { SHA1_LEN = 20 };

/* The key types libssh2 1.10 can verify as host keys (their blob's name). */
static const char *const supported[] = {
	"ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp521", "ssh-rsa", "ssh-dss", NULL
};

char *knownhosts_name(const char *host, int port)
{
	struct strbuf sb = STRBUF_INIT;
	if (port == 22)
		strbuf_addstr(&sb, host);
	else
		strbuf_addf(&sb, "[%s]:%d", host, port);
	for (size_t i = 0; i < sb.len; i++)
		sb.buf[i] = (char)tolower((unsigned char)sb.buf[i]);
	return strbuf_detach(&sb);
}

/*
 * Strict base64 (what ssh-keygen writes): n a multiple of 4, '=' only as
 * padding. The decoded bytes into a new buffer; NULL when it is not base64.
 */
static unsigned char *base64_decode(const char *s, size_t n, size_t *out_len)
{
	size_t pad = 0;
	unsigned char *out;
	int got;
	if (!n || n % 4 || n > (size_t)1 << 20)
		return NULL;
	while (pad < 2 && s[n - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < n - pad; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '+' && s[i] != '/')
			return NULL;
	out = xmalloc(n / 4 * 3 + 1);
	got = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
	if (got < 0 || (size_t)got < pad) {
		free(out);
		return NULL;
	}
	*out_len = (size_t)got - pad;
	return out;
}

/* OpenSSH's match_pattern(): '*' any run, '?' one character. */
static int pattern_matches(const char *s, const char *p, size_t plen)
{
	while (plen) {
		if (*p == '*') {
			while (plen && *p == '*')
				p++, plen--;
			if (!plen)
				return 1;
			for (; *s; s++)
				if (pattern_matches(s, p, plen))
					return 1;
			return 0;
		}
		if (!*s || (*p != '?' && *p != *s))
			return 0;
		s++, p++, plen--;
	}
	return !*s;
}

/* HMAC-SHA1(salt, name) against the hashed field "|1|SALT|HASH". */
static int hashed_matches(const char *field, const char *name)
{
	const char *salt = field + 3, *bar = strchr(salt, '|');
	unsigned char *s = NULL, *h = NULL, mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	size_t slen = 0, hlen = 0;
	int rc = -1;
	if (bar && (s = base64_decode(salt, (size_t)(bar - salt), &slen)) &&
	    (h = base64_decode(bar + 1, strlen(bar + 1), &hlen)) && slen == SHA1_LEN &&
	    hlen == SHA1_LEN &&
	    HMAC(EVP_sha1(), s, (int)slen, (const unsigned char *)name, strlen(name), mac,
		 &mac_len))
		rc = mac_len == SHA1_LEN && !memcmp(mac, h, SHA1_LEN);
	free(s);
	free(h);
	return rc;
}

int knownhosts_field_matches(const char *field, const char *name)
{
	int positive = 0;
	if (field[0] == '|')
		return strncmp(field, "|1|", 3) ? -1 : hashed_matches(field, name);
	/* OpenSSH's match_hostname(): a negated pattern that matches wins. */
	for (const char *p = field; *p;) {
		size_t len = strcspn(p, ",");
		int negated = *p == '!';
		struct strbuf pat = STRBUF_INIT;
		strbuf_add(&pat, p + negated, len - (size_t)negated);
		for (size_t i = 0; i < pat.len; i++)
			pat.buf[i] = (char)tolower((unsigned char)pat.buf[i]);
		if (pattern_matches(name, strbuf_str(&pat), pat.len)) {
			if (negated) {
				strbuf_release(&pat);
				return 0;
			}
			positive = 1;
		}
		strbuf_release(&pat);
		p += len;
		if (*p == ',')
			p++;
	}
	return positive;
}

/* The key type a wire blob names (uint32 length, then the name), or "". */
static void blob_type(const unsigned char *b, size_t len, char out[64])
{
	uint32_t n;
	out[0] = '\0';
	if (len < 4)
		return;
	n = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	if (n < 64 && n <= len - 4) {
		memcpy(out, b + 4, n);
		out[n] = '\0';
	}
}

static int is_supported(const char *type)
{
	for (int i = 0; supported[i]; i++)
		if (!strcmp(type, supported[i]))
			return 1;
	return 0;
}

/* The next blank-separated word of *p, or NULL; *p moves past it. */
static char *word(char **p)
{
	char *s = *p + strspn(*p, " \t"), *e;
	if (!*s)
		return NULL;
	e = s + strcspn(s, " \t");
	if (*e)
		*e++ = '\0';
	*p = e;
	return s;
}

struct reading {
	struct knownhosts *kh;
	unsigned long lineno;
};

/*
 * One line naming the host: its key into kh. 0, or -1 reported. A line
 * for the host without the port (KH_PORTLESS) is only a hint: one that
 * cannot be read is skipped, quietly.
 */
static int keep(struct reading *r, enum kh_marker marker, char **rest)
{
	struct knownhosts *kh = r->kh;
	char *type = word(rest), *b64 = word(rest), named[64];
	unsigned char *blob;
	size_t len = 0;
	if (marker == KH_PORTLESS) {
		if (!type || !b64 || !is_supported(type) ||
		    !(blob = base64_decode(b64, strlen(b64), &len)))
			return 0;
		blob_type(blob, len, named);
		if (strcmp(named, type)) {
			free(blob);
			return 0;
		}
		goto add;
	}
	if (!type || !b64) {
		log_input(kh->path, r->lineno, 0, "a line for %s without a key", kh->name);
		return -1;
	}
	if (!is_supported(type)) {
		log_verbose("%s:%lu: key type %s for %s cannot be checked here; line skipped",
			    kh->path, r->lineno, type, kh->name);
		return 0;
	}
	if (!(blob = base64_decode(b64, strlen(b64), &len))) {
		log_input(kh->path, r->lineno, 0, "the %s key for %s is not base64", type,
			  kh->name);
		return -1;
	}
	blob_type(blob, len, named);
	if (strcmp(named, type)) {
		log_input(kh->path, r->lineno, 0, "the key for %s is a%s %s key, the line says %s",
			  kh->name, named[0] ? "n" : "", named[0] ? named : "unreadable", type);
		free(blob);
		return -1;
	}
add:
	kh->v = xrealloc(kh->v, (kh->n + 1) * sizeof(*kh->v));
	kh->v[kh->n++] = (struct kh_entry){ marker, xstrdup(type), blob, len, r->lineno };
	return 0;
}

static int read_line(struct reading *r, char *line)
{
	struct knownhosts *kh = r->kh;
	char *rest = line, *first, *field;
	const char *unknown = NULL;
	enum kh_marker marker = KH_PLAIN;
	int m;

	line[strcspn(line, "\r\n")] = '\0';
	first = word(&rest);
	if (!first || first[0] == '#')
		return 0;
	field = first;
	if (first[0] == '@') {
		if (!strcmp(first, "@revoked"))
			marker = KH_REVOKED_LINE;
		else if (!strcmp(first, "@cert-authority"))
			marker = KH_CA_LINE;
		else
			unknown = first;
		field = word(&rest);
	}
	if (!field) {
		log_input(kh->path, r->lineno, 0, "a marker without host names or key");
		return -1;
	}
	if ((m = knownhosts_field_matches(field, kh->name)) < 0) {
		log_input(kh->path, r->lineno, 0, "a hashed host name that cannot be read "
			  "(ssh-keygen -H writes |1|SALT|HASH)");
		return -1;
	}
	if (!m && kh->portless && marker == KH_PLAIN && !unknown &&
	    knownhosts_field_matches(field, kh->portless) == 1)
		return keep(r, KH_PORTLESS, &rest);
	if (!m)
		return 0;
	if (unknown) {
		struct strbuf p = STRBUF_INIT;
		printable_name(unknown, &p);
		log_input(kh->path, r->lineno, 0, "unknown marker '%s' on a line for %s "
			  "(@revoked and @cert-authority are known)", p.buf, kh->name);
		strbuf_release(&p);
		return -1;
	}
	return keep(r, marker, &rest);
}

/* Anyone who may write the file may add a key: it must be ours alone to write. */
static int check_mode(const struct knownhosts *kh, int fd)
{
	struct stat st;
	if (fstat(fd, &st)) {
		log_error("unable to read known_hosts %s: %s", kh->path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		log_error("known_hosts %s is not a regular file; refused", kh->path);
		return -1;
	}
	if (st.st_mode & 022) {
		log_error("known_hosts %s is mode %04o: writable by group or others, who could "
			  "add a key; refused (chmod go-w %s)", kh->path,
			  (unsigned)(st.st_mode & 07777), kh->path);
		return -1;
	}
	return 0;
}

int knownhosts_load(struct knownhosts *kh, const char *path, const char *host, int port)
{
	struct reading r = { kh, 0 };
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int fd, rc = 0;

	memset(kh, 0, sizeof(*kh));
	kh->path = xstrdup(path);
	kh->name = knownhosts_name(host, port);
	if (port != 22)
		kh->portless = knownhosts_name(host, 22);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || !(f = fdopen(fd, "r"))) {
		log_error("unable to read known_hosts %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		knownhosts_free(kh);
		return -1;
	}
	if (check_mode(kh, fd))
		rc = -1;
	while (rc == 0 && getline(&line, &cap, f) >= 0) {
		r.lineno++;
		rc = read_line(&r, line);
	}
	if (rc == 0 && ferror(f)) {
		log_error("unable to read known_hosts %s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(f);
	if (rc)
		knownhosts_free(kh);
	return rc;
}

void knownhosts_free(struct knownhosts *kh)
{
	for (size_t i = 0; i < kh->n; i++) {
		free(kh->v[i].type);
		free(kh->v[i].blob);
	}
	free(kh->v);
	free(kh->path);
	free(kh->name);
	free(kh->portless);
	memset(kh, 0, sizeof(*kh));
}

const char **knownhosts_types(const struct knownhosts *kh)
{
	const char **t = xcalloc(kh->n + 1, sizeof(*t));
	size_t n = 0;
	static const enum kh_marker order[] = { KH_PLAIN, KH_REVOKED_LINE, KH_PORTLESS };
	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < kh->n; i++) {
			const struct kh_entry *e = &kh->v[i];
			size_t k;
			if (e->marker != order[pass])
				continue;
			for (k = 0; k < n && strcmp(t[k], e->type); k++)
				;
			if (k == n)
				t[n++] = e->type;
		}
	return t;
}

static int same_key(const struct kh_entry *e, const unsigned char *key, size_t len)
{
	return e->len == len && !memcmp(e->blob, key, len);
}

enum kh_verdict knownhosts_check(const struct knownhosts *kh, const unsigned char *key,
				 size_t len, unsigned long *line)
{
	char type[64];
	*line = 0;
	/* Revocation first: no other line can take it back. */
	for (size_t i = 0; i < kh->n; i++)
		if (kh->v[i].marker == KH_REVOKED_LINE && same_key(&kh->v[i], key, len)) {
			*line = kh->v[i].line;
			return KH_REVOKED;
		}
	for (size_t i = 0; i < kh->n; i++)
		if (kh->v[i].marker == KH_PLAIN && same_key(&kh->v[i], key, len)) {
			*line = kh->v[i].line;
			return KH_MATCH;
		}
	blob_type(key, len, type);
	for (size_t i = 0; i < kh->n; i++)
		if (kh->v[i].marker == KH_PLAIN && !strcmp(kh->v[i].type, type)) {
			*line = kh->v[i].line;
			return KH_CHANGED;
		}
	for (size_t i = 0; i < kh->n; i++)
		if (kh->v[i].marker == KH_PORTLESS && same_key(&kh->v[i], key, len)) {
			*line = kh->v[i].line;
			return KH_PORTLESS_ONLY;
		}
	for (size_t i = 0; i < kh->n; i++)
		if (kh->v[i].marker == KH_CA_LINE) {
			*line = kh->v[i].line;
			return KH_CA_ONLY;
		}
	return KH_UNKNOWN;
}
