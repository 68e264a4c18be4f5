/*
 * A voucher as XML in the shape of an SF1590_A finansbilag (libxml2),
 * validated against schemas/sf1590a-finansbilag.xsd before anyone sees it:
 *
 *   <Finansbilag xmlns="urn:oio:kommune-afstemning:finansbilag:sf1590a-form:1">
 *     <BilagHoved> BilagUUID BilagReference BilagType [TilbagefoertBilagUUID]
 *                  BilagDato Afsender(SystemID SENummer) Regel PosteringAntal
 *                  DebetTotal KreditTotal </BilagHoved>
 *     <Posteringer> <Postering> PosteringUUID Kontonummer Beloeb
 *                  DebetKreditIndikator Bogfoeringsdato Posteringstekst
 *     </Postering>... </Posteringer>
 *   </Finansbilag>
 * Amounts are xs:decimal kroner with a point (126.03), always positive.
 */
#ifndef FINANSBILAG_H
#define FINANSBILAG_H

#include "core/strbuf.h"
#include "post/voucher.h"

struct finansbilag {
	void *schema;		/* xmlSchemaPtr */
	void *valid;		/* xmlSchemaValidCtxtPtr */
};

/*
 * Loads the XSD, read as untrusted XML (SECURITY.md): no network, no
 * entity expansion, no DTD (a <!DOCTYPE> is refused at its line), no
 * xs:include/xs:import/xs:redefine/xs:override (the schema is one file).
 * 0, or -1 reported as FILE:LINE: why.
 */
int finansbilag_open(struct finansbilag *fb, const char *xsd_path);
void finansbilag_close(struct finansbilag *fb);

/*
 * The voucher's XML document (UTF-8, indented) into out, after checking
 * that it balances and validating it. 0, or -1 reported (naming the voucher).
 */
int finansbilag_render(struct finansbilag *fb, const struct voucher *v, struct strbuf *out);

#endif
