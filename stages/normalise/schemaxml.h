/*
 * The XML part of a schema (schemas/NAME.schema with 'format xml'): which
 * document it reads, which nodes are its rows, and where each field is,
 * as XPath 1.0 relative to the row. A new XML layout (a school system's
 * participant list, OIOUBL Invoice and CreditNote) is a schema file.
 *
 *   store      STORE                      as for CSV, first
 *   format     xml                        second; then:
 *   namespace  PREFIX URI                 binds PREFIX in this schema's XPaths
 *                                         (documents are matched by URI: any
 *                                         prefix, or a default namespace)
 *   root       QNAME...                   the document elements it reads
 *                                         (required): inv:Invoice, or a bare
 *                                         Deltagerliste (no namespace)
 *   row        XPATH                      one record per node (required):
 *                                         /inv:Invoice, //Hold/Deltager
 *   require    XPATH starts-with|equals TEXT
 *                                         every row's first node (trimmed,
 *                                         none = "") must; else the FILE is
 *                                         refused (not an OIOUBL 2 document)
 *   set        FIELD VALUE                a constant field of every record
 *   column     XPATH FIELD [OPTION...]    a field from a path relative to the row
 *   amount     XPATH [FIELD VALUE] [OPTION...]
 *                                         as for CSV: one record per amount
 *                                         path that has a value, with FIELD=VALUE
 *
 * A column's value is the string value of the first node the path selects
 * (an element's text, an attribute's value, or a function's string such as
 * local-name()), without leading and trailing white space; a blank node
 * counts as none. A number or boolean (count(...), sum(...)) is refused:
 * money never passes through an XPath double; say 'count' or 'sum'.
 * OPTIONs:
 *   required | optional     no value: the row is refused | the field is absent
 *   else XPATH              (repeatable) tried in turn when the paths before
 *                           it give no value (OIOUBL's CVR in three places)
 *   unique                  more than one non-blank node refuses the row
 *   join SEP                every non-blank node, joined with SEP (cbc:Note)
 *   sum                     money: every node's amount added exactly in øre;
 *                           no node is 0,00
 *   count                   int: the number of nodes
 *   line-number             int: the line of the first node's start tag
 *   decimal-point           money: an XML decimal (4250.00, -0.5, 397, +5);
 *                           more than 2 decimals only if the rest are zeros
 *                           (397.000); 0.125 is refused, never rounded.
 *                           Without it an amount is Danish (1.234,56)
 *   negate                  money: stored with the other sign (a CreditNote's
 *                           schema says it on every amount)
 *   strip-prefix TEXT       a leading TEXT is removed (DK12345674)
 *   empty-if WORD...        a value equal to one of the words, ignoring
 *                           ASCII case, is no value (NA, N/A)
 *   first-match-cpr         cpr: the first DDMMYYSSSS or DDMMYY-SSSS in the
 *                           values, in document order, that is a real CPR
 *   invalid-as-zero         cpr: no valid CPR gives 0000000000 (OIO's
 *                           "unknown") instead of refusing the row
 *   month-of-date, pad-cpr  as for CSV
 * Day and month fields take xs:date and xs:dateTime (2025-03-11,
 * 2025-03-11Z, 2025-03-11+01:00, 2025-03-11T10:00:00); the zone is dropped.
 * A value longer than xml-max-value bytes (4096) refuses the row.
 * CSV directives (encoding, delimiter, title-lines, skip-row, amounts) are
 * errors in an XML schema, and these in a CSV one.
 *
 * One file, several schemas: an input line may name several schemas,
 * comma-separated; the file is parsed once and every schema whose root is
 * the document element reads it (an Invoice: the invoice schema and its
 * lines schema; a CreditNote: the credit note's). None: the file is
 * refused ("document element is not inv:Invoice or cn:CreditNote").
 */
#ifndef SCHEMAXML_H
#define SCHEMAXML_H

#include "core/conffile.h"
#include "core/ident.h"
#include "core/money.h"
#include "schema.h"
#include "ingest/xmlin.h"

enum xml_col_opts {
	XC_DECIMAL = 1 << 0,
	XC_NEGATE = 1 << 1,
	XC_UNIQUE = 1 << 2,
	XC_SUM = 1 << 3,
	XC_COUNT = 1 << 4,
	XC_LINE = 1 << 5,
	XC_FIRST_CPR = 1 << 6,
	XC_INVALID_ZERO = 1 << 7,
};

enum { XML_MAX_PATHS = 5, XML_MAX_EMPTY_IF = 8, XML_MAX_ROOTS = 4 };

struct xml_column {
	struct xmlin_path paths[XML_MAX_PATHS];	/* the path, then its 'else' paths */
	int npaths;
	int field;		/* the field; for an 'amount': the store's amount field */
	unsigned flags;		/* COL_REQUIRED, COL_OPTIONAL, COL_MONTH_OF_DATE, COL_PAD_CPR */
	unsigned opts;		/* enum xml_col_opts */
	char *strip_prefix, *join;
	char *empty_if[XML_MAX_EMPTY_IF];
	int nempty;
	int is_amount;		/* an 'amount' line: a record of its own */
	int set_field;		/* amount FIELD VALUE: -1 or the field */
	struct value set;
	char *set_text;
	unsigned long lineno;
};

struct xml_require {
	struct xmlin_path path;
	int equals;		/* 1 equals, 0 starts-with */
	char *text;
};

struct xml_set {
	int field;
	struct value v;
	char *text;		/* owned storage of v.text */
};

struct xml_root {
	char *uri;		/* "" for no namespace */
	char *local;
	char *name;		/* as written: inv:Invoice */
};

struct xml_schema {
	struct xmlin_ns *ns;
	int nns;
	struct xml_root roots[XML_MAX_ROOTS];
	int nroots;
	struct xmlin_path row;
	struct xml_require *req;
	int nreq;
	struct xml_set *sets;
	int nsets;
	struct xml_column *cols;
	int ncols, namounts;
};

/*
 * One directive of a schema file: 'format' (any schema), and every
 * directive of a format xml schema. 0 done, -1 error reported
 * (conf_error), 1 not this module's (a CSV schema's directive).
 */
int schema_xml_line(const struct conf_line *l, struct schema *s);
/* After the file is read: root and row are there. 0 or -1 (reported). */
int schema_xml_finish(struct schema *s);
void schema_xml_free(struct schema *s);

/* Whether s reads documents whose element is d's (one of its roots). */
int schema_xml_takes(const struct schema *s, const struct xmlin_doc *d);
/* Appends s's roots ("inv:Invoice or cn:CreditNote") to out, skipping ones out has. */
void schema_xml_roots(const struct schema *s, struct strbuf *out);

/* A row node of a document: where it starts and which one it is. */
struct xml_row {
	xmlNodePtr node;
	unsigned long line;
};

/*
 * The row nodes of s in d, in document order (namespaces of s bound),
 * into *rows (free() it). 0; 1 the file is refused by a 'require'
 * (*line, why); -1 an XPath evaluation error (why). The caller reports.
 */
int schema_xml_rows(const struct schema *s, struct xmlin_doc *d, struct xml_row **rows,
		    size_t *nrows, unsigned long *line, struct strbuf *why);

/*
 * Parses one row like schema_row() parses a CSV row: base holds the input
 * line's FIELD=VALUE; the schema's 'set' and the columns win. For each
 * record (one per 'amount' with a value, or one when there is none) calls
 * emit(rec, sub, data), sub 0, 1 ... On a value it cannot use returns -1
 * with *column (the XPath as written) and why set, emitting nothing; else
 * 0, or emit's non-zero return. max_value: the longest value, bytes.
 */
int schema_xml_row(const struct schema *s, struct xmlin_doc *d, const struct xml_row *row,
		   size_t max_value, const struct record *base, record_fn emit, void *data,
		   const char **column, struct strbuf *why);

/*
 * An XML decimal (xs:decimal: [+-]digits[.digits], or .digits) in øre.
 * Decimals past the second must be zeros. 0, or -1 with *why.
 */
int xml_decimal_parse(const char *s, size_t len, money_t *out, const char **why);
/*
 * The first CPR number in s (DDMMYYSSSS or DDMMYY-SSSS, not inside a
 * longer run of digits) whose date part is real, into out (10 digits).
 * 1 found, 0 none. flags: core/ident.h's cpr_flags.
 */
int cpr_find(const char *s, size_t len, unsigned flags, char out[CPR_LEN + 1]);

#endif
