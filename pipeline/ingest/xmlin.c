/* XML input under limits, no DTD, XPath: see xmlin.h. */
#include "ingest/xmlin.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/xpathInternals.h>

#include "core/log.h"
#include "core/banned.h"

void xmlin_limits_default(struct xmlin_limits *lim)
{
	lim->max_bytes = XMLIN_MAX_BYTES;
	lim->max_depth = XMLIN_MAX_DEPTH;
	lim->max_value = XMLIN_MAX_VALUE;
}

/* The first error libxml2 reports during one call, with its line. */
struct capture {
	struct strbuf msg;
	unsigned long line;
	int code, have, doctype;
};

static void on_error(void *data, xmlErrorPtr e)
{
	struct capture *c = data;
	if (!c || c->have || !e || e->level < XML_ERR_ERROR)
		return;
	c->have = 1;
	c->code = e->code;
	c->line = e->line > 0 ? (unsigned long)e->line : 0;
	strbuf_reset(&c->msg);
	strbuf_addstr(&c->msg, e->message ? e->message : "unknown error");
	while (c->msg.len && (c->msg.buf[c->msg.len - 1] == '\n' || c->msg.buf[c->msg.len - 1] == ' '))
		c->msg.buf[--c->msg.len] = '\0';
}

/* libxml2's generic messages are not wanted: the structured one is kept. */
static void quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

static void capture_begin(struct capture *c)
{
	memset(c, 0, sizeof(*c));
	xmlSetGenericErrorFunc(NULL, quiet);
	xmlSetStructuredErrorFunc(c, on_error);
}

static void capture_end(struct capture *c)
{
	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlSetGenericErrorFunc(NULL, NULL);
	strbuf_release(&c->msg);
}

/*
 * Any <!DOCTYPE ...>: stop before its internal subset or external id is
 * read. Nothing of a DTD is ever declared, so no entity can be expanded
 * or fetched.
 */
static void refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *ext,
			   const xmlChar *sys)
{
	xmlParserCtxtPtr p = ctx;
	struct capture *c = p->_private;
	(void)name;
	(void)ext;
	(void)sys;
	if (c && !c->doctype) {
		c->doctype = 1;
		c->line = p->input ? (unsigned long)p->input->line : 0;
	}
	xmlStopParser(p);
}

/* Deepest element nesting below n (n itself counts 1). */
static int depth_of(xmlNodePtr n)
{
	int best = 0;
	for (xmlNodePtr k = n->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE) {
			int d = depth_of(k);
			if (d > best)
				best = d;
		}
	return best + 1;
}

/* The first deepest element past max, for its line. */
static xmlNodePtr too_deep(xmlNodePtr n, int level, int max)
{
	if (level > max)
		return n;
	for (xmlNodePtr k = n->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE) {
			xmlNodePtr t = too_deep(k, level + 1, max);
			if (t)
				return t;
		}
	return NULL;
}

/* The first error in the words the README and the tests use. */
static void explain(const struct capture *c, struct strbuf *why)
{
	strbuf_reset(why);
	if (c->doctype) {
		strbuf_addstr(why, "DOCTYPE refused: DTDs and entities are not accepted");
		return;
	}
	if (!c->have) {
		strbuf_addstr(why, "not well-formed XML");
		return;
	}
	if (strstr(c->msg.buf, "huge text node"))
		strbuf_addf(why, "huge text node (more than %d bytes)", XML_MAX_TEXT_LENGTH);
	else if (strstr(c->msg.buf, "AttValue length too long") ||
		 strstr(c->msg.buf, "Huge input lookup"))
		strbuf_addf(why, "attribute value or name too long (more than %d bytes)",
			    XML_MAX_TEXT_LENGTH);
	else if (strstr(c->msg.buf, "Excessive depth"))
		strbuf_addstr(why, "deeper than libxml2's limit of 256 elements");
	else
		strbuf_addf(why, "not well-formed XML: %s", c->msg.buf);
}

/* The bytes handed to libxml2 as a file would be: 4 KiB at a time. */
struct chunks {
	const char *buf;
	size_t len, at;
};

static int chunk_read(void *ctx, char *out, int n)
{
	struct chunks *c = ctx;
	size_t k = c->len - c->at;
	if (k > 4096)
		k = 4096;
	if (k > (size_t)n)
		k = (size_t)n;
	memcpy(out, c->buf + c->at, k);
	c->at += k;
	return (int)k;
}

static int blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

int xmlin_parse_memory(struct xmlin_doc *d, const char *buf, size_t len, const char *relpath,
		       const struct xmlin_limits *lim, unsigned long *line, struct strbuf *why)
{
	struct capture c;
	struct chunks in = { buf, len, 0 };
	xmlParserCtxtPtr p;
	xmlDocPtr doc;
	xmlNodePtr root, deep;
	int depth;

	memset(d, 0, sizeof(*d));
	*line = 0;
	strbuf_reset(why);
	if (len > lim->max_bytes) {
		strbuf_addf(why, "file larger than xml-max-bytes (%zu bytes)", lim->max_bytes);
		return 1;
	}
	if (len > (size_t)0x7fffffff) {
		strbuf_addstr(why, "file larger than libxml2 can read (2 GiB)");
		return 1;
	}
	if (blank(buf, len)) {
		strbuf_addstr(why, "no document element (the file is empty)");
		return 1;
	}
	capture_begin(&c);
	if (!(p = xmlNewParserCtxt())) {
		capture_end(&c);
		strbuf_addstr(why, "out of memory in the XML parser");
		return 1;
	}
	p->_private = &c;
	p->sax->internalSubset = refuse_doctype;
	/* In chunks, as from a file: libxml2's text node limit counts what
	 * it appends, so one huge node given whole would slip through. */
	doc = xmlCtxtReadIO(p, chunk_read, NULL, &in, relpath, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
			    XML_PARSE_BIG_LINES);
	if (doc && (c.doctype || !p->wellFormed)) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	if (!doc) {
		explain(&c, why);
		*line = c.line;
		xmlFreeParserCtxt(p);
		capture_end(&c);
		return 1;
	}
	xmlFreeParserCtxt(p);
	capture_end(&c);
	if (!(root = xmlDocGetRootElement(doc))) {
		xmlFreeDoc(doc);
		strbuf_addstr(why, "no document element");
		return 1;
	}
	if ((depth = depth_of(root)) > lim->max_depth) {
		deep = too_deep(root, 1, lim->max_depth);
		*line = deep ? xmlin_node_line(deep) : 0;
		strbuf_addf(why, "deeper than xml-max-depth (%d elements)", lim->max_depth);
		xmlFreeDoc(doc);
		return 1;
	}
	d->doc = doc;
	d->xp = xmlXPathNewContext(doc);
	if (!d->xp) {
		xmlin_close(d);
		strbuf_addstr(why, "out of memory in the XPath engine");
		return 1;
	}
	return 0;
}

int xmlin_parse_file(struct xmlin_doc *d, const char *path, const char *relpath,
		     const struct xmlin_limits *lim, unsigned long *line, struct strbuf *why)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	char *buf;
	size_t n;
	int rc;

	memset(d, 0, sizeof(*d));
	*line = 0;
	strbuf_reset(why);
	if (!f || fstat(fileno(f), &sb)) {
		log_error("unable to read %s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	/* The size is checked before a byte is read. */
	if ((uint64_t)sb.st_size > (uint64_t)lim->max_bytes) {
		fclose(f);
		strbuf_addf(why, "file larger than xml-max-bytes (%zu bytes)", lim->max_bytes);
		return 1;
	}
	buf = xmalloc((size_t)sb.st_size + 1);
	n = fread(buf, 1, (size_t)sb.st_size, f);
	if (ferror(f) || n != (size_t)sb.st_size) {
		log_error("unable to read %s", path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	rc = xmlin_parse_memory(d, buf, n, relpath, lim, line, why);
	free(buf);
	return rc;
}

void xmlin_close(struct xmlin_doc *d)
{
	if (d->xp)
		xmlXPathFreeContext(d->xp);
	if (d->doc)
		xmlFreeDoc(d->doc);
	d->xp = NULL;
	d->doc = NULL;
}

void xmlin_use_namespaces(struct xmlin_doc *d, const struct xmlin_ns *ns, int nns)
{
	xmlXPathRegisteredNsCleanup(d->xp);
	for (int i = 0; i < nns; i++)
		xmlXPathRegisterNs(d->xp, BAD_CAST ns[i].prefix, BAD_CAST ns[i].uri);
}

int xmlin_root_is(const struct xmlin_doc *d, const char *uri, const char *local)
{
	xmlNodePtr root = xmlDocGetRootElement(d->doc);
	const char *href;
	if (!root || strcmp((const char *)root->name, local))
		return 0;
	href = root->ns && root->ns->href ? (const char *)root->ns->href : "";
	return !strcmp(href, uri ? uri : "");
}

unsigned long xmlin_root_line(const struct xmlin_doc *d)
{
	xmlNodePtr root = xmlDocGetRootElement(d->doc);
	return root ? xmlin_node_line(root) : 0;
}

int xmlin_compile(struct xmlin_path *p, const char *text, const struct xmlin_ns *ns, int nns,
		  struct strbuf *why)
{
	struct capture c;
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr obj;

	memset(p, 0, sizeof(*p));
	strbuf_reset(why);
	capture_begin(&c);
	p->expr = xmlXPathCompile(BAD_CAST text);
	if (!p->expr) {
		strbuf_addf(why, "'%s' is not an XPath%s%s", text, c.have ? ": " : "",
			    c.have ? c.msg.buf : "");
		capture_end(&c);
		return -1;
	}
	/* A trial on an empty document finds prefixes the schema did not bind. */
	doc = xmlNewDoc(BAD_CAST "1.0");
	xmlDocSetRootElement(doc, xmlNewDocNode(doc, NULL, BAD_CAST "x", NULL));
	ctx = xmlXPathNewContext(doc);
	for (int i = 0; i < nns; i++)
		xmlXPathRegisterNs(ctx, BAD_CAST ns[i].prefix, BAD_CAST ns[i].uri);
	ctx->node = xmlDocGetRootElement(doc);
	obj = xmlXPathCompiledEval(p->expr, ctx);
	if (!obj)
		strbuf_addf(why, "'%s': %s", text, c.have ? c.msg.buf : "cannot be evaluated");
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	capture_end(&c);
	if (why->len) {
		xmlin_path_free(p);
		return -1;
	}
	p->text = xstrdup(text);
	return 0;
}

void xmlin_path_free(struct xmlin_path *p)
{
	if (p->expr)
		xmlXPathFreeCompExpr(p->expr);
	free(p->text);
	p->expr = NULL;
	p->text = NULL;
}

int xmlin_eval(struct xmlin_doc *d, xmlNodePtr node, const struct xmlin_path *p,
	       struct xmlin_result *r, struct strbuf *why)
{
	struct capture c;
	memset(r, 0, sizeof(*r));
	capture_begin(&c);
	d->xp->node = node ? node : (xmlNodePtr)d->doc;
	r->obj = xmlXPathCompiledEval(p->expr, d->xp);
	strbuf_reset(why);
	if (!r->obj)
		strbuf_addf(why, "%s: %s", p->text, c.have ? c.msg.buf : "cannot be evaluated");
	capture_end(&c);
	if (!r->obj)
		return -1;
	switch (r->obj->type) {
	case XPATH_NODESET:
		r->n = r->obj->nodesetval ? (size_t)r->obj->nodesetval->nodeNr : 0;
		return 0;
	case XPATH_STRING:
		r->n = 1;
		return 0;
	default:
		strbuf_addf(why, "%s: gives a %s, not nodes or text", p->text,
			    r->obj->type == XPATH_NUMBER ? "number" :
			    r->obj->type == XPATH_BOOLEAN ? "boolean" : "value");
		xmlin_result_free(r);
		return -1;
	}
}

void xmlin_result_free(struct xmlin_result *r)
{
	if (r->obj)
		xmlXPathFreeObject(r->obj);
	r->obj = NULL;
	r->n = 0;
}

xmlNodePtr xmlin_result_node(const struct xmlin_result *r, size_t i)
{
	if (!r->obj || r->obj->type != XPATH_NODESET || i >= r->n)
		return NULL;
	return r->obj->nodesetval->nodeTab[i];
}

static int xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int xmlin_result_text(const struct xmlin_result *r, size_t i, size_t max, struct strbuf *out)
{
	xmlChar *own = NULL;
	const char *s;
	size_t len;
	strbuf_reset(out);
	if (i >= r->n)
		return 0;
	if (r->obj->type == XPATH_STRING) {
		s = (const char *)r->obj->stringval;
	} else {
		own = xmlXPathCastNodeToString(r->obj->nodesetval->nodeTab[i]);
		s = (const char *)own;
	}
	if (!s)
		s = "";
	len = strlen(s);
	while (len && xml_space(*s))
		s++, len--;
	while (len && xml_space(s[len - 1]))
		len--;
	if (len > max) {
		xmlFree(own);
		return -1;
	}
	strbuf_add(out, s, len);
	xmlFree(own);
	return 0;
}

unsigned long xmlin_node_line(xmlNodePtr node)
{
	long l = node ? xmlGetLineNo(node) : -1;
	return l > 0 ? (unsigned long)l : 0;
}

void xmlin_node_path(xmlNodePtr node, struct strbuf *out)
{
	xmlChar *p = node ? xmlGetNodePath(node) : NULL;
	strbuf_reset(out);
	strbuf_addstr(out, p ? (const char *)p : "");
	xmlFree(p);
}
