#include "core/digest.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "core/banned.h"

struct digest_ctx {
	EVP_MD_CTX *md;
};

struct digest_ctx *digest_new(void)
{
	struct digest_ctx *c = xmalloc(sizeof(*c));
	c->md = EVP_MD_CTX_new();
	if (!c->md || EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1)
		abort();
	return c;
}

void digest_update(struct digest_ctx *c, const void *data, size_t len)
{
	if (EVP_DigestUpdate(c->md, data, len) != 1)
		abort();
}

void digest_finish(struct digest_ctx *c, char hex[DIGEST_HEXSZ])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	static const char x[] = "0123456789abcdef";
	if (EVP_DigestFinal_ex(c->md, md, &n) != 1 || n != DIGEST_LEN)
		abort();
	for (unsigned i = 0; i < n; i++) {
		hex[2 * i] = x[md[i] >> 4];
		hex[2 * i + 1] = x[md[i] & 15];
	}
	hex[2 * n] = '\0';
	EVP_MD_CTX_free(c->md);
	free(c);
}

int digest_file(const char *path, char hex[DIGEST_HEXSZ], uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[65536];
	ssize_t n;
	uint64_t total = 0;
	struct digest_ctx *c;

	if (fd < 0)
		return -1;
	c = digest_new();
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		digest_update(c, buf, (size_t)n);
		total += (uint64_t)n;
	}
	digest_finish(c, hex);
	if (n < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	if (size)
		*size = total;
	return 0;
}

void digest_buf(const void *data, size_t len, char hex[DIGEST_HEXSZ])
{
	struct digest_ctx *c = digest_new();
	digest_update(c, data, len);
	digest_finish(c, hex);
}
