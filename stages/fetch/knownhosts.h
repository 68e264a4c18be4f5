/*
 * known_hosts, read with OpenSSH's semantics (sshd(8), "SSH_KNOWN_HOSTS
 * FILE FORMAT") for what an SFTP source meets:
 *
 *   [@revoked|@cert-authority] PATTERNS KEYTYPE BASE64-KEY [COMMENT]
 *
 *   - the name looked up is the source's host, lowercased, for port 22, and
 *     "[host]:port" for any other port (OpenSSH's put_host_port()). A line
 *     for "127.0.0.1" is NOT a line for a server on 127.0.0.1 port 2222:
 *     here we are stricter than OpenSSH, which, finding no "[host]:port"
 *     line at all, tries the plain host ("checking without port
 *     identifier" in ssh -v); another port is often another server (a
 *     chrooted SFTP service beside the host's own sshd), so a key must be
 *     listed for the port it serves. Such a line is kept as a hint only,
 *     so the refusal can say what to add. libssh2's check falls back even
 *     when "[host]:port" lists another key, which OpenSSH calls changed;
 *   - PATTERNS is a comma-separated list; '*' and '?' are wildcards, a
 *     pattern starting with '!' excludes (a line whose negated pattern
 *     matches is not for the host, whatever else it lists); compared
 *     without regard to case; or one hashed name "|1|SALT|HASH" (base64,
 *     HMAC-SHA1 of the name with the salt as key: ssh-keygen -H);
 *   - @revoked: that key is refused for the hosts the line names, whatever
 *     other line lists it;
 *   - @cert-authority: host certificates are not supported (libssh2 cannot
 *     take them), so such a line never makes a key trusted; when it is all
 *     the file has for the host, the refusal says so;
 *   - several lines, of one key type or several, may name a host; blank
 *     lines and lines starting with '#' are skipped.
 *
 * A line that names the host (or is a hashed line) but cannot be read (an
 * unknown marker, a bad hashed name, a key that is not base64 or whose
 * blob is not of the type the line says) is an error naming file and line:
 * a broken @revoked line must not quietly let the key in. A line that names
 * other hosts is not looked at further, as OpenSSH does not. A key type
 * this client cannot verify (e.g. sk-ssh-ed25519@openssh.com) is skipped: the
 * server can never present one to us.
 *
 * Why not libssh2's knownhost API: in 1.10 it has no markers (a @revoked
 * line fails the whole read), no wildcards or negation, and its check with
 * a port falls back to the plain host. Parsing the line is simple; the one
 * piece of cryptography, HMAC-SHA1 for hashed names, is libcrypto's.
 */
#ifndef KNOWNHOSTS_H
#define KNOWNHOSTS_H

#include <stddef.h>

enum kh_marker {
	KH_PLAIN, KH_REVOKED_LINE, KH_CA_LINE,
	KH_PORTLESS,	/* a plain line for the host without the port: a hint, never trusted */
};

/* One line that names the host. */
struct kh_entry {
	enum kh_marker marker;
	char *type;			/* "ssh-ed25519", as the line says it */
	unsigned char *blob;		/* the key, decoded */
	size_t len;
	unsigned long line;
};

struct knownhosts {
	char *path;
	char *name;			/* "host" or "[host]:port", lowercased */
	char *portless;			/* "host" when the port is not 22, else NULL */
	struct kh_entry *v;		/* the lines naming it, in file order */
	size_t n;
};

enum kh_verdict {
	KH_MATCH,	/* listed, not revoked */
	KH_UNKNOWN,	/* no line names the host with a key of this type */
	KH_CHANGED,	/* the host is listed with another key of this type */
	KH_REVOKED,	/* a @revoked line names this key for the host */
	KH_CA_ONLY,	/* unknown, and only @cert-authority lines name the host */
	KH_PORTLESS_ONLY, /* unknown, but listed for the host without the port */
};

/* The name OpenSSH looks up: "host" for port 22, else "[host]:port"; lowercased. */
char *knownhosts_name(const char *host, int port);

/*
 * Reads path and keeps the lines naming host:port. 0; -1 when the file
 * cannot be read or a line naming the host is unusable (reported, with
 * file:line); kh is then empty.
 */
int knownhosts_load(struct knownhosts *kh, const char *path, const char *host, int port);
void knownhosts_free(struct knownhosts *kh);

/*
 * The distinct key types listed for the host, in file order: those of
 * plain lines first, then those only @revoked lines list (so a server
 * with a revoked key is asked for it and refused by name), then those
 * listed for the host without the port (so the refusal can point at that
 * line). NULL-terminated
 * array of pointers into kh; the caller frees the array only.
 */
const char **knownhosts_types(const struct knownhosts *kh);

/*
 * The server's key (its SSH wire blob, as libssh2_session_hostkey() gives
 * it) against the lines. *line is the line that decided (the revoked or
 * listed key, the first listed key of that type for KH_CHANGED, the line
 * without the port for KH_PORTLESS_ONLY, the first @cert-authority line
 * for KH_CA_ONLY), 0 for KH_UNKNOWN.
 */
enum kh_verdict knownhosts_check(const struct knownhosts *kh, const unsigned char *key,
				 size_t len, unsigned long *line);

/*
 * Whether a PATTERNS field names name (already lowercased): 1 yes, 0 no,
 * -1 a hashed field that cannot be read.
 */
int knownhosts_field_matches(const char *field, const char *name);

#endif
