/*
 * SHA-256 (OpenSSL's libcrypto) of files and buffers, as lowercase hex.
 */
#ifndef DIGEST_H
#define DIGEST_H

#include <stddef.h>
#include <stdint.h>

enum { DIGEST_LEN = 32, DIGEST_HEXSZ = 65 };

struct digest_ctx;
struct digest_ctx *digest_new(void);
void digest_update(struct digest_ctx *c, const void *data, size_t len);
/* Finishes, writes hex (64 chars + NUL) and frees the context. */
void digest_finish(struct digest_ctx *c, char hex[DIGEST_HEXSZ]);

/* Hashes a whole file; returns 0, or -1 with errno set. */
int digest_file(const char *path, char hex[DIGEST_HEXSZ], uint64_t *size);
void digest_buf(const void *data, size_t len, char hex[DIGEST_HEXSZ]);

#endif
