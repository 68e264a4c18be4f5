/*
 * XML input (libxml2), for normalise and any stage that reads XML: a
 * landed file parsed whole into a tree under limits, every DTD refused
 * before anything in it is read, and XPath 1.0 over the tree. What the
 * rows and fields are is the schema's (stages/normalise/schemaxml.h);
 * this module knows only XML.
 *
 * Safety (each has a test in tests/unit/test-xmlin.c and t0800):
 *   - the file's size is checked before a byte is parsed (max_bytes);
 *   - the bytes are read here and handed to libxml2 as memory: libxml2
 *     opens no file and, with XML_PARSE_NONET, no socket;
 *   - any <!DOCTYPE ...> stops the parser at once (a SAX internalSubset
 *     handler): no DTD, internal or external, is read, so no entity is
 *     declared, expanded ("billion laughs") or fetched (XXE: file:///etc/passwd);
 *     a "<!DOCTYPE" inside a comment or CDATA is text, not a DOCTYPE;
 *   - no XML_PARSE_NOENT, DTDLOAD, DTDATTR, DTDVALID, XINCLUDE, HUGE:
 *     libxml2 keeps its own limits (a text node or attribute value over
 *     10.000.000 bytes is an error, names over 50.000 bytes, nesting over
 *     256); an OIOUBL invoice's embedded PDF of a few MB is accepted;
 *   - the tree's depth is checked after parsing (max_depth);
 *   - a value a schema reads is at most max_value bytes (schemaxml.c).
 * The first error libxml2 reports is kept with its line: the later ones
 * are consequences ("Extra content at the end of the document" after
 * "huge text node").
 *
 * Not thread-safe: libxml2's error handler is set per call (one stage,
 * one thread). Ownership: a struct xmlin_doc owns its tree until
 * xmlin_close(); results (struct xmlin_result) are the caller's until
 * xmlin_result_free().
 */
#ifndef XMLIN_H
#define XMLIN_H

#include <stddef.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "core/strbuf.h"

/* Defaults of pipeline.conf's xml-max-bytes, xml-max-depth, xml-max-value. */
#define XMLIN_MAX_BYTES ((size_t)64 << 20)
enum { XMLIN_MAX_DEPTH = 64, XMLIN_MAX_VALUE = 4096 };

struct xmlin_limits {
	size_t max_bytes;	/* the whole file, bytes */
	int max_depth;		/* element nesting, the document element is 1 */
	size_t max_value;	/* one value a schema reads, bytes (schemaxml.c) */
};

/* The defaults above. */
void xmlin_limits_default(struct xmlin_limits *lim);

struct xmlin_doc {
	xmlDocPtr doc;
	xmlXPathContextPtr xp;
};

/* A namespace binding of a schema: PREFIX in its XPaths means URI. */
struct xmlin_ns {
	char *prefix, *uri;
};

/*
 * Parses the file at path (relpath names it in messages) under lim.
 * 0: *d holds the tree. 1: the file is refused: *line (0 when it has
 * none, e.g. a file over max_bytes) and why (reset first) hold the first
 * reason, in the words of shared/spec (e.g. "DOCTYPE refused: DTDs and
 * entities are not accepted", "not well-formed XML: ...", "deeper than
 * xml-max-depth (64)"); nothing is kept. -1: the file cannot be read
 * (reported). Never opens another file or a socket.
 */
int xmlin_parse_file(struct xmlin_doc *d, const char *path, const char *relpath,
		     const struct xmlin_limits *lim, unsigned long *line, struct strbuf *why);
/* The same on bytes in memory (0 or 1; never -1). */
int xmlin_parse_memory(struct xmlin_doc *d, const char *buf, size_t len, const char *relpath,
		       const struct xmlin_limits *lim, unsigned long *line, struct strbuf *why);
void xmlin_close(struct xmlin_doc *d);

/*
 * Binds the schema's prefixes for the XPaths evaluated next (a document
 * may be read by several schemas, each with its own prefixes): earlier
 * bindings are dropped. Namespaces are matched by URI, never by the
 * prefix a document happens to use.
 */
void xmlin_use_namespaces(struct xmlin_doc *d, const struct xmlin_ns *ns, int nns);

/* Whether the document element is {uri}local (uri NULL or "": no namespace). */
int xmlin_root_is(const struct xmlin_doc *d, const char *uri, const char *local);
/* The document element's line. */
unsigned long xmlin_root_line(const struct xmlin_doc *d);

/* An XPath compiled once (at schema load) and its text, for messages. */
struct xmlin_path {
	xmlXPathCompExprPtr expr;
	char *text;
};

/*
 * Compiles text. Every prefix it uses must be one of ns (checked by a
 * trial evaluation). 0, or -1 with why set ("not an XPath: ...",
 * "undefined namespace prefix ..."). Free with xmlin_path_free().
 */
int xmlin_compile(struct xmlin_path *p, const char *text, const struct xmlin_ns *ns, int nns,
		  struct strbuf *why);
void xmlin_path_free(struct xmlin_path *p);

/*
 * What a path selected: nodes in document order, or (a function such as
 * local-name()) one string. A number or a boolean is refused by
 * xmlin_eval(): money never passes through an XPath double.
 */
struct xmlin_result {
	xmlXPathObjectPtr obj;
	size_t n;		/* nodes, or 1 for a string */
};

/*
 * Evaluates p with node as the context node (NULL: the document). 0, or
 * -1 with why set (an evaluation error, or a number or boolean result).
 */
int xmlin_eval(struct xmlin_doc *d, xmlNodePtr node, const struct xmlin_path *p,
	       struct xmlin_result *r, struct strbuf *why);
void xmlin_result_free(struct xmlin_result *r);
/* Node i of r, or NULL when r is a string. */
xmlNodePtr xmlin_result_node(const struct xmlin_result *r, size_t i);
/*
 * Item i's string value (XPath string-value: the text of an element and
 * its descendants, an attribute's value) without leading and trailing
 * XML white space, into out (reset first). 0, or -1 when it is longer
 * than max bytes (out is then empty).
 */
int xmlin_result_text(const struct xmlin_result *r, size_t i, size_t max, struct strbuf *out);

/* The line where node starts (its start tag), as libxml2 counts it. */
unsigned long xmlin_node_line(xmlNodePtr node);
/* A path that names node in its document (/Deltagerliste/Hold[1]/Deltager[2]). */
void xmlin_node_path(xmlNodePtr node, struct strbuf *out);

#endif
