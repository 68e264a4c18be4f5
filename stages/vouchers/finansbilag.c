#include "finansbilag.h"

#include <stdio.h>
#include <string.h>

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

int finansbilag_open(struct finansbilag *fb, const char *xsd_path)
{
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(xsd_path);
	memset(fb, 0, sizeof(*fb));
	if (!pc) {
		log_error("unable to read %s", xsd_path);
		return -1;
	}
	xmlSchemaSetParserErrors(pc, xml_message, xml_message, NULL);
	fb->schema = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
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
