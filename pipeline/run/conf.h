/*
 * conf/pipeline.conf: where things are, which schema reads which landed
 * file, and the night's stages. Grammar: core/conffile.h. Relative paths are
 * relative to the directory of the conf file (options: to the working one).
 *
 *   drops DIR | state DIR | out DIR | schemas DIR | months-back N
 *   defaults DIR               where the other conf files (accounts.conf,
 *                              matching.conf ...) are read from when this
 *                              conf's directory lacks them: a municipality's
 *                              conf/municipalities/SE/ holds its own
 *                              pipeline.conf and only the files that differ
 *                              (README, "Many municipalities")
 *   store-map-size SIZE        the LMDB map (store/store.h): 64G, 1G ...
 *   input DIR/PATTERN SCHEMA[,SCHEMA...] [accumulate] [FIELD=VALUE...]
 *                              PATTERN: text with {se} (8 digits),
 *                              {date} (YYYYMMDD), {month} (YYYYMM),
 *                              {word} (letters, digits, - and _);
 *                              FIELD=VALUE gives a canonical field to every
 *                              row of such a file (an ERP dump has no SE:
 *                              se=29757895); FIELD={date} takes the file
 *                              name's {date} for a day or month field;
 *                              several schemas: an XML file read by each
 *                              whose root is its document element
 *                              (stages/normalise/schemaxml.h);
 *                              accumulate: every file of the pattern
 *                              counts, not only the newest (store/snapshot.h)
 *   xml-max-bytes SIZE         the largest XML file read (64M)
 *   xml-max-depth N            the deepest element nesting (64)
 *   xml-max-value N            the longest value a schema reads, bytes (4096)
 *   stage NAME [after STAGE...]
 */
#ifndef CONF_H
#define CONF_H

#include <stdint.h>

#include "core/strbuf.h"

enum { MAX_AFTER = 16, MAX_INPUT_SETS = 4 };

struct input_set {
	char *field;		/* canonical field name, checked by normalise */
	char *value;
};

struct input_rule {
	char *pattern;		/* "ky/KY_SumEindkomst_{se}_{date}.csv" */
	char *schema;		/* a schema name, or several comma-separated (XML) */
	int accumulate;		/* every file counts, not only the newest */
	int nsets;
	struct input_set sets[MAX_INPUT_SETS];
	unsigned long lineno;	/* in the conf file, for messages */
};

struct stage_rule {
	char *name;
	int nafter;
	char *after[MAX_AFTER];
};

struct pipeline_conf {
	char *path;
	char *dir;		/* the conf file's directory: other conf files sit beside it */
	char *drops, *state, *out, *schemas;
	char *defaults;		/* 'defaults DIR', or NULL */
	int months_back;
	size_t store_map_size;	/* 0: the default of store/store.h */
	size_t xml_max_bytes;	/* 0: the defaults of stages/normalise/xmlin.h */
	int xml_max_depth;
	size_t xml_max_value;
	struct input_rule *inputs;
	int ninputs;
	struct stage_rule *stages;
	int nstages;
	char digest[65];
};

int pipeline_conf_load(const char *path, struct pipeline_conf *c);
void pipeline_conf_free(struct pipeline_conf *c);
const struct stage_rule *conf_stage(const struct pipeline_conf *c, const char *name);
/* NAME beside the conf file (conf/accounts.conf ...) into out (reset first);
 * DEFAULTS/NAME when the conf has 'defaults' and its directory lacks NAME. */
void conf_sibling(const struct pipeline_conf *c, const char *name, struct strbuf *out);

/* What a file name told: empty strings when the pattern has no such part. */
struct name_match {
	char se[9];
	int32_t date;		/* YYYYMMDD; a {month} gives its first day */
	int32_t month;		/* YYYYMM from {month} or {date} */
};

/*
 * Whether relpath's input line (the first that matches) says 'accumulate':
 * 1 or 0. c is a struct pipeline_conf (the shape of store->accumulates).
 */
int conf_accumulates(const char *relpath, void *c);

/* The first input rule whose pattern matches relpath, or NULL. */
const struct input_rule *conf_match_input(const struct pipeline_conf *c,
					  const char *relpath, struct name_match *m);
int pattern_match(const char *pattern, const char *name, struct name_match *m);

#endif
