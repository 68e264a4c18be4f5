#include "finansbilag.h"

#include <stdio.h>
#include <string.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "core/date.h"
#include "core/log.h"
#include "core/banned.h"

#define NS "urn:oio:kommune-afstemning:finansbilag:sf1590a-form:1"

/* libxml2 reports through this: one log line per message, no trailing newline. */
static void xml_message(void *ctx, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	(void)ctx;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	while (sb.len && sb.buf[sb.len - 1] == '\n')
		sb.buf[--sb.len] = '\0';
	if (sb.len)
		log_error("finansbilag: %s", sb.buf);
	strbuf_release(&sb);
}

/* A parser's or the schema compiler's error, as FILE:LINE: message. */
static void xml_error(void *ctx, xmlErrorPtr e)
{
	const char *path = ctx;
	struct strbuf sb = STRBUF_INIT;
	if (!e || e->level == XML_ERR_WARNING)
		return;
	strbuf_addstr(&sb, e->message ? e->message : "XML error");
	while (sb.len && sb.buf[sb.len - 1] == '\n')
		sb.buf[--sb.len] = '\0';
	log_input(e->file ? e->file : path, e->line > 0 ? (unsigned long)e->line : 0, 0, "%s",
		  sb.buf);
	strbuf_release(&sb);
}

/*
 * Nothing we parse may declare a document type: a DTD is where entity
 * bombs (billion laughs, quadratic blowup) and external entities (a local
 * file read into the document, a URL fetched) live, and nothing we read
 * needs one. Refused at the declaration, before any entity is declared.
 */
static void refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *public_id,
			   const xmlChar *system_id)
{
	xmlParserCtxtPtr p = ctx;
	(void)name;
	(void)public_id;
	(void)system_id;
	log_input(p->_private, (unsigned long)xmlSAX2GetLineNumber(ctx), 0,
		  "a document type declaration (<!DOCTYPE>): DTDs and entities are not "
		  "allowed here; refused");
	xmlStopParser(p);
	p->wellFormed = 0;	/* no partial document either */
}

/* While the schema compiles: it may not load anything (xs:include, xs:import ...). */
static xmlParserInputPtr refuse_load(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)id;
	(void)ctxt;
	log_error("finansbilag: the schema may not load %s; refused", url ? url : "(no URL)");
	return NULL;
}

/*
 * The XSD read as untrusted XML: no network (XML_PARSE_NONET), no entity
 * substitution (no XML_PARSE_NOENT, which libxml2's own schema loader
 * sets), no external DTD (no XML_PARSE_DTDLOAD), and no document type at
 * all (refuse_doctype). An xs:include, xs:import, xs:redefine or
 * xs:override is refused at its line: the schema is one file.
 */
static xmlDocPtr read_xsd(const char *path)
{
	static const char *const loads[] = { "include", "import", "redefine", "override" };
	xmlParserCtxtPtr p = xmlNewParserCtxt();
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	if (!p) {
		log_error("%s: out of memory", path);
		return NULL;
	}
	p->_private = (void *)path;
	p->sax->internalSubset = refuse_doctype;
	xmlSetStructuredErrorFunc((void *)path, xml_error);
	doc = xmlCtxtReadFile(p, path, NULL, XML_PARSE_NONET);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (doc && !p->wellFormed) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(p);
	for (xmlNodePtr n = (root = doc ? xmlDocGetRootElement(doc) : NULL) ? root->children : NULL;
	     n; n = n->next)
		for (size_t i = 0; n->type == XML_ELEMENT_NODE && i < 4; i++)
			if (!xmlStrcmp(n->name, BAD_CAST loads[i])) {
				log_input(path, (unsigned long)xmlGetLineNo(n), 0, "xs:%s: the "
					  "schema may not load other files; refused", loads[i]);
				xmlFreeDoc(doc);
				return NULL;
			}
	return doc;
}

int finansbilag_open(struct finansbilag *fb, const char *xsd_path)
{
	xmlExternalEntityLoader loader = xmlGetExternalEntityLoader();
	xmlSchemaParserCtxtPtr pc;
	xmlDocPtr doc;
	memset(fb, 0, sizeof(*fb));
	if (!(doc = read_xsd(xsd_path)))
		return -1;
	if (!(pc = xmlSchemaNewDocParserCtxt(doc))) {
		log_error("%s: out of memory", xsd_path);
		xmlFreeDoc(doc);
		return -1;
	}
	xmlSchemaSetParserStructuredErrors(pc, xml_error, (void *)xsd_path);
	xmlSetExternalEntityLoader(refuse_load);
	fb->schema = xmlSchemaParse(pc);
	xmlSetExternalEntityLoader(loader);
	xmlSchemaFreeParserCtxt(pc);
	xmlFreeDoc(doc);
	if (!fb->schema) {
		log_error("%s: not a usable XML schema", xsd_path);
		return -1;
	}
	fb->valid = xmlSchemaNewValidCtxt(fb->schema);
	if (!fb->valid) {
		finansbilag_close(fb);
		return -1;
	}
	xmlSchemaSetValidErrors(fb->valid, xml_message, xml_message, NULL);
	return 0;
}

void finansbilag_close(struct finansbilag *fb)
{
	if (fb->valid)
		xmlSchemaFreeValidCtxt(fb->valid);
	if (fb->schema)
		xmlSchemaFree(fb->schema);
	fb->valid = fb->schema = NULL;
}

/* 12345 øre -> "123.45": xs:decimal. */
static const char *decimal(money_t v, char buf[MONEY_BUFSZ])
{
	char *comma = strchr(money_format(v, buf), ',');
	if (comma)
		*comma = '.';
	return buf;
}

static xmlNodePtr child(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text)
{
	return xmlNewTextChild(parent, ns, BAD_CAST name, text ? BAD_CAST text : NULL);
}

static void header(xmlNodePtr root, xmlNsPtr ns, const struct voucher *v, money_t total)
{
	xmlNodePtr h = child(root, ns, "BilagHoved", NULL), s;
	char date[DATE_BUFSZ], num[16], amount[MONEY_BUFSZ];
	child(h, ns, "BilagUUID", v->id);
	child(h, ns, "BilagReference", v->reference);
	child(h, ns, "BilagType", v->reverses[0] ? "Tilbagefoersel" : "Ompostering");
	if (v->reverses[0])
		child(h, ns, "TilbagefoertBilagUUID", v->reverses);
	child(h, ns, "BilagDato", day_format(v->night, date));
	s = child(h, ns, "Afsender", NULL);
	child(s, ns, "SystemID", v->sender);
	child(s, ns, "SENummer", v->se);
	child(h, ns, "Regel", v->rule);
	snprintf(num, sizeof(num), "%d", v->n);
	child(h, ns, "PosteringAntal", num);
	child(h, ns, "DebetTotal", decimal(total, amount));
	child(h, ns, "KreditTotal", decimal(total, amount));
}

static void postings(xmlNodePtr root, xmlNsPtr ns, const struct voucher *v)
{
	xmlNodePtr ps = child(root, ns, "Posteringer", NULL);
	char date[DATE_BUFSZ], amount[MONEY_BUFSZ];
	day_format(v->night, date);
	for (int i = 0; i < v->n; i++) {
		const struct posting *p = &v->p[i];
		xmlNodePtr e = child(ps, ns, "Postering", NULL);
		child(e, ns, "PosteringUUID", p->id);
		child(e, ns, "Kontonummer", p->account);
		child(e, ns, "Beloeb", decimal(p->amount, amount));
		child(e, ns, "DebetKreditIndikator", p->debit ? "D" : "K");
		child(e, ns, "Bogfoeringsdato", date);
		child(e, ns, "Posteringstekst", p->text);
	}
}

int finansbilag_render(struct finansbilag *fb, const struct voucher *v, struct strbuf *out)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	xmlNsPtr ns;
	xmlChar *mem = NULL;
	money_t debit, credit;
	int len = 0, rc = -1;

	strbuf_reset(out);
	if (voucher_balance(v, &debit, &credit)) {
		log_error("voucher %s (rule %s) does not balance", v->id, v->rule);
		return -1;
	}
	doc = xmlNewDoc(BAD_CAST "1.0");
	root = xmlNewNode(NULL, BAD_CAST "Finansbilag");
	ns = xmlNewNs(root, BAD_CAST NS, NULL);
	xmlSetNs(root, ns);
	xmlDocSetRootElement(doc, root);
	header(root, ns, v, debit);
	postings(root, ns, v);
	if (xmlSchemaValidateDoc(fb->valid, doc) != 0) {
		log_error("voucher %s (rule %s) does not match the finansbilag schema",
			  v->id, v->rule);
		goto out;
	}
	xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 1);
	if (!mem || len <= 0) {
		log_error("voucher %s: unable to serialise the XML", v->id);
		goto out;
	}
	strbuf_add(out, mem, (size_t)len);
	rc = 0;
out:
	xmlFree(mem);
	xmlFreeDoc(doc);
	return rc;
}
