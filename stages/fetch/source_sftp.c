/*
 * An SFTP source (libssh2). The host key must be in the source's
 * known_hosts file, read as OpenSSH reads it (knownhosts.h); public-key
 * authentication only, with a private key file no one else may read.
 * Every blocking call has the source's timeout as deadline, and keepalives
 * go out while a file downloads, so a hung server costs at most the
 * timeout per try. What the server lists is not trusted: names are
 * checked by fetch (safe_name), a name with a NUL byte is refused here,
 * and a file is read no further than one chunk past its listed size.
 */
#include "source_sftp.h"

#include <errno.h>
#include <fcntl.h>
#include <libssh2.h>
#include <libssh2_sftp.h>
#include <netdb.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "ingest/sources.h"
#include "core/strbuf.h"
#include "knownhosts.h"
#include "core/banned.h"

/*
 * A large read lets libssh2 keep many requests in flight (throughput). A
 * name can be as long as an SFTP packet (LIBSSH2_SFTP_PACKET_MAXLEN): with
 * a buffer that large every listed name reaches fetch, which refuses the
 * bad ones by name, instead of libssh2 losing the rest of the listing. A
 * listing holding more than MAX_LISTING bytes of names is refused whole.
 */
enum {
	KEEPALIVE_SECONDS = 10, READ_SIZE = 1 << 20, NAME_BUF = (256 << 10) + 1,
	MAX_LISTING = 16 << 20
};

struct sftp {
	int fd;
	LIBSSH2_SESSION *session;
	LIBSSH2_SFTP *sftp;
	struct knownhosts kh;	/* the lines of known_hosts naming the host */
};

static const char *ssh_error(LIBSSH2_SESSION *session)
{
	char *msg = NULL;
	libssh2_session_last_error(session, &msg, NULL, 0);
	return msg && *msg ? msg : "unknown error";
}

/* A connect with a deadline: non-blocking, then poll. */
static int connect_by(int fd, const struct addrinfo *ai, int timeout)
{
	struct pollfd p = { fd, POLLOUT, 0 };
	int err = 0, flags = fcntl(fd, F_GETFL);
	socklen_t len = sizeof(err);
	if (fcntl(fd, F_SETFL, flags | O_NONBLOCK))
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) && errno != EINPROGRESS)
		return -1;
	if (poll(&p, 1, timeout * 1000) != 1) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
		errno = err ? err : errno;
		return -1;
	}
	return fcntl(fd, F_SETFL, flags);
}

static int dial(struct source *s)
{
	const struct source_def *d = s->def;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	char port[16];
	int fd = -1, rc;

	snprintf(port, sizeof(port), "%d", d->port);
	if ((rc = getaddrinfo(d->host, port, &hints, &res))) {
		log_error("source %s: %s: %s", d->name, d->host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd >= 0 && connect_by(fd, ai, s->timeout)) {
			rc = errno;
			close(fd);
			fd = -1;
			errno = rc;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		log_error("source %s: unable to connect to %s port %d: %s", d->name, d->host,
			  d->port, strerror(errno));
	return fd;
}

/* "SHA256:<base64>" as ssh-keygen -lf prints it. */
static void fingerprint(LIBSSH2_SESSION *session, char out[64])
{
	const unsigned char *h = (const unsigned char *)libssh2_hostkey_hash(session,
				  LIBSSH2_HOSTKEY_HASH_SHA256);
	unsigned char b64[48];
	int n;
	if (!h) {
		xstrlcpy(out, "SHA256:?", 64);
		return;
	}
	n = EVP_EncodeBlock(b64, h, 32);
	while (n > 0 && b64[n - 1] == '=')
		n--;
	snprintf(out, 64, "SHA256:%.*s", n, (const char *)b64);
}

/* The host key algorithms that present a key of a known_hosts key type. */
static const char *hostkey_methods(const char *type)
{
	static const char *const map[][2] = {
		{ "ssh-rsa", "rsa-sha2-512,rsa-sha2-256,ssh-rsa" },
		{ "ssh-dss", "ssh-dss" },
		{ "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256" },
		{ "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384" },
		{ "ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521" },
		{ "ssh-ed25519", "ssh-ed25519" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(type, map[i][0]))
			return map[i][1];
	return NULL;
}

/*
 * The host key algorithms of the key types known_hosts lists for the host,
 * or NULL: asking only for those, a server with an ECDSA and an ED25519 key
 * shows the one we know. Nothing listed: libssh2's choice, which
 * check_hostkey then refuses.
 */
static char *known_types(struct sftp *c)
{
	const char **types = knownhosts_types(&c->kh);
	struct strbuf pref = STRBUF_INIT;
	for (size_t i = 0; types[i]; i++) {
		const char *m = hostkey_methods(types[i]);
		if (m)
			strbuf_addf(&pref, "%s%s", pref.len ? "," : "", m);
	}
	free(types);
	return pref.len ? strbuf_detach(&pref) : NULL;
}

/* The server's key against known_hosts, before anything is sent. */
static int check_hostkey(struct source *s, struct sftp *c)
{
	const struct source_def *d = s->def;
	size_t len;
	int type;
	unsigned long line;
	const char *key = libssh2_session_hostkey(c->session, &len, &type);

	fingerprint(c->session, s->hostkey);
	if (!key) {
		log_error("source %s: no host key from %s", d->name, d->host);
		return SRC_FAIL;
	}
	switch (knownhosts_check(&c->kh, (const unsigned char *)key, len, &line)) {
	case KH_MATCH:
		log_verbose("source %s: host key of %s (%s) is listed in %s:%lu", d->name,
			    c->kh.name, s->hostkey, d->known_hosts, line);
		return SRC_OK;
	case KH_REVOKED:
		log_error("source %s: host key of %s (%s) is REVOKED in %s:%lu; refused",
			  d->name, c->kh.name, s->hostkey, d->known_hosts, line);
		break;
	case KH_CHANGED:
		log_error("source %s: host key of %s CHANGED (now %s, %s:%lu lists another); "
			  "refused. If the server's key really changed, update %s", d->name,
			  c->kh.name, s->hostkey, d->known_hosts, line, d->known_hosts);
		break;
	case KH_CA_ONLY:
		log_error("source %s: host key of %s (%s) is not in %s; refused: %s:%lu "
			  "is a @cert-authority line, and host certificates are not "
			  "supported: list the server's own key", d->name, c->kh.name,
			  s->hostkey, d->known_hosts, d->known_hosts, line);
		break;
	case KH_PORTLESS_ONLY:
		log_error("source %s: host key of %s (%s) is listed in %s:%lu for %s, the "
			  "host on port 22, only; refused (OpenSSH would take it): if this is "
			  "the same server, add a line for %s", d->name, c->kh.name, s->hostkey,
			  d->known_hosts, line, c->kh.portless, c->kh.name);
		break;
	case KH_UNKNOWN:
		log_error("source %s: host key of %s (%s) is not in %s; refused", d->name,
			  c->kh.name, s->hostkey, d->known_hosts);
		break;
	}
	return SRC_FAIL;
}

/* A network error is worth another try; anything else is not. */
static int net_error(LIBSSH2_SESSION *session)
{
	int e = libssh2_session_last_errno(session);
	return e == LIBSSH2_ERROR_TIMEOUT || e == LIBSSH2_ERROR_SOCKET_RECV ||
	       e == LIBSSH2_ERROR_SOCKET_SEND || e == LIBSSH2_ERROR_SOCKET_DISCONNECT ||
	       e == LIBSSH2_ERROR_SOCKET_TIMEOUT || e == LIBSSH2_ERROR_BANNER_RECV ||
	       e == LIBSSH2_ERROR_KEX_FAILURE || e == LIBSSH2_ERROR_CHANNEL_CLOSED ||
	       e == LIBSSH2_ERROR_CHANNEL_EOF_SENT || e == LIBSSH2_ERROR_EAGAIN;
}

static int fail(struct source *s, struct sftp *c, const char *what, const char *name)
{
	int down = net_error(c->session);
	/* The connection is given up: closing the handle, the SFTP channel and
	 * the session must fail at once, not each wait for the timeout again. */
	if (down)
		shutdown(c->fd, SHUT_RDWR);
	if (c->sftp && !down && libssh2_session_last_errno(c->session) == LIBSSH2_ERROR_SFTP_PROTOCOL)
		log_error("source %s: %s %s: SFTP status %lu", s->def->name, what, name,
			  libssh2_sftp_last_error(c->sftp));
	else
		log_error("source %s: %s %s: %s", s->def->name, what, name, ssh_error(c->session));
	return down ? SRC_DOWN : SRC_FAIL;
}

static int handshake(struct source *s, struct sftp *c)
{
	const struct source_def *d = s->def;
	char *types = known_types(c);
	int rc = SRC_OK;
	if (types)
		libssh2_session_method_pref(c->session, LIBSSH2_METHOD_HOSTKEY, types);
	if (libssh2_session_handshake(c->session, c->fd)) {
		int kex = libssh2_session_last_errno(c->session) == LIBSSH2_ERROR_KEX_FAILURE;
		rc = fail(s, c, "SSH handshake with", d->host);
		if (kex && types)
			log_error("source %s: %s has only %s for %s; if the server no longer has "
				  "such a key, check its new fingerprint and add it%s", d->name,
				  d->known_hosts, types, c->kh.name,
				  /* 1.10 signs RSA host keys with SHA-1 only, which
				   * OpenSSH 8.8 and later servers no longer offer */
				  strstr(types, "ssh-rsa") && !libssh2_version(0x010b00) ?
				  " (this libssh2 checks an RSA host key with ssh-rsa, SHA-1, "
				  "only: list the server's ED25519 or ECDSA key)" : "");
	}
	free(types);
	return rc;
}

static int login(struct source *s, struct sftp *c)
{
	const struct source_def *d = s->def;
	int rc = handshake(s, c);
	if (rc)
		return rc;
	if (check_hostkey(s, c))
		return SRC_FAIL;
	if (libssh2_userauth_publickey_fromfile_ex(c->session, d->user,
			(unsigned)strlen(d->user), NULL, d->key, NULL))
		return fail(s, c, "public-key login refused for user", d->user);
	if (!(c->sftp = libssh2_sftp_init(c->session)))
		return fail(s, c, "no SFTP subsystem on", d->host);
	return SRC_OK;
}

static void remote_path(const char *dir, const char *name,
			struct strbuf *out)
{
	strbuf_reset(out);
	strbuf_addf(out, "%s/%s", dir, name);
}

static int sftp_list(struct source *s, struct source_listing *out)
{
	struct sftp *c = s->impl;
	LIBSSH2_SFTP_HANDLE *h = libssh2_sftp_opendir(c->sftp, s->def->dir);
	LIBSSH2_SFTP_ATTRIBUTES a;
	char *name = xmalloc(NAME_BUF);
	size_t total = 0;
	ssize_t n;
	int rc = SRC_OK;
	if (!h) {
		free(name);
		return fail(s, c, "unable to open directory", s->def->dir);
	}
	while (rc == SRC_OK && (n = libssh2_sftp_readdir(h, name, NAME_BUF, &a)) > 0) {
		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		if ((total += (size_t)n) > MAX_LISTING) {
			log_error("source %s: %s lists more than %d MiB of names; refused",
				  s->def->name, s->def->dir, MAX_LISTING >> 20);
			rc = SRC_FAIL;
		} else if (strlen(name) != (size_t)n) {	/* would be taken as a shorter name */
			struct strbuf p = STRBUF_INIT;
			printable_name(name, &p);
			log_error("source %s: '%s...': a file name with a NUL byte; not taken",
				  s->def->name, p.buf);
			strbuf_release(&p);
			out->refused++;
		} else {
			listing_add(out, name, a.flags & LIBSSH2_SFTP_ATTR_SIZE ? a.filesize : 0,
				    a.flags & LIBSSH2_SFTP_ATTR_ACMODTIME ? (int64_t)a.mtime : 0,
				    (a.flags & LIBSSH2_SFTP_ATTR_PERMISSIONS) &&
				    LIBSSH2_SFTP_S_ISREG(a.permissions));
		}
	}
	if (rc == SRC_OK && n < 0)
		rc = fail(s, c, "unable to list", s->def->dir);
	libssh2_sftp_closedir(h);
	free(name);
	return rc;
}

static int sftp_read(struct source *s, const char *name, uint64_t offset, uint64_t want,
		     int fd, uint64_t *got)
{
	struct sftp *c = s->impl;
	struct strbuf p = STRBUF_INIT;
	LIBSSH2_SFTP_HANDLE *h;
	char *buf = xmalloc(READ_SIZE);
	ssize_t n = 0;
	int rc = SRC_OK, next;

	remote_path(s->def->dir, name, &p);
	if (!(h = libssh2_sftp_open(c->sftp, p.buf, LIBSSH2_FXF_READ, 0))) {
		rc = fail(s, c, "unable to open", p.buf);
		goto out;
	}
	libssh2_sftp_seek64(h, offset);
	/* Past want the file is not what was listed: the caller refuses it. */
	while (*got <= want && (n = libssh2_sftp_read(h, buf, READ_SIZE)) > 0) {
		if (write_all(fd, buf, (size_t)n)) {
			log_error("unable to write the download of %s: %s", p.buf, strerror(errno));
			rc = SRC_FAIL;
			break;
		}
		*got += (uint64_t)n;
		libssh2_keepalive_send(c->session, &next);
	}
	if (n < 0)
		rc = fail(s, c, "download broke off in", p.buf);
	libssh2_sftp_close(h);
out:
	free(buf);
	strbuf_release(&p);
	return rc;
}

static int sftp_after(struct source *s, const char *name)
{
	struct sftp *c = s->impl;
	struct strbuf from = STRBUF_INIT, to = STRBUF_INIT, marker = STRBUF_INIT;
	int rc = SRC_OK;

	strbuf_addf(&marker, "%s.done", name);
	for (int i = 0; i < 2 && rc == SRC_OK; i++) {
		const char *n = i ? name : marker.buf;	/* the marker goes first */
		remote_path(s->def->dir, n, &from);
		if (s->def->after == AFTER_DELETE ?
		    libssh2_sftp_unlink(c->sftp, from.buf) :
		    (remote_path(s->def->move_to, n, &to),
		     libssh2_sftp_rename_ex(c->sftp, from.buf, (unsigned)from.len, to.buf,
					    (unsigned)to.len, LIBSSH2_SFTP_RENAME_ATOMIC |
					    LIBSSH2_SFTP_RENAME_NATIVE)))
			rc = fail(s, c, s->def->after == AFTER_DELETE ? "unable to delete" :
				  "unable to move", from.buf);
	}
	strbuf_release(&from);
	strbuf_release(&to);
	strbuf_release(&marker);
	return rc;
}

static void sftp_close(struct source *s)
{
	struct sftp *c = s->impl;
	if (!c)
		return;
	if (c->sftp)
		libssh2_sftp_shutdown(c->sftp);
	if (c->session) {
		libssh2_session_disconnect(c->session, "done");
		libssh2_session_free(c->session);
	}
	if (c->fd >= 0)
		close(c->fd);
	knownhosts_free(&c->kh);
	free(c);
	s->impl = NULL;
}

/*
 * The private key must be readable by us alone, as OpenSSH requires
 * ("UNPROTECTED PRIVATE KEY FILE"): any group or other permission refuses it.
 */
static int check_key_file(struct source *s)
{
	const char *key = s->def->key;
	struct stat st;
	if (stat(key, &st)) {
		log_error("source %s: private key %s: %s", s->def->name, key, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		log_error("source %s: private key %s is not a regular file", s->def->name, key);
		return -1;
	}
	if (st.st_mode & 077) {
		log_error("source %s: private key %s is mode %04o: group or others may read "
			  "it; refused (chmod 600 %s)", s->def->name, key,
			  (unsigned)(st.st_mode & 07777), key);
		return -1;
	}
	return 0;
}

static int sftp_open(struct source *s)
{
	struct sftp *c = xcalloc(1, sizeof(*c));
	int rc;
	static int initialised;
	/* A server gone away must give an error, not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	if (!initialised++ && libssh2_init(0)) {
		log_error("libssh2 would not initialise");
		free(c);
		return SRC_FAIL;
	}
	s->impl = c;
	s->list = sftp_list;
	s->read = sftp_read;
	s->after = sftp_after;
	s->close = sftp_close;
	xstrlcpy(s->hostkey, "?", sizeof(s->hostkey));
	c->fd = -1;
	/* Before any contact: a key others can read, or a known_hosts we cannot
	 * use, is a configuration to fix, not worth another try. */
	if (check_key_file(s) ||
	    knownhosts_load(&c->kh, s->def->known_hosts, s->def->host, s->def->port)) {
		sftp_close(s);
		return SRC_FAIL;
	}
	if ((c->fd = dial(s)) < 0) {
		sftp_close(s);
		return SRC_DOWN;
	}
	if (!(c->session = libssh2_session_init())) {
		log_error("source %s: libssh2 session: out of memory", s->def->name);
		sftp_close(s);
		return SRC_FAIL;
	}
	libssh2_session_set_blocking(c->session, 1);
	libssh2_session_set_timeout(c->session, (long)s->timeout * 1000);
	rc = login(s, c);
	/* Only once logged in: a keepalive during the key exchange breaks it. */
	if (rc == SRC_OK)
		libssh2_keepalive_config(c->session, 1, KEEPALIVE_SECONDS);
	if (rc)
		sftp_close(s);
	return rc;
}

const struct source_kind source_kind_sftp = { "sftp", SOURCE_SFTP, sftp_open };
