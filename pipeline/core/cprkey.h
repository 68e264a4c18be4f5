/*
 * A reconciliation key can itself be a CPR number: NemKonto keys rows by
 * recipient, which the ØS Indsigt and Opus dialects give as a full CPR.
 * Wherever a CPR is masked, such a key is masked too.
 */
#ifndef CPRKEY_H
#define CPRKEY_H

#include "core/ident.h"

/* 1 when key is a CPR: exactly 10 digits whose date part is a real date. */
int key_is_cpr(const char *key);
/* key, or its mask DDMMYY-xxxx (in buf) when it is a CPR. */
const char *key_masked(const char *key, char buf[CPR_MASKSZ]);

#endif
