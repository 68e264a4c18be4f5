/*
 * A reconciliation key can itself be a CPR number: NemKonto keys rows by
 * recipient, which the ØS Indsigt and Opus dialects give as a full CPR.
 * Wherever a CPR is masked, such a key is masked too.
 */
#ifndef CPRKEY_H
#define CPRKEY_H

#include <stddef.h>

#include "core/ident.h"
#include "core/strbuf.h"

/* 1 when key is a CPR: exactly 10 digits whose date part is a real date. */
int key_is_cpr(const char *key);
/* key, or its mask DDMMYY-xxxx (in buf) when it is a CPR. */
const char *key_masked(const char *key, char buf[CPR_MASKSZ]);

/*
 * Appends text to out with every CPR-shaped run masked DDMMYY-xxxx: ten
 * digits (DDMMYYSSSS) or DDMMYY-SSSS, standing alone (no digit next to
 * them; nine digits are not masked: a byte count of 209715200 would be),
 * whose date part is a CPR date (cpr_parse(): what it takes as a CPR is
 * masked). A run inside a word of 16 or more hex digits with a letter
 * (a SHA-256, a file id) is left alone. Every message that may hold input
 * text goes through this (core/log.h does it for every message); so does
 * a ledger note.
 */
void cpr_mask_text(const char *s, size_t len, struct strbuf *out);

/*
 * Whether a command given --show-cpr (asked) prints CPR numbers in full:
 * only when its standard output is a terminal, where the person who asked
 * reads them; into a pipe or a file they stay masked, and (asked) it says
 * once on stderr that --show-cpr is ignored. `pipeline archive search`
 * and `pipeline exceptions` share it. 1 full, 0 masked.
 */
int cpr_show_full(int asked);

#endif
