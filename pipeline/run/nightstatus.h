/*
 * OUT/DATE/status: the night's stages as the run ledger has them, one line
 * per conf 'stage' in conf order, without times (the same inputs give the
 * same bytes; times are in 'pipeline status'):
 *   stage;state;exit;rows_in;rows_out;rows_rejected;input;output;note
 * The driver writes it after a run; the archive seals the same text for
 * the stages before it.
 */
#ifndef NIGHTSTATUS_H
#define NIGHTSTATUS_H

#include "store/store.h"
#include "run/conf.h"

/* The status text of night; upto, when not NULL, stops before that stage.
 * 0, or -1 reported. */
int night_status_text(struct store *st, MDB_txn *txn, const struct pipeline_conf *c,
		      const char *night, const char *upto, struct strbuf *out);

#endif
