/* mail_html.c — HTML to text for the mail module: visible text (scripts,
 * styles and the title dropped, entities decoded, whitespace collapsed,
 * blocks on their own lines), text hidden by CSS kept apart as evidence,
 * links with their visible text, forms with their inputs, meta refreshes and
 * script redirects.
 *
 * Why not libxml2. This file used libxml2's HTML parser through SAX. On the
 * 3,197 text/html parts of the corpora (40 MB; bench/bench_mail_html, one
 * core) libxml2 alone, with an empty SAX handler, parses 75-95 MB/s, and with
 * our callbacks it rendered 65-70 MB/s: a quarter of `vigil mail`'s time,
 * where the HTML stage needs 300 MB/s or more. libxml2 spends it on work we
 * throw away (decoding the input one character at a time, interning names,
 * building attribute arrays, HTML 4 DTD rules), and its HTML 4 error
 * recovery is not what mail clients do. This renderer does 330-400 MB/s on
 * the same parts (5-6 times the SAX driver) and follows HTML5.
 *
 * Tokenizer (HTML Living Standard §13.2.5, without the parse errors): data,
 * tags with double-, single- or unquoted attribute values, comments ("--!>",
 * "<!-->"), bogus comments and DOCTYPE, CDATA (text in svg/math), RAWTEXT
 * (style, iframe, noembed, noframes, xmp; noscript in an attachment, which a
 * browser opens with scripting on), RCDATA (title, textarea), script data
 * with its escaped and double-escaped states, and character references:
 * named (HTML 4 and the HTML5 names seen in mail; the legacy ones also
 * without ';', with the attribute rule) and numeric (0, surrogates and out
 * of range to U+FFFD, 0x80-0x9F as windows-1252). It scans with memchr and
 * SSE2, appends text in runs and allocates nothing per tag: the attributes
 * we read are decoded into one scratch buffer, the others skipped.
 *
 * Tree construction, reduced to what decides where a piece of text belongs:
 * a bounded stack of open elements (MAX_DEPTH) carrying our flags (skip,
 * hidden, link, form, block):
 *   - void elements never open; "/>" closes only void and svg/math ones;
 *   - implied end tags: a block closes an open <p>; <li>, <dd>/<dt>,
 *     <option>, <td>/<th>, <tr>, <tbody>... close the previous one; a heading
 *     a heading; an <a> an open <a>;
 *   - an end tag closes the nearest open element of its name within its
 *     HTML5 scope (</span> does not cross a <div>, </div> does not leave a
 *     cell); a formatting end tag (</a>, </font>) with a block opened inside
 *     ends its effect and leaves the block open (the adoption agency, as far
 *     as text goes);
 *   - a link or a hidden formatting element that a block closes implicitly
 *     is reopened before the next text, as browsers reconstruct active
 *     formatting elements ("<p><a href=x><p>Go</a>": "Go" is the link's text);
 *   - a stray </p> is an empty paragraph, </br> a <br>; </body> and </html>
 *     close nothing; a second <body> or <html> is ignored.
 * Not done: foster parenting of text misplaced in tables (it stays in
 * place), the select and frameset insertion modes.
 *
 * Departures from HTML5, for evidence: a title, textarea, xmp, iframe,
 * noembed or noframes without its end tag is an ordinary element (a browser
 * would swallow the rest of the message, links included, as text); a tag cut
 * by the end of the input still counts. Control characters and NUL are not
 * text. Hidden means an inline style (comments skipped) with display:none,
 * visibility:hidden, font-size 0 or 1px, opacity 0, or a zero (max-)height
 * or width with overflow:hidden, or the hidden attribute.
 *
 * The input is UTF-8 already (mail_text.c); a <meta charset> changes nothing.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "mail_internal.h"

#define ANCHOR_TEXT_MAX 256
#define SCRIPT_MAX (64u << 10)
#define MAX_DEPTH 256

/* ---- elements ---------------------------------------------------------------------------- */

/* The elements the renderer knows (ELEMS gives their names and
 * properties). Any other is E_OTHER, matched by a hash of its name. */
enum {
    E_OTHER, E_A, E_ADDRESS, E_APPLET, E_AREA, E_ARTICLE, E_ASIDE, E_B, E_BASE, E_BASEFONT,
    E_BGSOUND, E_BIG, E_BLOCKQUOTE, E_BODY, E_BR, E_BUTTON, E_CAPTION, E_CENTER, E_CODE, E_COL,
    E_COLGROUP, E_DD, E_DETAILS, E_DIALOG, E_DIR, E_DIV, E_DL, E_DT, E_EM, E_EMBED, E_FIELDSET,
    E_FIGCAPTION, E_FIGURE, E_FONT, E_FOOTER, E_FORM, E_FRAME, E_FRAMESET, E_H1, E_H2, E_H3,
    E_H4, E_H5, E_H6, E_HEAD, E_HEADER, E_HGROUP, E_HR, E_HTML, E_I, E_IFRAME, E_IMG, E_INPUT,
    E_KEYGEN, E_LI, E_LINK, E_LISTING, E_MAIN, E_MARQUEE, E_MATH, E_MENU, E_META, E_NAV,
    E_NOBR, E_NOEMBED, E_NOFRAMES, E_NOSCRIPT, E_OBJECT, E_OL, E_OPTGROUP, E_OPTION, E_P,
    E_PARAM, E_PLAINTEXT, E_PRE, E_S, E_SCRIPT, E_SECTION, E_SELECT, E_SMALL, E_SOURCE,
    E_STRIKE, E_STRONG, E_STYLE, E_SUMMARY, E_SVG, E_TABLE, E_TBODY, E_TD, E_TEMPLATE,
    E_TEXTAREA, E_TFOOT, E_TH, E_THEAD, E_TITLE, E_TR, E_TRACK, E_TT, E_U, E_UL, E_WBR, E_XMP,
    E_COUNT
};

enum {
    P_VOID = 1 << 0,     /* never has content: start and end at once */
    P_BLOCK = 1 << 1,    /* text before and after it goes on its own line */
    P_SPECIAL = 1 << 2,  /* HTML5 "special": an end tag of an ordinary element stops there */
    P_CLOSES_P = 1 << 3, /* its start tag closes an open <p> */
    P_SCOPE = 1 << 4,    /* bounds the default scope (applet caption html table td th ...) */
    P_FORMAT = 1 << 5,   /* formatting element (a b font i ...) */
    P_HEADING = 1 << 6,  /* h1-h6 */
    P_SPACE = 1 << 7,    /* a word boundary (td th img) */
    P_TABLE = 1 << 8,    /* table part: its end tag looks in table scope */
    P_CELL = 1 << 9,     /* td th */
    P_TSECTION = 1 << 10, /* tbody thead tfoot */
    P_DDT = 1 << 11      /* dd dt */
};

static const struct elem {
    const char *name;
    uint16_t props; /* P_* */
} ELEMS[E_COUNT] = {
    [E_OTHER] = {"", 0},
    [E_A] = {"a", P_FORMAT}, [E_ADDRESS] = {"address", P_SPECIAL | P_CLOSES_P | P_BLOCK},
    [E_APPLET] = {"applet", P_SPECIAL | P_SCOPE}, [E_AREA] = {"area", P_VOID | P_SPECIAL},
    [E_ARTICLE] = {"article", P_SPECIAL | P_CLOSES_P | P_BLOCK},
    [E_ASIDE] = {"aside", P_SPECIAL | P_CLOSES_P}, [E_B] = {"b", P_FORMAT},
    [E_BASE] = {"base", P_VOID | P_SPECIAL}, [E_BASEFONT] = {"basefont", P_VOID | P_SPECIAL},
    [E_BGSOUND] = {"bgsound", P_VOID | P_SPECIAL}, [E_BIG] = {"big", P_FORMAT},
    [E_BLOCKQUOTE] = {"blockquote", P_SPECIAL | P_CLOSES_P | P_BLOCK},
    [E_BODY] = {"body", P_SPECIAL}, [E_BR] = {"br", P_VOID | P_SPECIAL | P_BLOCK},
    [E_BUTTON] = {"button", P_SPECIAL}, [E_CAPTION] = {"caption", P_SPECIAL | P_SCOPE | P_TABLE},
    [E_CENTER] = {"center", P_SPECIAL | P_CLOSES_P | P_BLOCK}, [E_CODE] = {"code", P_FORMAT},
    [E_COL] = {"col", P_VOID | P_SPECIAL}, [E_COLGROUP] = {"colgroup", P_SPECIAL | P_TABLE},
    [E_DD] = {"dd", P_SPECIAL | P_CLOSES_P | P_BLOCK | P_DDT},
    [E_DETAILS] = {"details", P_SPECIAL | P_CLOSES_P}, [E_DIALOG] = {"dialog", P_CLOSES_P},
    [E_DIR] = {"dir", P_SPECIAL | P_CLOSES_P}, [E_DIV] = {"div", P_SPECIAL | P_CLOSES_P | P_BLOCK},
    [E_DL] = {"dl", P_SPECIAL | P_CLOSES_P},
    [E_DT] = {"dt", P_SPECIAL | P_CLOSES_P | P_BLOCK | P_DDT}, [E_EM] = {"em", P_FORMAT},
    [E_EMBED] = {"embed", P_VOID | P_SPECIAL}, [E_FIELDSET] = {"fieldset", P_SPECIAL | P_CLOSES_P},
    [E_FIGCAPTION] = {"figcaption", P_SPECIAL | P_CLOSES_P},
    [E_FIGURE] = {"figure", P_SPECIAL | P_CLOSES_P}, [E_FONT] = {"font", P_FORMAT},
    [E_FOOTER] = {"footer", P_SPECIAL | P_CLOSES_P | P_BLOCK},
    [E_FORM] = {"form", P_SPECIAL | P_CLOSES_P | P_BLOCK},
    [E_FRAME] = {"frame", P_VOID | P_SPECIAL}, [E_FRAMESET] = {"frameset", P_SPECIAL},
    [E_H1] = {"h1", P_SPECIAL | P_CLOSES_P | P_BLOCK | P_HEADING},
    [E_H2] = {"h2", P_SPECIAL | P_CLOSES_P | P_BLOCK | P_HEADING},
    [E_H3] = {"h3", P_SPECIAL | P_CLOSES_P | P_BLOCK | P_HEADING},
    [E_H4] = {"h4", P_SPECIAL | P_CLOSES_P | P_BLOCK | P_HEADING},
    [E_H5] = {"h5", P_SPECIAL | P_CLOSES_P | P_BLOCK | P_HEADING},
    [E_H6] = {"h6", P_SPECIAL | P_CLOSES_P | P_BLOCK | P_HEADING}, [E_HEAD] = {"head", P_SPECIAL},
    [E_HEADER] = {"header", P_SPECIAL | P_CLOSES_P | P_BLOCK},
    [E_HGROUP] = {"hgroup", P_SPECIAL | P_CLOSES_P},
    [E_HR] = {"hr", P_VOID | P_SPECIAL | P_CLOSES_P | P_BLOCK},
    [E_HTML] = {"html", P_SPECIAL | P_SCOPE}, [E_I] = {"i", P_FORMAT},
    [E_IFRAME] = {"iframe", P_SPECIAL}, [E_IMG] = {"img", P_VOID | P_SPECIAL | P_SPACE},
    [E_INPUT] = {"input", P_VOID | P_SPECIAL}, [E_KEYGEN] = {"keygen", P_VOID | P_SPECIAL},
    [E_LI] = {"li", P_SPECIAL | P_CLOSES_P | P_BLOCK}, [E_LINK] = {"link", P_VOID | P_SPECIAL},
    [E_LISTING] = {"listing", P_SPECIAL | P_CLOSES_P}, [E_MAIN] = {"main", P_SPECIAL | P_CLOSES_P},
    [E_MARQUEE] = {"marquee", P_SPECIAL | P_SCOPE}, [E_MATH] = {"math", 0},
    [E_MENU] = {"menu", P_SPECIAL | P_CLOSES_P}, [E_META] = {"meta", P_VOID | P_SPECIAL},
    [E_NAV] = {"nav", P_SPECIAL | P_CLOSES_P}, [E_NOBR] = {"nobr", P_FORMAT},
    [E_NOEMBED] = {"noembed", P_SPECIAL}, [E_NOFRAMES] = {"noframes", P_SPECIAL},
    [E_NOSCRIPT] = {"noscript", P_SPECIAL}, [E_OBJECT] = {"object", P_SPECIAL | P_SCOPE},
    [E_OL] = {"ol", P_SPECIAL | P_CLOSES_P | P_BLOCK}, [E_OPTGROUP] = {"optgroup", 0},
    [E_OPTION] = {"option", 0}, [E_P] = {"p", P_SPECIAL | P_CLOSES_P | P_BLOCK},
    [E_PARAM] = {"param", P_VOID | P_SPECIAL},
    [E_PLAINTEXT] = {"plaintext", P_SPECIAL | P_CLOSES_P},
    [E_PRE] = {"pre", P_SPECIAL | P_CLOSES_P | P_BLOCK}, [E_S] = {"s", P_FORMAT},
    [E_SCRIPT] = {"script", P_SPECIAL},
    [E_SECTION] = {"section", P_SPECIAL | P_CLOSES_P | P_BLOCK},
    [E_SELECT] = {"select", P_SPECIAL}, [E_SMALL] = {"small", P_FORMAT},
    [E_SOURCE] = {"source", P_VOID | P_SPECIAL}, [E_STRIKE] = {"strike", P_FORMAT},
    [E_STRONG] = {"strong", P_FORMAT}, [E_STYLE] = {"style", P_SPECIAL},
    [E_SUMMARY] = {"summary", P_SPECIAL | P_CLOSES_P}, [E_SVG] = {"svg", 0},
    [E_TABLE] = {"table", P_SPECIAL | P_SCOPE | P_CLOSES_P | P_BLOCK | P_TABLE},
    [E_TBODY] = {"tbody", P_SPECIAL | P_TABLE | P_TSECTION},
    [E_TD] = {"td", P_SPECIAL | P_SCOPE | P_SPACE | P_TABLE | P_CELL},
    [E_TEMPLATE] = {"template", P_SPECIAL | P_SCOPE}, [E_TEXTAREA] = {"textarea", P_SPECIAL},
    [E_TFOOT] = {"tfoot", P_SPECIAL | P_TABLE | P_TSECTION},
    [E_TH] = {"th", P_SPECIAL | P_SCOPE | P_SPACE | P_TABLE | P_CELL},
    [E_THEAD] = {"thead", P_SPECIAL | P_TABLE | P_TSECTION},
    [E_TITLE] = {"title", P_SPECIAL | P_BLOCK}, [E_TR] = {"tr", P_SPECIAL | P_BLOCK | P_TABLE},
    [E_TRACK] = {"track", P_VOID | P_SPECIAL}, [E_TT] = {"tt", P_FORMAT}, [E_U] = {"u", P_FORMAT},
    [E_UL] = {"ul", P_SPECIAL | P_CLOSES_P | P_BLOCK}, [E_WBR] = {"wbr", P_VOID | P_SPECIAL},
    [E_XMP] = {"xmp", P_SPECIAL | P_CLOSES_P},
};

/* FNV-1a, the hash of names in the lookup tables. */
static uint32_t fnv_step(uint32_t h, unsigned char c) { return (h ^ c) * 16777619u; }
#define FNV_INIT 2166136261u

static uint32_t fnv(const char *s, size_t n)
{
    uint32_t h = FNV_INIT;
    for (size_t i = 0; i < n; i++)
        h = fnv_step(h, (unsigned char)s[i]);
    return h;
}

/* ---- character references ----------------------------------------------------------------- */

/* HTML 4 (all 253) and the HTML5 names common in mail (invisible ones
 * included: ZeroWidthSpace, NoBreak, InvisibleTimes, ...). legacy: HTML5
 * also matches it without the ';'. */
static const struct entity {
    const char *name;
    uint32_t cp;
    int legacy;
} ENTITIES[] = {
    {"AElig", 0x00C6, 1}, {"AMP", 0x0026, 1}, {"Aacute", 0x00C1, 1}, {"Acirc", 0x00C2, 1},
    {"Agrave", 0x00C0, 1}, {"Alpha", 0x0391, 0}, {"ApplyFunction", 0x2061, 0},
    {"Aring", 0x00C5, 1}, {"Atilde", 0x00C3, 1}, {"Auml", 0x00C4, 1}, {"Beta", 0x0392, 0},
    {"COPY", 0x00A9, 1}, {"Ccedil", 0x00C7, 1}, {"Chi", 0x03A7, 0}, {"Dagger", 0x2021, 0},
    {"Delta", 0x0394, 0}, {"ETH", 0x00D0, 1}, {"Eacute", 0x00C9, 1}, {"Ecirc", 0x00CA, 1},
    {"Egrave", 0x00C8, 1}, {"Epsilon", 0x0395, 0}, {"Eta", 0x0397, 0}, {"Euml", 0x00CB, 1},
    {"GT", 0x003E, 1}, {"Gamma", 0x0393, 0}, {"Hat", 0x005E, 0}, {"Iacute", 0x00CD, 1},
    {"Icirc", 0x00CE, 1}, {"Igrave", 0x00CC, 1}, {"InvisibleComma", 0x2063, 0},
    {"InvisibleTimes", 0x2062, 0}, {"Iota", 0x0399, 0}, {"Iuml", 0x00CF, 1}, {"Kappa", 0x039A, 0},
    {"LT", 0x003C, 1}, {"Lambda", 0x039B, 0}, {"LeftArrow", 0x2190, 0}, {"MediumSpace", 0x205F, 0},
    {"Mu", 0x039C, 0}, {"NewLine", 0x000A, 0}, {"NoBreak", 0x2060, 0},
    {"NonBreakingSpace", 0x00A0, 0}, {"Ntilde", 0x00D1, 1}, {"Nu", 0x039D, 0},
    {"OElig", 0x0152, 0}, {"Oacute", 0x00D3, 1}, {"Ocirc", 0x00D4, 1}, {"Ograve", 0x00D2, 1},
    {"Omega", 0x03A9, 0}, {"Omicron", 0x039F, 0}, {"Oslash", 0x00D8, 1}, {"Otilde", 0x00D5, 1},
    {"Ouml", 0x00D6, 1}, {"Phi", 0x03A6, 0}, {"Pi", 0x03A0, 0}, {"Prime", 0x2033, 0},
    {"Psi", 0x03A8, 0}, {"QUOT", 0x0022, 1}, {"REG", 0x00AE, 1}, {"Rho", 0x03A1, 0},
    {"RightArrow", 0x2192, 0}, {"Scaron", 0x0160, 0}, {"Sigma", 0x03A3, 0}, {"THORN", 0x00DE, 1},
    {"TRADE", 0x2122, 0}, {"Tab", 0x0009, 0}, {"Tau", 0x03A4, 0}, {"Theta", 0x0398, 0},
    {"ThinSpace", 0x2009, 0}, {"Uacute", 0x00DA, 1}, {"Ucirc", 0x00DB, 1}, {"Ugrave", 0x00D9, 1},
    {"Upsilon", 0x03A5, 0}, {"Uuml", 0x00DC, 1}, {"VeryThinSpace", 0x200A, 0}, {"Xi", 0x039E, 0},
    {"Yacute", 0x00DD, 1}, {"Yuml", 0x0178, 0}, {"ZeroWidthSpace", 0x200B, 0}, {"Zeta", 0x0396, 0},
    {"aacute", 0x00E1, 1}, {"acirc", 0x00E2, 1}, {"acute", 0x00B4, 1}, {"aelig", 0x00E6, 1},
    {"af", 0x2061, 0}, {"agrave", 0x00E0, 1}, {"alefsym", 0x2135, 0}, {"alpha", 0x03B1, 0},
    {"amp", 0x0026, 1}, {"and", 0x2227, 0}, {"ang", 0x2220, 0}, {"angst", 0x00C5, 0},
    {"apos", 0x0027, 0}, {"aring", 0x00E5, 1}, {"ast", 0x002A, 0}, {"asymp", 0x2248, 0},
    {"atilde", 0x00E3, 1}, {"auml", 0x00E4, 1}, {"bdquo", 0x201E, 0}, {"beta", 0x03B2, 0},
    {"bigstar", 0x2605, 0}, {"blacksquare", 0x25AA, 0}, {"brvbar", 0x00A6, 1}, {"bsol", 0x005C, 0},
    {"bull", 0x2022, 0}, {"bullet", 0x2022, 0}, {"cap", 0x2229, 0}, {"caret", 0x2041, 0},
    {"ccedil", 0x00E7, 1}, {"cedil", 0x00B8, 1}, {"cent", 0x00A2, 1}, {"check", 0x2713, 0},
    {"checkmark", 0x2713, 0}, {"chi", 0x03C7, 0}, {"circ", 0x02C6, 0}, {"circledR", 0x00AE, 0},
    {"clubs", 0x2663, 0}, {"colon", 0x003A, 0}, {"comma", 0x002C, 0}, {"commat", 0x0040, 0},
    {"cong", 0x2245, 0}, {"copy", 0x00A9, 1}, {"copysr", 0x2117, 0}, {"crarr", 0x21B5, 0},
    {"cross", 0x2717, 0}, {"cup", 0x222A, 0}, {"curren", 0x00A4, 1}, {"dArr", 0x21D3, 0},
    {"dagger", 0x2020, 0}, {"darr", 0x2193, 0}, {"dash", 0x2010, 0}, {"deg", 0x00B0, 1},
    {"delta", 0x03B4, 0}, {"diams", 0x2666, 0}, {"div", 0x00F7, 0}, {"divide", 0x00F7, 1},
    {"dollar", 0x0024, 0}, {"dtri", 0x25BF, 0}, {"dtrif", 0x25BE, 0}, {"eacute", 0x00E9, 1},
    {"ecirc", 0x00EA, 1}, {"egrave", 0x00E8, 1}, {"empty", 0x2205, 0}, {"emsp", 0x2003, 0},
    {"emsp13", 0x2004, 0}, {"emsp14", 0x2005, 0}, {"ensp", 0x2002, 0}, {"epsilon", 0x03B5, 0},
    {"equals", 0x003D, 0}, {"equiv", 0x2261, 0}, {"eta", 0x03B7, 0}, {"eth", 0x00F0, 1},
    {"euml", 0x00EB, 1}, {"euro", 0x20AC, 0}, {"excl", 0x0021, 0}, {"exist", 0x2203, 0},
    {"female", 0x2640, 0}, {"flat", 0x266D, 0}, {"fnof", 0x0192, 0}, {"forall", 0x2200, 0},
    {"frac12", 0x00BD, 1}, {"frac13", 0x2153, 0}, {"frac14", 0x00BC, 1}, {"frac15", 0x2155, 0},
    {"frac18", 0x215B, 0}, {"frac23", 0x2154, 0}, {"frac34", 0x00BE, 1}, {"frac38", 0x215C, 0},
    {"frac58", 0x215D, 0}, {"frac78", 0x215E, 0}, {"frasl", 0x2044, 0}, {"gamma", 0x03B3, 0},
    {"ge", 0x2265, 0}, {"grave", 0x0060, 0}, {"gt", 0x003E, 1}, {"hArr", 0x21D4, 0},
    {"hairsp", 0x200A, 0}, {"half", 0x00BD, 0}, {"harr", 0x2194, 0}, {"hbar", 0x210F, 0},
    {"hearts", 0x2665, 0}, {"hellip", 0x2026, 0}, {"horbar", 0x2015, 0}, {"hyphen", 0x2010, 0},
    {"iacute", 0x00ED, 1}, {"ic", 0x2063, 0}, {"icirc", 0x00EE, 1}, {"iexcl", 0x00A1, 1},
    {"igrave", 0x00EC, 1}, {"image", 0x2111, 0}, {"incare", 0x2105, 0}, {"infin", 0x221E, 0},
    {"int", 0x222B, 0}, {"iota", 0x03B9, 0}, {"iquest", 0x00BF, 1}, {"isin", 0x2208, 0},
    {"it", 0x2062, 0}, {"iuml", 0x00EF, 1}, {"kappa", 0x03BA, 0}, {"lArr", 0x21D0, 0},
    {"lambda", 0x03BB, 0}, {"lang", 0x2329, 0}, {"laquo", 0x00AB, 1}, {"larr", 0x2190, 0},
    {"lbrace", 0x007B, 0}, {"lbrack", 0x005B, 0}, {"lceil", 0x2308, 0}, {"lcub", 0x007B, 0},
    {"ldquo", 0x201C, 0}, {"ldquor", 0x201E, 0}, {"le", 0x2264, 0}, {"lfloor", 0x230A, 0},
    {"lowast", 0x2217, 0}, {"lowbar", 0x005F, 0}, {"loz", 0x25CA, 0}, {"lozf", 0x29EB, 0},
    {"lpar", 0x0028, 0}, {"lrm", 0x200E, 0}, {"lsaquo", 0x2039, 0}, {"lsqb", 0x005B, 0},
    {"lsquo", 0x2018, 0}, {"lsquor", 0x201A, 0}, {"lt", 0x003C, 1}, {"ltri", 0x25C3, 0},
    {"ltrif", 0x25C2, 0}, {"macr", 0x00AF, 1}, {"male", 0x2642, 0}, {"mdash", 0x2014, 0},
    {"micro", 0x00B5, 1}, {"midast", 0x002A, 0}, {"middot", 0x00B7, 1}, {"minus", 0x2212, 0},
    {"mldr", 0x2026, 0}, {"mu", 0x03BC, 0}, {"nabla", 0x2207, 0}, {"natural", 0x266E, 0},
    {"nbsp", 0x00A0, 1}, {"ndash", 0x2013, 0}, {"ne", 0x2260, 0}, {"ni", 0x220B, 0},
    {"nldr", 0x2025, 0}, {"not", 0x00AC, 1}, {"notin", 0x2209, 0}, {"nsub", 0x2284, 0},
    {"ntilde", 0x00F1, 1}, {"nu", 0x03BD, 0}, {"num", 0x0023, 0}, {"numero", 0x2116, 0},
    {"numsp", 0x2007, 0}, {"oacute", 0x00F3, 1}, {"ocirc", 0x00F4, 1}, {"oelig", 0x0153, 0},
    {"ograve", 0x00F2, 1}, {"ohm", 0x03A9, 0}, {"oline", 0x203E, 0}, {"omega", 0x03C9, 0},
    {"omicron", 0x03BF, 0}, {"oplus", 0x2295, 0}, {"or", 0x2228, 0}, {"ordf", 0x00AA, 1},
    {"ordm", 0x00BA, 1}, {"oslash", 0x00F8, 1}, {"otilde", 0x00F5, 1}, {"otimes", 0x2297, 0},
    {"ouml", 0x00F6, 1}, {"para", 0x00B6, 1}, {"part", 0x2202, 0}, {"percnt", 0x0025, 0},
    {"period", 0x002E, 0}, {"permil", 0x2030, 0}, {"perp", 0x22A5, 0}, {"phi", 0x03C6, 0},
    {"phone", 0x260E, 0}, {"pi", 0x03C0, 0}, {"piv", 0x03D6, 0}, {"planck", 0x210F, 0},
    {"plus", 0x002B, 0}, {"plusmn", 0x00B1, 1}, {"pm", 0x00B1, 0}, {"pound", 0x00A3, 1},
    {"prime", 0x2032, 0}, {"prod", 0x220F, 0}, {"prop", 0x221D, 0}, {"psi", 0x03C8, 0},
    {"puncsp", 0x2008, 0}, {"quest", 0x003F, 0}, {"quot", 0x0022, 1}, {"rArr", 0x21D2, 0},
    {"radic", 0x221A, 0}, {"rang", 0x232A, 0}, {"raquo", 0x00BB, 1}, {"rarr", 0x2192, 0},
    {"rbrace", 0x007D, 0}, {"rbrack", 0x005D, 0}, {"rceil", 0x2309, 0}, {"rcub", 0x007D, 0},
    {"rdquo", 0x201D, 0}, {"rdquor", 0x201D, 0}, {"real", 0x211C, 0}, {"rect", 0x25AD, 0},
    {"reg", 0x00AE, 1}, {"rfloor", 0x230B, 0}, {"rho", 0x03C1, 0}, {"rlm", 0x200F, 0},
    {"rpar", 0x0029, 0}, {"rsaquo", 0x203A, 0}, {"rsqb", 0x005D, 0}, {"rsquo", 0x2019, 0},
    {"rsquor", 0x2019, 0}, {"rtri", 0x25B9, 0}, {"rtrif", 0x25B8, 0}, {"sbquo", 0x201A, 0},
    {"scaron", 0x0161, 0}, {"sdot", 0x22C5, 0}, {"sect", 0x00A7, 1}, {"semi", 0x003B, 0},
    {"sharp", 0x266F, 0}, {"shy", 0x00AD, 1}, {"sigma", 0x03C3, 0}, {"sigmaf", 0x03C2, 0},
    {"sim", 0x223C, 0}, {"sol", 0x002F, 0}, {"spades", 0x2660, 0}, {"squ", 0x25A1, 0},
    {"square", 0x25A1, 0}, {"squf", 0x25AA, 0}, {"star", 0x2606, 0}, {"starf", 0x2605, 0},
    {"sub", 0x2282, 0}, {"sube", 0x2286, 0}, {"sum", 0x2211, 0}, {"sung", 0x266A, 0},
    {"sup", 0x2283, 0}, {"sup1", 0x00B9, 1}, {"sup2", 0x00B2, 1}, {"sup3", 0x00B3, 1},
    {"supe", 0x2287, 0}, {"szlig", 0x00DF, 1}, {"tau", 0x03C4, 0}, {"there4", 0x2234, 0},
    {"theta", 0x03B8, 0}, {"thetasym", 0x03D1, 0}, {"thinsp", 0x2009, 0}, {"thorn", 0x00FE, 1},
    {"tilde", 0x02DC, 0}, {"times", 0x00D7, 1}, {"trade", 0x2122, 0}, {"uArr", 0x21D1, 0},
    {"uacute", 0x00FA, 1}, {"uarr", 0x2191, 0}, {"ucirc", 0x00FB, 1}, {"ugrave", 0x00F9, 1},
    {"uml", 0x00A8, 1}, {"upsih", 0x03D2, 0}, {"upsilon", 0x03C5, 0}, {"utri", 0x25B5, 0},
    {"utrif", 0x25B4, 0}, {"uuml", 0x00FC, 1}, {"verbar", 0x007C, 0}, {"vert", 0x007C, 0},
    {"weierp", 0x2118, 0}, {"xi", 0x03BE, 0}, {"yacute", 0x00FD, 1}, {"yen", 0x00A5, 1},
    {"yuml", 0x00FF, 1}, {"zeta", 0x03B6, 0}, {"zwj", 0x200D, 0}, {"zwnj", 0x200C, 0},
};

#define N_ENTITIES (sizeof ENTITIES / sizeof ENTITIES[0])

/* ---- lookup tables, built once ------------------------------------------------------------ */

/* Open addressing on the FNV-1a hash of the (lower-case) name; a slot holds
 * an index + 1, 0 when empty. */
#define ELEM_SLOTS 256
#define ENTITY_SLOTS 1024

static uint8_t elem_slot[ELEM_SLOTS], elem_len[E_COUNT];
static uint16_t entity_slot[ENTITY_SLOTS];
static uint8_t entity_len[N_ENTITIES];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void build_tables(void)
{
    for (int i = 1; i < E_COUNT; i++) {
        elem_len[i] = (uint8_t)strlen(ELEMS[i].name);
        uint32_t k = fnv(ELEMS[i].name, elem_len[i]) % ELEM_SLOTS;
        while (elem_slot[k])
            k = (k + 1) % ELEM_SLOTS;
        elem_slot[k] = (uint8_t)i;
    }
    for (size_t i = 0; i < N_ENTITIES; i++) {
        entity_len[i] = (uint8_t)strlen(ENTITIES[i].name);
        uint32_t k = fnv(ENTITIES[i].name, entity_len[i]) % ENTITY_SLOTS;
        while (entity_slot[k])
            k = (k + 1) % ENTITY_SLOTS;
        entity_slot[k] = (uint16_t)(i + 1);
    }
}

/* The element of a lower-case name of hash h, E_OTHER if unknown. */
static int elem_lookup(const char *lname, size_t n, uint32_t h)
{
    for (uint32_t k = h % ELEM_SLOTS; elem_slot[k]; k = (k + 1) % ELEM_SLOTS) {
        int i = elem_slot[k];
        if (elem_len[i] != n)
            continue;
        size_t j = 0; /* names of 1-10 bytes: no memcmp() call */
        while (j < n && ELEMS[i].name[j] == lname[j])
            j++;
        if (j == n)
            return i;
    }
    return E_OTHER;
}

static const struct entity *entity_lookup(const char *name, size_t n, uint32_t h)
{
    for (uint32_t k = h % ENTITY_SLOTS; entity_slot[k]; k = (k + 1) % ENTITY_SLOTS) {
        size_t i = entity_slot[k] - 1u;
        if (entity_len[i] == n && memcmp(ENTITIES[i].name, name, n) == 0)
            return &ENTITIES[i];
    }
    return NULL;
}

/* windows-1252 for numeric references to 0x80-0x9F (HTML5 §13.2.5.80). */
static const uint16_t C1_REMAP[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static bool is_alpha(unsigned char c) { return (unsigned char)((c | 0x20) - 'a') < 26; }
static bool is_digit(unsigned char c) { return (unsigned char)(c - '0') < 10; }
static bool is_alnum(unsigned char c) { return is_alpha(c) || is_digit(c); }

/* "&#65;", "&#x41;": p at '&', p[1] == '#'. Returns the bytes consumed
 * (0: no digits, the '&' is literal) and the code point in *cp. */
static size_t numeric_ref(const char *p, const char *end, uint32_t *cp)
{
    const char *q = p + 2;
    bool hex = q < end && (*q | 0x20) == 'x';
    if (hex)
        q++;
    const char *digits = q;
    uint32_t v = 0;
    for (; q < end; q++) {
        int d = hex ? vg_hex_digit((unsigned char)*q)
                    : (is_digit((unsigned char)*q) ? *q - '0' : -1);
        if (d < 0)
            break;
        v = v * (hex ? 16 : 10) + (uint32_t)d;
        if (v > 0x10FFFF)
            v = 0x110000; /* stays out of range, never overflows */
    }
    if (q == digits)
        return 0;
    if (q < end && *q == ';')
        q++;
    if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        v = 0xFFFD;
    else if (v >= 0x80 && v <= 0x9F)
        v = C1_REMAP[v - 0x80];
    *cp = v;
    return (size_t)(q - p);
}

/* "&amp;", "&nbsp" (legacy names without ';'): p at '&'. In an attribute a
 * legacy name followed by '=' or a letter or digit stays literal
 * ("?a=1&copy=2"). Returns the bytes consumed, 0 if not a reference. */
static size_t named_ref(const char *p, const char *end, bool in_attr, uint32_t *cp)
{
    const char *name = p + 1, *q = name;
    uint32_t h[33]; /* h[k]: hash of the first k characters */
    h[0] = FNV_INIT;
    while (q < end && q - name < 32 && is_alnum((unsigned char)*q)) {
        h[q - name + 1] = fnv_step(h[q - name], (unsigned char)*q);
        q++;
    }
    size_t n = (size_t)(q - name);
    if (n == 0)
        return 0;
    const struct entity *e;
    if (q < end && *q == ';' && (e = entity_lookup(name, n, h[n])) != NULL) {
        *cp = e->cp;
        return n + 2;
    }
    for (size_t k = n < 6 ? n : 6; k >= 2; k--) { /* legacy names are 2-6 letters */
        e = entity_lookup(name, k, h[k]);
        if (!e || !e->legacy)
            continue;
        if (in_attr) {
            unsigned char next = k < n ? (unsigned char)name[k] : (q < end ? (unsigned char)*q : 0);
            if (next == '=' || is_alnum(next))
                return 0;
        }
        *cp = e->cp;
        return k + 1;
    }
    return 0;
}

/* Any character reference at p ('&'): UTF-8 into out, returns the bytes
 * consumed (0: a literal '&'). */
static size_t char_ref(const char *p, const char *end, bool in_attr, char out[4], size_t *outn)
{
    uint32_t cp = 0;
    size_t used = 0;
    if (p + 1 < end && p[1] == '#')
        used = numeric_ref(p, end, &cp);
    else if (p + 1 < end)
        used = named_ref(p, end, in_attr, &cp);
    if (used)
        *outn = vg_utf8_encode(cp, out);
    return used;
}

/* ---- byte classes --------------------------------------------------------------------------- */

enum {
    C_WS = 1,        /* HTML whitespace: tab, LF, FF, CR, space */
    C_DATA_STOP = 2, /* '<' '&' NUL end a run of text */
    C_RC_STOP = 4,   /* '&' NUL end a run of RCDATA */
    C_NAME_STOP = 8, /* whitespace '/' '>' end a tag name */
    C_ATTR_STOP = 16, /* whitespace '/' '>' '=' end an attribute name */
    C_UNQ_STOP = 32, /* whitespace '>' end an unquoted value */
    C_VAL_STOP = 64, /* '&' NUL CR need work in an attribute value */
    C_TEXT_WS = 128, /* whitespace or NUL: a word boundary in text */
    C_CTRL = 256,    /* other C0 controls and DEL: invisible in text */
    C_C2 = 512       /* 0xC2: may start U+00A0 */
};

static const uint16_t CLS[256] = {
    [1] = C_CTRL, [2] = C_CTRL, [3] = C_CTRL, [4] = C_CTRL, [5] = C_CTRL, [6] = C_CTRL,
    [7] = C_CTRL, [8] = C_CTRL, [11] = C_CTRL, [14] = C_CTRL, [15] = C_CTRL, [16] = C_CTRL,
    [17] = C_CTRL, [18] = C_CTRL, [19] = C_CTRL, [20] = C_CTRL, [21] = C_CTRL, [22] = C_CTRL,
    [23] = C_CTRL, [24] = C_CTRL, [25] = C_CTRL, [26] = C_CTRL, [27] = C_CTRL, [28] = C_CTRL,
    [29] = C_CTRL, [30] = C_CTRL, [31] = C_CTRL, [127] = C_CTRL,
    [0] = C_DATA_STOP | C_RC_STOP | C_VAL_STOP | C_TEXT_WS,
    ['\t'] = C_WS | C_NAME_STOP | C_ATTR_STOP | C_UNQ_STOP | C_TEXT_WS,
    ['\n'] = C_WS | C_NAME_STOP | C_ATTR_STOP | C_UNQ_STOP | C_TEXT_WS,
    ['\f'] = C_WS | C_NAME_STOP | C_ATTR_STOP | C_UNQ_STOP | C_TEXT_WS,
    ['\r'] = C_WS | C_NAME_STOP | C_ATTR_STOP | C_UNQ_STOP | C_VAL_STOP | C_TEXT_WS,
    [' '] = C_WS | C_NAME_STOP | C_ATTR_STOP | C_UNQ_STOP | C_TEXT_WS,
    ['<'] = C_DATA_STOP,
    ['&'] = C_DATA_STOP | C_RC_STOP | C_VAL_STOP,
    ['/'] = C_NAME_STOP | C_ATTR_STOP,
    ['>'] = C_NAME_STOP | C_ATTR_STOP | C_UNQ_STOP,
    ['='] = C_ATTR_STOP,
    [0xC2] = C_C2,
};

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (CLS[(unsigned char)*p] & C_WS))
        p++;
    return p;
}

static const char *scan_until(const char *p, const char *end, unsigned stop)
{
    while (p < end && !(CLS[(unsigned char)*p] & stop))
        p++;
    return p;
}

/* The next of a, b or NUL, which are the bytes of class stop: 16 bytes at a
 * time where SSE2 is available (text runs and style or href values run to
 * hundreds of bytes). */
static inline const char *scan_stop(const char *p, const char *end, char a, char b, unsigned stop)
{
#ifdef __SSE2__
    const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), nul = _mm_setzero_si128();
    for (; end - p >= 16; p += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)),
                                   _mm_cmpeq_epi8(x, nul));
        int m = _mm_movemask_epi8(hit);
        if (m)
            return p + __builtin_ctz((unsigned)m);
    }
#else
    (void)a;
    (void)b;
#endif
    return scan_until(p, end, stop);
}

/* The next '<', '&' or NUL (C_DATA_STOP). */
static const char *scan_data(const char *p, const char *end)
{
    return scan_stop(p, end, '<', '&', C_DATA_STOP);
}

/* How many of the n bytes at p to keep to stay within max without cutting a
 * UTF-8 character. */
static size_t utf8_cut(const char *p, size_t n, size_t max)
{
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)p[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* ---- tags ----------------------------------------------------------------------------------- */

/* The attributes the renderer reads. */
enum { A_HREF, A_SRC, A_ALT, A_STYLE, A_HIDDEN, A_HTTP_EQUIV, A_CONTENT, A_ACTION, A_TYPE, A_NAME,
       A_DATA, A_COUNT };

/* ASCII case-insensitive: does n (len bytes) spell the lower-case lc? */
static bool name_eq(const char *n, size_t len, const char *lc)
{
    for (size_t i = 0; i < len; i++) {
        char c = (char)((n[i] >= 'A' && n[i] <= 'Z') ? n[i] + 32 : n[i]);
        if (c != lc[i] || !lc[i])
            return false;
    }
    return lc[len] == 0;
}

static int attr_lookup(const char *n, size_t len)
{
    switch (len) {
    case 3:
        return name_eq(n, len, "src") ? A_SRC : name_eq(n, len, "alt") ? A_ALT : -1;
    case 4:
        return name_eq(n, len, "href")   ? A_HREF
               : name_eq(n, len, "type") ? A_TYPE
               : name_eq(n, len, "name") ? A_NAME
               : name_eq(n, len, "data") ? A_DATA
                                         : -1;
    case 5:
        return name_eq(n, len, "style") ? A_STYLE : -1;
    case 6:
        return name_eq(n, len, "hidden") ? A_HIDDEN : name_eq(n, len, "action") ? A_ACTION : -1;
    case 7:
        return name_eq(n, len, "content") ? A_CONTENT : -1;
    case 10:
        return name_eq(n, len, "http-equiv") ? A_HTTP_EQUIV : -1;
    default:
        return -1;
    }
}

typedef struct tag {
    int el;
    uint32_t hash;     /* of the lower-case name (E_OTHER elements are matched by it) */
    bool self_closing; /* "/>" */
    unsigned have;     /* 1 << A_* of the attributes present and wanted */
    size_t off[A_COUNT];
    const char *val[A_COUNT]; /* decoded, NUL-terminated; NULL when absent */
} tag;

/* ---- the renderer's state ------------------------------------------------------------------- */

/* Flags an open element carries. */
enum { N_SKIP = 1, N_HIDDEN = 2, N_ANCHOR = 4, N_FORM = 8, N_BLOCK = 16, N_MARKER = 32 };

typedef struct node {
    uint8_t el;
    uint8_t fl;
    uint32_t hash; /* of the name, for E_OTHER */
    uint32_t id;   /* the element (a reopened formatting element keeps its id) */
} node;

/* HTML5's list of active formatting elements, for the ones that matter to
 * us: a formatting element carrying a flag (a link, hidden text) that a
 * block closes implicitly ("<p><a href=x>Go<p>on</a>") stays in the list,
 * suspended, and is reopened before the next text or inline element, as
 * browsers do; so the link keeps its text. id 0 is a marker (td, th,
 * caption, object, ...: formatting does not leak out of a cell). */
#define AFE_MAX 32

typedef struct afe_entry {
    uint32_t id, hash;
    uint8_t el, fl;
    bool open; /* its element is on the stack */
} afe_entry;

typedef struct html {
    vg_mail_builder *b;
    vg_buf *text;
    bool attachment;
    unsigned base_flags; /* VG_URL_F_ATTACHMENT or 0 */
    unsigned seen;       /* VG_ATT_F_HTML_FORM / _SCRIPT */
    size_t cap;          /* max_text_bytes */
    bool space, hspace;  /* a space is pending in text / hidden text */
    bool text_full, hidden_full;
    /* open elements */
    node stack[MAX_DEPTH];
    int depth;
    uint16_t open[E_COUNT];  /* open elements by kind: O(1) "none open" */
    uint16_t open_other[64]; /* E_OTHER by hash & 63 */
    unsigned skip, hidden, foreign;
    uint32_t next_id;
    afe_entry afe[AFE_MAX];
    int nafe, suspended; /* entries; of which not open */
    /* the open anchor (one at a time) */
    uint32_t anchor_id; /* the element that owns it */
    bool anchor_live;   /* that element is open (not suspended) */
    bool anchor_unowned; /* opened beyond MAX_DEPTH: closed by </a>, the next link or the end */
    char *href;
    char atext[ANCHOR_TEXT_MAX];
    size_t alen;
    bool aspace;
    char *alt;
    bool anchor_hidden;
    long form; /* index in b->forms of the open form, -1 */
    vg_buf scratch; /* decoded attribute values of the current tag */
    const char *raw_from[E_COUNT], *raw_at[E_COUNT]; /* raw_stop()'s last search */
} html;

static unsigned props(int el) { return ELEMS[el].props; }

/* ---- text ----------------------------------------------------------------------------------- */

/* Appends n bytes unless the buffer is at cap (then cut on a character
 * boundary and marked full). */
static void append(vg_buf *b, const char *p, size_t n, size_t cap, bool *full)
{
    if (b->n >= cap) {
        *full = true;
        return;
    }
    if (n > cap - b->n) {
        n = utf8_cut(p, n, cap - b->n);
        *full = true;
    }
    vg_buf_append(b, p, n);
}

static bool is_nbsp(const unsigned char *p, const unsigned char *e)
{
    return p[0] == 0xC2 && p + 1 < e && p[1] == 0xA0;
}

/* The end of a word: the next byte <= 0x20, DEL or U+00A0 (16 bytes at a
 * time where SSE2 is available). */
static const unsigned char *word_end(const unsigned char *p, const unsigned char *e)
{
    const unsigned stop = C_TEXT_WS | C_CTRL | C_C2;
    for (;;) {
#ifdef __SSE2__
        const __m128i sp = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7F);
        const __m128i c2 = _mm_set1_epi8((char)0xC2);
        while (e - p >= 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
            __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(_mm_max_epu8(x, sp), sp),
                                       _mm_or_si128(_mm_cmpeq_epi8(x, del), _mm_cmpeq_epi8(x, c2)));
            int m = _mm_movemask_epi8(hit);
            if (m) {
                p += __builtin_ctz((unsigned)m);
                break;
            }
            p += 16;
        }
#endif
        while (p < e && !(CLS[*p] & stop))
            p++;
        if (p < e && (CLS[*p] & C_C2) && !is_nbsp(p, e)) {
            p++; /* another character starting with 0xC2 */
            continue;
        }
        return p;
    }
}

/* Appends text with whitespace (and U+00A0) collapsed to one space; *space
 * is a space pending from before. No space at the start of a line. Other
 * control characters are invisible: dropped. Words are gathered in a local
 * buffer, appended to b once per kilobyte. */
static void put_text(vg_buf *b, const char *t, size_t n, bool *space, size_t cap, bool *full)
{
    char out[1024];
    size_t k = 0;
    char last = b->n ? b->p[b->n - 1] : 0;
    const unsigned char *p = (const unsigned char *)t, *e = p + n;
    const unsigned stop = C_TEXT_WS | C_CTRL | C_C2;
    bool was_full = *full; /* *full, kept in a register: only append() changes it */
    while (p < e) {
        unsigned c = CLS[*p];
        if (c & stop) {
            if (c & C_TEXT_WS) {
                *space = true;
                p++;
                continue;
            }
            if (c & C_CTRL) {
                p++;
                continue;
            }
            if (is_nbsp(p, e)) {
                *space = true;
                p += 2;
                continue;
            }
        }
        const unsigned char *w = word_end(p + 1, e); /* up to whitespace or a control */
        size_t wn = (size_t)(w - p);
        if (k + wn + 1 > sizeof out) {
            append(b, out, k, cap, full);
            was_full = *full;
            k = 0;
        }
        if (*space && last && last != '\n')
            out[k++] = ' ';
        *space = false;
        if (wn + 1 > sizeof out) {
            append(b, out, k, cap, full);
            append(b, (const char *)p, wn, cap, full);
            was_full = *full;
            k = 0;
        } else {
#ifdef __SSE2__
            if (wn <= 16 && e - p >= 16 && k + 16 <= sizeof out) /* a word: one 16-byte copy */
                _mm_storeu_si128((__m128i *)(void *)(out + k),
                                 _mm_loadu_si128((const __m128i *)(const void *)p));
            else
#endif
                memcpy(out + k, p, wn);
            k += wn;
        }
        last = (char)w[-1];
        p = w;
        if (was_full)
            return;
    }
    append(b, out, k, cap, full);
}

static void newline(vg_buf *b, bool *space)
{
    if (b->n > 0 && b->p[b->n - 1] != '\n')
        vg_buf_putc(b, '\n');
    *space = false;
}

static void anchor_text(html *s, const char *t, size_t n)
{
    for (size_t i = 0; i < n && s->alen + 2 < sizeof s->atext; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0) {
            s->aspace = s->alen > 0;
            continue;
        }
        if (CLS[c] & C_CTRL)
            continue;
        if (s->aspace)
            s->atext[s->alen++] = ' ';
        s->aspace = false;
        s->atext[s->alen++] = (char)c;
    }
}

/* A block starts or ends: a new line, and a word boundary in link text. */
static void line_break(html *s)
{
    newline(s->text, &s->space);
    s->aspace = s->alen > 0;
}

/* Text of the document, decoded: to the visible or the hidden text, and to
 * the open anchor's text. */
static void text(html *s, const char *t, size_t n)
{
    if (s->skip > 0 || n == 0)
        return;
    if (s->hidden > 0) {
        vg_buf *h = &s->b->hidden;
        size_t before = h->n;
        put_text(h, t, n, &s->hspace, s->cap, &s->hidden_full);
        if (h->n > before)
            s->b->m->evidence |= VG_MAIL_EV_HIDDEN_TEXT;
    } else {
        put_text(s->text, t, n, &s->space, s->cap, &s->text_full);
    }
    if (s->href && s->anchor_live)
        anchor_text(s, t, n);
}

static void reconstruct(html *s);

/* Text between tags: the formatting elements a block closed implicitly are
 * reopened first (see afe_entry). */
static void chars(html *s, const char *t, size_t n)
{
    if (s->suspended > 0 && n > 0)
        reconstruct(s);
    text(s, t, n);
}

/* Text with character references: data between tags (stop: C_DATA_STOP;
 * returns at the '<' of the next markup) or RCDATA (title, textarea:
 * C_RC_STOP, '<' is text). */
static const char *text_refs(html *s, const char *p, const char *end, unsigned stop)
{
    void (*emit)(html *, const char *, size_t) = stop == C_DATA_STOP ? chars : text;
    while (p < end) {
        const char *q = stop == C_DATA_STOP ? scan_data(p, end) : scan_until(p, end, stop);
        emit(s, p, (size_t)(q - p));
        if (q == end || *q == '<')
            return q;
        if (*q == '&') {
            char u[4];
            size_t un = 0, used = char_ref(q, end, false, u, &un);
            if (used) {
                emit(s, u, un);
                p = q + used;
            } else {
                emit(s, "&", 1);
                p = q + 1;
            }
        } else {
            p = q + 1; /* NUL: dropped, as browsers do */
        }
    }
    return end;
}

/* ---- what elements do ----------------------------------------------------------------------- */

/* p..e lower-cased without whitespace into buf (cut to cap - 1 bytes). */
static void css_word(const char *p, const char *e, char *buf, size_t cap)
{
    size_t k = 0;
    for (; p < e && k + 1 < cap; p++) {
        if (!(CLS[(unsigned char)*p] & C_WS))
            buf[k++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
    }
    buf[k] = 0;
}

/* A copy of a style without its comments (caller frees). */
static char *css_strip_comments(const char *p)
{
    size_t n = strlen(p), k = 0;
    char *out = vg_xmalloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '/' && p[i + 1] == '*') {
            const char *close = strstr(p + i + 2, "*/");
            if (!close)
                break;
            i = (size_t)(close - p) + 1;
            continue;
        }
        out[k++] = p[i];
    }
    out[k] = 0;
    return out;
}

/* "0", "0px", "0em", "0rem", "0%", "0vh", "0!important", "0.0..." */
static bool css_zero(const char *v)
{
    return v[0] == '0' && (v[1] == 0 || strchr("percv%!", v[1]) || (v[1] == '.' && v[2] == '0'));
}

/* Is prop (lower case, no white space) one of the properties hides() reads? */
static bool css_prop_read(const char *prop)
{
    switch (prop[0]) {
    case 'd':
        return strcmp(prop, "display") == 0;
    case 'v':
        return strcmp(prop, "visibility") == 0;
    case 'f':
        return strcmp(prop, "font-size") == 0;
    case 'o':
        return strcmp(prop, "opacity") == 0 || strcmp(prop, "overflow") == 0;
    case 'h':
        return strcmp(prop, "height") == 0;
    case 'w':
        return strcmp(prop, "width") == 0;
    case 'm':
        return strcmp(prop, "max-height") == 0 || strcmp(prop, "max-width") == 0;
    default:
        return false;
    }
}

/* Does an inline style (or the hidden attribute) hide the element? A
 * declaration display:none, visibility:hidden, font-size:0 (or 1px),
 * opacity:0, or a zero height or width (max- too) with overflow:hidden. */
static bool hides(const tag *t)
{
    if (t->have & (1u << A_HIDDEN))
        return true;
    const char *p = t->val[A_STYLE];
    if (!p)
        return false;
    char *nocomment = NULL;
    if (strstr(p, "/*")) /* a comment can split a declaration from the one before */
        p = nocomment = css_strip_comments(p);
    bool zero_size = false, overflow_hidden = false, hide = false;
    for (;;) {
        const char *e = strchr(p, ';');
        if (!e)
            e = p + strlen(p);
        const char *colon = memchr(p, ':', (size_t)(e - p));
        char prop[16], v[16];
        if (colon)
            css_word(p, colon, prop, sizeof prop);
        if (colon && css_prop_read(prop)) { /* the value of the others is not read */
            css_word(colon + 1, e, v, sizeof v);
            if ((strcmp(prop, "display") == 0 && strncmp(v, "none", 4) == 0) ||
                (strcmp(prop, "visibility") == 0 && strncmp(v, "hidden", 6) == 0) ||
                (strcmp(prop, "font-size") == 0 && (css_zero(v) || strncmp(v, "1px", 3) == 0)) ||
                (strcmp(prop, "opacity") == 0 && v[0] == '0' &&
                 (v[1] == 0 || v[1] == '!' || (v[1] == '.' && v[2] == '0'))))
                hide = true;
            if ((strcmp(prop, "height") == 0 || strcmp(prop, "max-height") == 0 ||
                 strcmp(prop, "width") == 0 || strcmp(prop, "max-width") == 0) &&
                v[0] == '0')
                zero_size = true;
            if (strcmp(prop, "overflow") == 0 && strncmp(v, "hidden", 6) == 0)
                overflow_hidden = true;
        }
        if (!*e || hide)
            break;
        p = e + 1;
    }
    free(nocomment);
    return hide || (zero_size && overflow_hidden);
}

/* "0; url=http://..." */
static void meta_refresh(vg_mail_builder *b, const char *content, unsigned flags)
{
    const char *u = strcasestr(content, "url=");
    if (!u)
        return;
    u += 4;
    while (*u == ' ' || *u == '\'' || *u == '"')
        u++;
    size_t n = strlen(u);
    while (n && (u[n - 1] == '\'' || u[n - 1] == '"' || u[n - 1] == ' '))
        n--;
    vg_mail__add_url(b, u, n, NULL, VG_URL_REFRESH, flags);
}

/* window.location / location.href / location.replace( ... in a script. */
static bool script_redirect(const char *s, size_t n)
{
    static const char *const marks[] = {"location.href", "location.replace", "window.location",
                                        "document.location", "location.assign", "atob(",
                                        "unescape(", "document.write("};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        if (memmem(s, n, marks[i], strlen(marks[i])))
            return true;
    }
    return false;
}

static void script(html *s, const char *p, size_t n)
{
    n = utf8_cut(p, n, SCRIPT_MAX);
    if (n && script_redirect(p, n))
        vg_mail__scan_text_urls(s->b, p, n, s->base_flags);
}

static vg_mail_form *current_form(html *s)
{
    return s->form >= 0 ? &((vg_mail_form *)s->b->forms.v)[s->form] : NULL;
}

static vg_mail_form *new_form(html *s)
{
    vg_mail_parser *p = s->b->p;
    vg_mail_form *f = AVEC_PUSH(p->arena, &s->b->forms, vg_mail_form);
    memset(f, 0, sizeof *f);
    f->action_host = "";
    f->in_attachment = s->attachment;
    s->seen |= VG_ATT_F_HTML_FORM;
    s->form = (long)(s->b->forms.n - 1);
    return f;
}

static void form_start(html *s, const tag *t, unsigned url_flags)
{
    vg_mail_parser *p = s->b->p;
    vg_mail_form *f = new_form(s);
    const char *act = t->val[A_ACTION];
    if (act && *act) {
        f->action = vg_arena_strdup(p->arena, act);
        char host[256];
        if (vg_mail_url_host(act, strlen(act), host, sizeof host, NULL))
            f->action_host = vg_arena_strdup(p->arena, host);
        vg_mail__add_url(s->b, act, strlen(act), NULL, VG_URL_FORM, url_flags);
    }
}

static void form_input(html *s, const tag *t)
{
    const char *type = t->val[A_TYPE];
    const char *nm = t->val[A_NAME];
    bool pw = type && strcasecmp(type, "password") == 0;
    vg_mail_form *f = current_form(s);
    if (!f && pw)
        f = new_form(s); /* a password box outside any form: scripted submission */
    if (!f)
        return;
    f->inputs++;
    if (pw)
        f->password_inputs++;
    else if (type && strcasecmp(type, "hidden") == 0)
        f->hidden_inputs++;
    else if ((type && strcasecmp(type, "email") == 0) ||
             (nm && (strcasestr(nm, "email") || strcasestr(nm, "login") || strcasestr(nm, "user"))))
        f->email_inputs++;
    if (nm && (strcasestr(nm, "pass") || strcasestr(nm, "pwd")) && !pw)
        f->password_inputs++;
}

static void embed_url(html *s, const char *src, unsigned url_flags)
{
    if (src)
        vg_mail__add_url(s->b, src, strlen(src), NULL, VG_URL_EMBED, url_flags);
}

static void close_anchor(html *s);

/* The start of an element: links, forms, embeds, a line break or a space.
 * Returns the N_* flags the element carries while it is open. */
static unsigned char start_effects(html *s, const tag *t, uint32_t id)
{
    vg_mail_builder *b = s->b;
    int el = t->el;
    unsigned char fl = 0;
    bool in_skip = s->skip > 0;
    if (el == E_SCRIPT) {
        s->seen |= VG_ATT_F_HTML_SCRIPT;
        embed_url(s, t->val[A_SRC], s->base_flags);
    } else if (el == E_STYLE || el == E_TEMPLATE || el == E_IFRAME || el == E_NOEMBED ||
               el == E_NOFRAMES || (el == E_NOSCRIPT && s->attachment) ||
               (el == E_TITLE && !s->attachment)) {
        fl |= N_SKIP; /* not shown (nor the title, in a mail body) */
    } else if (el == E_META) {
        const char *he = t->val[A_HTTP_EQUIV], *ct = t->val[A_CONTENT];
        if (he && ct && strcasecmp(he, "refresh") == 0)
            meta_refresh(b, ct, s->base_flags);
    }
    if (el != E_SCRIPT && !(fl & N_SKIP) && !in_skip && s->hidden == 0 && hides(t))
        fl |= N_HIDDEN;
    if (in_skip)
        return fl;
    bool hidden = s->hidden > 0 || (fl & N_HIDDEN);
    unsigned uf = s->base_flags | (hidden ? VG_URL_F_HIDDEN : 0);
    switch (el) {
    case E_A:
    case E_AREA:
        if (t->val[A_HREF] && *t->val[A_HREF]) {
            if (s->href) /* a link inside a link (across a table cell): the outer ends */
                close_anchor(s);
            fl |= N_ANCHOR;
            s->anchor_id = id;
            s->anchor_live = true;
            s->anchor_unowned = false;
            s->href = vg_arena_strdup(b->p->arena, t->val[A_HREF]);
            s->alen = 0;
            s->aspace = false;
            s->alt = NULL;
            s->anchor_hidden = hidden;
        }
        break;
    case E_IMG:
        if (s->href && !s->alt && t->val[A_ALT] && *t->val[A_ALT])
            s->alt = vg_arena_strdup(b->p->arena, t->val[A_ALT]);
        break;
    case E_IFRAME:
    case E_EMBED:
    case E_FRAME:
        embed_url(s, t->val[A_SRC], uf);
        break;
    case E_OBJECT:
        embed_url(s, t->val[A_DATA], uf);
        break;
    case E_FORM:
        fl |= N_FORM;
        form_start(s, t, uf);
        break;
    case E_INPUT:
    case E_TEXTAREA:
    case E_SELECT:
        form_input(s, t);
        break;
    default:
        break;
    }
    if (props(el) & P_BLOCK) {
        fl |= N_BLOCK;
        if (!hidden)
            line_break(s);
    } else if ((props(el) & P_SPACE) && !hidden) {
        s->space = true; /* a cell or an image is a word boundary */
        s->aspace = s->alen > 0;
    }
    return fl;
}

static void close_anchor(html *s)
{
    vg_mail_builder *b = s->b;
    vg_mail_parser *p = b->p;
    /* do not cut a UTF-8 sequence in half */
    size_t k = s->alen;
    while (k > 0 && ((unsigned char)s->atext[k - 1] & 0xC0) == 0x80)
        k--;
    if (k > 0 && (unsigned char)s->atext[k - 1] >= 0xC0)
        k--;
    if (k < s->alen && k + 4 > s->alen) {
        /* the last sequence may be complete: keep it if it is */
        if (vg_utf8_valid(s->atext, s->alen))
            k = s->alen;
    }
    s->atext[k] = 0;
    const char *tx = k ? vg_arena_strdup(p->arena, s->atext) : s->alt;
    unsigned fl = s->base_flags | (s->anchor_hidden ? VG_URL_F_HIDDEN : 0);
    vg_mail__add_url(b, s->href, strlen(s->href), tx, VG_URL_HREF, fl);
    if (s->anchor_hidden)
        b->m->evidence |= VG_MAIL_EV_HIDDEN_LINKS;
    s->href = NULL;
    s->anchor_id = 0;
}

/* The end of element n; suspended: it may be reopened (see afe_entry), so
 * its link stays open. */
static void end_effects(html *s, const node *n, bool suspended)
{
    unsigned char fl = n->fl;
    s->skip -= (fl & N_SKIP) != 0;
    if ((fl & N_ANCHOR) && n->id == s->anchor_id) {
        if (suspended)
            s->anchor_live = false;
        else if (s->href)
            close_anchor(s);
    }
    if ((fl & N_FORM) && s->form >= 0)
        s->form = -1;
    bool was_hidden = s->hidden > 0;
    s->hidden -= (fl & N_HIDDEN) != 0;
    if ((fl & N_BLOCK) && !was_hidden)
        line_break(s);
}

/* ---- the stack of open elements ------------------------------------------------------------- */

static bool is_marker(int el)
{
    return el == E_TD || el == E_TH || el == E_CAPTION || el == E_APPLET || el == E_OBJECT ||
           el == E_MARQUEE || el == E_TEMPLATE;
}

static bool tracked(const node *n)
{
    return (props(n->el) & P_FORMAT) && (n->fl & (N_ANCHOR | N_HIDDEN));
}

static afe_entry *afe_find(html *s, uint32_t id)
{
    for (int k = s->nafe - 1; k >= 0; k--) {
        if (s->afe[k].id == id)
            return &s->afe[k];
    }
    return NULL;
}

/* Removes entry k; a suspended one ends for good (its link is closed). */
static void afe_remove(html *s, int k)
{
    afe_entry e = s->afe[k];
    memmove(&s->afe[k], &s->afe[k + 1], (size_t)(s->nafe - k - 1) * sizeof(afe_entry));
    s->nafe--;
    if (e.id && !e.open) {
        s->suspended--;
        if ((e.fl & N_ANCHOR) && e.id == s->anchor_id && s->href)
            close_anchor(s);
    }
}

/* A cell (or other marker element) closed: what was opened in it ends. */
static void afe_clear_to_marker(html *s)
{
    while (s->nafe > 0) {
        bool marker = s->afe[s->nafe - 1].id == 0;
        afe_remove(s, s->nafe - 1);
        if (marker)
            break;
    }
}

static void count_open(html *s, const node *n, int d)
{
    if (n->el == E_OTHER)
        s->open_other[n->hash & 63] = (uint16_t)(s->open_other[n->hash & 63] + d);
    else
        s->open[n->el] = (uint16_t)(s->open[n->el] + d);
    if (n->el == E_SVG || n->el == E_MATH)
        s->foreign = (unsigned)((int)s->foreign + d);
    s->hidden += (unsigned)(d > 0 && (n->fl & N_HIDDEN));
    s->skip += (unsigned)(d > 0 && (n->fl & N_SKIP));
}

static void push(html *s, int el, uint32_t hash, unsigned char fl, uint32_t id)
{
    node *n = &s->stack[s->depth++];
    n->el = (uint8_t)el;
    n->fl = fl;
    n->hash = el == E_OTHER ? hash : 0;
    n->id = id;
    count_open(s, n, +1);
    if (s->nafe < AFE_MAX && (is_marker(el) || tracked(n))) {
        if (is_marker(el))
            n->fl |= N_MARKER;
        s->afe[s->nafe++] = (afe_entry){is_marker(el) ? 0 : id, n->hash, n->el, fl, true};
    }
}

/* Closes the top element. A tracked formatting element closed this way (not
 * by its own end tag) is suspended, to be reopened. */
static void pop(html *s)
{
    node n = s->stack[--s->depth];
    count_open(s, &n, -1);
    afe_entry *e = tracked(&n) ? afe_find(s, n.id) : NULL;
    if (e) {
        e->open = false;
        s->suspended++;
    }
    end_effects(s, &n, e != NULL);
    if (n.fl & N_MARKER)
        afe_clear_to_marker(s);
}

/* Closes the open elements from the top down to index i included. */
static void pop_to(html *s, int i)
{
    while (s->depth > i)
        pop(s);
}

/* Ends element i's effects but leaves the elements above it open. */
static void remove_at(html *s, int i)
{
    node n = s->stack[i];
    memmove(&s->stack[i], &s->stack[i + 1], (size_t)(s->depth - i - 1) * sizeof(node));
    s->depth--;
    count_open(s, &n, -1);
    end_effects(s, &n, false);
}

/* Reopens the suspended formatting elements since the last marker (HTML5
 * "reconstruct the active formatting elements"). */
static void reconstruct(html *s)
{
    int k = s->nafe;
    while (k > 0 && s->afe[k - 1].id != 0 && !s->afe[k - 1].open)
        k--;
    for (; k < s->nafe && s->depth < MAX_DEPTH; k++) {
        afe_entry *e = &s->afe[k];
        if (e->open || e->id == 0)
            continue;
        node *n = &s->stack[s->depth++];
        *n = (node){e->el, e->fl, e->hash, e->id};
        count_open(s, n, +1);
        e->open = true;
        s->suspended--;
        if ((e->fl & N_ANCHOR) && e->id == s->anchor_id)
            s->anchor_live = true;
    }
}

enum scope { SC_DEFAULT, SC_BUTTON, SC_LIST, SC_TABLE, SC_SPECIAL };

static bool bounds(const node *n, enum scope sc)
{
    unsigned pr = props(n->el);
    switch (sc) {
    case SC_DEFAULT:
        return pr & P_SCOPE;
    case SC_BUTTON:
        return (pr & P_SCOPE) || n->el == E_BUTTON;
    case SC_LIST:
        return (pr & P_SCOPE) || n->el == E_OL || n->el == E_UL;
    case SC_TABLE:
        return n->el == E_HTML || n->el == E_TABLE || n->el == E_TEMPLATE;
    case SC_SPECIAL:
        return pr & P_SPECIAL;
    }
    return false;
}

/* Index of the nearest open element that is el (with that hash for
 * E_OTHER) or has one of the props in any, within the scope; -1 if none. */
static int find_open(const html *s, int el, uint32_t hash, unsigned any, enum scope sc)
{
    if (!any && (el == E_OTHER ? s->open_other[hash & 63] == 0 : s->open[el] == 0))
        return -1;
    for (int i = s->depth - 1; i >= 0; i--) {
        const node *n = &s->stack[i];
        if ((n->el == el && (el != E_OTHER || n->hash == hash)) || (props(n->el) & any))
            return i;
        if (bounds(n, sc))
            return -1;
    }
    return -1;
}

static void close_p(html *s)
{
    int i = find_open(s, E_P, 0, 0, SC_BUTTON);
    if (i >= 0)
        pop_to(s, i);
}

/* A formatting element's end (or a second <a>): if a block was opened
 * inside it, the block stays open and only the formatting ends; otherwise
 * everything above it closes with it. */
static void close_formatting(html *s, int i)
{
    afe_entry *e = afe_find(s, s->stack[i].id);
    if (e)
        afe_remove(s, (int)(e - s->afe));
    for (int j = i + 1; j < s->depth; j++) {
        if (props(s->stack[j].el) & P_SPECIAL) {
            remove_at(s, i);
            return;
        }
    }
    pop_to(s, i);
}

/* <li> closes the open <li> (<dd>/<dt> the open <dd> or <dt>) unless a
 * block other than address, div and p is in between. */
static void close_item(html *s, unsigned item)
{
    for (int i = s->depth - 1; i >= 0; i--) {
        int el = s->stack[i].el;
        if (item ? (props(el) & item) : el == E_LI) {
            pop_to(s, i);
            return;
        }
        if ((props(el) & P_SPECIAL) && el != E_ADDRESS && el != E_DIV && el != E_P)
            return;
    }
}

/* "</b>" (or a second <a>) for a formatting element that is no longer open
 * but suspended: it is not reopened. */
static void forget_suspended(html *s, int el, uint32_t hash)
{
    for (int k = s->nafe - 1; k >= 0 && s->afe[k].id != 0; k--) {
        if (s->afe[k].el == el && s->afe[k].hash == hash && !s->afe[k].open) {
            afe_remove(s, k);
            return;
        }
    }
}

static bool top_is(const html *s, int el)
{
    return s->depth > 0 && s->stack[s->depth - 1].el == el;
}

/* End tags a start tag implies. */
static void implied_ends(html *s, int el)
{
    int i;
    switch (el) {
    case E_LI:
        close_item(s, 0);
        break;
    case E_DD:
    case E_DT:
        close_item(s, P_DDT);
        break;
    case E_A:
        if ((i = find_open(s, E_A, 0, 0, SC_DEFAULT)) >= 0)
            close_formatting(s, i);
        else
            forget_suspended(s, E_A, 0);
        break;
    case E_OPTION:
    case E_OPTGROUP:
        if (top_is(s, E_OPTION))
            pop(s);
        break;
    case E_TD:
    case E_TH:
        if ((i = find_open(s, -1, 0, P_CELL, SC_TABLE)) >= 0)
            pop_to(s, i);
        break;
    case E_TR:
        if ((i = find_open(s, E_TR, 0, 0, SC_TABLE)) >= 0)
            pop_to(s, i);
        break;
    case E_TBODY:
    case E_THEAD:
    case E_TFOOT:
        if ((i = find_open(s, -1, 0, P_TSECTION, SC_TABLE)) >= 0)
            pop_to(s, i);
        break;
    default:
        break;
    }
    if (props(el) & P_CLOSES_P)
        close_p(s);
    if ((props(el) & P_HEADING) && s->depth > 0 && (props(s->stack[s->depth - 1].el) & P_HEADING))
        pop(s);
}

/* ---- tokenizer: tags ------------------------------------------------------------------------ */

/* Attributes worth decoding on this element (the style even inside hidden
 * text: an implied end tag may close what hides it). */
static unsigned wanted(int el)
{
    unsigned w = 1u << A_STYLE | 1u << A_HIDDEN;
    switch (el) {
    case E_A:
    case E_AREA:
        return w | 1u << A_HREF;
    case E_IMG:
        return w | 1u << A_ALT;
    case E_SCRIPT:
    case E_IFRAME:
    case E_EMBED:
    case E_FRAME:
        return w | 1u << A_SRC;
    case E_OBJECT:
        return w | 1u << A_DATA;
    case E_META:
        return w | 1u << A_HTTP_EQUIV | 1u << A_CONTENT;
    case E_FORM:
        return w | 1u << A_ACTION;
    case E_INPUT:
    case E_TEXTAREA:
    case E_SELECT:
        return w | 1u << A_TYPE | 1u << A_NAME;
    default:
        return w;
    }
}

/* The next '&', NUL or CR (C_VAL_STOP). */
static const char *scan_value(const char *p, const char *end)
{
    return scan_stop(p, end, '&', '\r', C_VAL_STOP);
}

/* An attribute value decoded into the scratch buffer (references, NUL to
 * U+FFFD, CR LF and CR to LF); returns its offset. */
static size_t attr_value(html *s, const char *v, size_t n)
{
    vg_buf *sc = &s->scratch;
    size_t off = sc->n;
    const char *end = v + n;
    while (v < end) {
        const char *q = scan_value(v, end);
        vg_buf_append(sc, v, (size_t)(q - v));
        if (q == end)
            break;
        if (*q == '&') {
            char u[4];
            size_t un = 0, used = char_ref(q, end, true, u, &un);
            if (used) {
                vg_buf_append(sc, u, un);
                v = q + used;
                continue;
            }
            vg_buf_putc(sc, '&');
        } else if (*q == '\r') {
            vg_buf_putc(sc, '\n');
            if (q + 1 < end && q[1] == '\n')
                q++;
        } else {
            vg_buf_append(sc, "\xEF\xBF\xBD", 3);
        }
        v = q + 1;
    }
    vg_buf_append(sc, "", 1); /* the NUL between values */
    return off;
}

/* A start or end tag from p (its first name character) to '>'. Fills t
 * (attributes only for a start tag) and returns the position after '>'. A
 * tag cut by the end of the input (a truncated part) still counts, with the
 * attributes read so far; one whose quoted value is cut is dropped. HTML5
 * would drop the whole tag, but a link cut short is still evidence. */
static const char *parse_tag(html *s, const char *p, const char *end, tag *t, bool is_end)
{
    char lname[16];
    size_t ln = 0;
    uint32_t h = FNV_INIT;
    const char *q = p;
    for (; q < end && !(CLS[(unsigned char)*q] & C_NAME_STOP); q++) {
        char c = (char)((*q >= 'A' && *q <= 'Z') ? *q + 32 : *q);
        if (ln < sizeof lname)
            lname[ln] = c;
        ln++;
        h = fnv_step(h, (unsigned char)c);
    }
    t->el = ln <= sizeof lname ? elem_lookup(lname, ln, h) : E_OTHER;
    t->hash = h;
    t->self_closing = false;
    t->have = 0;
    unsigned want = is_end ? 0 : wanted(t->el);
    vg_buf_reset(&s->scratch);
    for (;;) {
        q = skip_ws(q, end);
        if (q == end || *q == '>')
            break;
        if (*q == '/') {
            q++;
            if (q < end && *q == '>') {
                t->self_closing = true;
                break;
            }
            continue;
        }
        const char *an = q++; /* a leading '=' belongs to the name */
        q = scan_until(q, end, C_ATTR_STOP);
        size_t alen = (size_t)(q - an);
        q = skip_ws(q, end);
        const char *v = "";
        size_t vn = 0;
        if (q < end && *q == '=') {
            q = skip_ws(q + 1, end);
            if (q < end && (*q == '"' || *q == '\'')) {
                const char *close = memchr(q + 1, *q, (size_t)(end - q - 1));
                if (!close) {
                    q = end;
                    break;
                }
                v = q + 1;
                vn = (size_t)(close - v);
                q = close + 1;
            } else {
                v = q;
                q = scan_until(q, end, C_UNQ_STOP);
                vn = (size_t)(q - v);
            }
        }
        if (!want)
            continue;
        int id = attr_lookup(an, alen);
        if (id < 0 || !(want & (1u << id)) || (t->have & (1u << id)))
            continue; /* not read, or a repeat: the first one counts */
        t->have |= 1u << id;
        t->off[id] = attr_value(s, v, vn);
    }
    if (!is_end) { /* an end tag's attributes are not read */
        for (int i = 0; i < A_COUNT; i++)
            t->val[i] = (t->have & (1u << i)) ? s->scratch.p + t->off[i] : NULL;
    }
    return q < end ? q + 1 : end;
}

/* ---- tokenizer: raw text -------------------------------------------------------------------- */

/* Is p "</name" followed by whitespace, '/', '>' or the end? */
static bool end_tag_of(const char *p, const char *end, const char *name, size_t n)
{
    if ((size_t)(end - p) < n + 2 || p[0] != '<' || p[1] != '/' || strncasecmp(p + 2, name, n) != 0)
        return false;
    return p + 2 + n == end || (CLS[(unsigned char)p[2 + n]] & C_NAME_STOP);
}

/* Is p "<script" followed by whitespace, '/' or '>'? */
static bool script_start(const char *p, const char *end)
{
    return end - p > 7 && strncasecmp(p + 1, "script", 6) == 0 &&
           (CLS[(unsigned char)p[7]] & C_NAME_STOP);
}

/* Where RAWTEXT/RCDATA of element `name` ends: at its end tag, or the end. */
static const char *raw_end(const char *p, const char *end, const char *name)
{
    size_t n = strlen(name);
    while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
        if (end_tag_of(p, end, name, n))
            return p;
        p++;
    }
    return end;
}

/* Where script data ends (HTML5 §13.2.5.4-.21): at "</script", except inside
 * "<!--" ... "-->" after a "<script" (double-escaped). */
static const char *script_end(const char *p, const char *end)
{
    enum { DATA, ESCAPED, DOUBLE } st = DATA;
    while (p < end) {
        if (st == DATA) {
            p = memchr(p, '<', (size_t)(end - p));
            if (!p)
                return end;
            if (end_tag_of(p, end, "script", 6))
                return p;
            if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
                st = ESCAPED;
                p += 2; /* at "--": "<!-->" ends the escape at once */
                continue;
            }
            p++;
            continue;
        }
        const char *q = p;
        while (q < end && *q != '<' && *q != '-')
            q++;
        if (q == end)
            return end;
        if (*q == '-') {
            if (end - q >= 3 && q[1] == '-' && q[2] == '>') {
                st = DATA;
                p = q + 3;
            } else {
                p = q + 1;
            }
            continue;
        }
        if (end_tag_of(q, end, "script", 6)) {
            if (st == ESCAPED)
                return q;
            st = ESCAPED;
            p = q + 8;
            continue;
        }
        if (st == ESCAPED && script_start(q, end)) {
            st = DOUBLE;
            p = q + 7;
            continue;
        }
        p = q + 1;
    }
    return end;
}

/* Where the raw text of el starting at p ends: script and style at their end
 * tag or the end of the input, as in browsers; the others (title, textarea,
 * xmp, iframe, noembed, noframes) only at their end tag: without one they
 * are parsed as ordinary elements (returns NULL), so that a stray
 * "<textarea>" does not turn the rest of a message, links included, into
 * text. Searches are remembered per element, which keeps a flood of
 * unclosed <textarea> linear. */
static const char *raw_stop(html *s, int el, const char *p, const char *end)
{
    if (el == E_SCRIPT)
        return script_end(p, end);
    if (!(s->raw_at[el] && p >= s->raw_from[el] && p <= s->raw_at[el])) {
        s->raw_from[el] = p;
        s->raw_at[el] = raw_end(p, end, ELEMS[el].name);
    }
    if (s->raw_at[el] == end && el != E_STYLE && !(el == E_NOSCRIPT && s->attachment))
        return NULL;
    return s->raw_at[el];
}

/* The content of a raw-text element, p to stop (its end tag, or the end of
 * the input); returns the position after the end tag. */
static const char *raw_text(html *s, int el, const char *p, const char *stop, const char *end)
{
    if (el == E_SCRIPT)
        script(s, p, (size_t)(stop - p));
    else if (el == E_TITLE || el == E_TEXTAREA) /* RCDATA: references are decoded */
        text_refs(s, p, stop, C_RC_STOP);
    else /* RAWTEXT: shown as is unless the element is skipped */
        text(s, p, (size_t)(stop - p));
    if (stop == end)
        return end;
    tag t;
    return parse_tag(s, stop + 2, end, &t, true);
}

static bool is_raw(const html *s, int el)
{
    switch (el) {
    case E_SCRIPT:
    case E_STYLE:
    case E_TITLE:
    case E_TEXTAREA:
    case E_IFRAME:
    case E_NOEMBED:
    case E_NOFRAMES:
    case E_XMP:
        return true;
    case E_NOSCRIPT:
        return s->attachment;
    default:
        return false;
    }
}

/* ---- tokenizer: tree construction ----------------------------------------------------------- */

/* Special elements before which browsers reopen suspended formatting. */
static bool reopens_before(int el)
{
    switch (el) {
    case E_APPLET:
    case E_AREA:
    case E_BR:
    case E_EMBED:
    case E_IMG:
    case E_INPUT:
    case E_KEYGEN:
    case E_MARQUEE:
    case E_OBJECT:
    case E_SELECT:
    case E_WBR:
        return true;
    default:
        return false;
    }
}

static const char *start_tag(html *s, const tag *t, const char *p, const char *end)
{
    int el = t->el;
    s->hspace = true; /* words of separate elements stay apart in hidden text */
    if (el == E_HEAD || ((el == E_HTML || el == E_BODY) && s->open[el]))
        return p;
    implied_ends(s, el);
    if (s->suspended > 0 && (!(props(el) & P_SPECIAL) || reopens_before(el)))
        reconstruct(s);
    uint32_t id = ++s->next_id;
    unsigned char fl = start_effects(s, t, id);
    bool foreign = s->foreign > 0 || el == E_SVG || el == E_MATH;
    bool opens = !(props(el) & P_VOID) && !(t->self_closing && foreign);
    const char *stop = opens && is_raw(s, el) ? raw_stop(s, el, p, end) : NULL;
    if (!opens || s->depth == MAX_DEPTH) {
        /* nothing inside (or no room to track it): it ends here, but for a
         * link, whose text is still wanted */
        if (opens && (fl & N_ANCHOR)) {
            fl &= (unsigned char)~N_ANCHOR;
            s->anchor_unowned = true;
        }
        node n = {(uint8_t)el, fl, 0, id};
        s->hidden += (fl & N_HIDDEN) != 0;
        s->skip += (fl & N_SKIP) != 0;
        if (stop)
            p = raw_text(s, el, p, stop, end);
        end_effects(s, &n, false);
        return p;
    }
    push(s, el, t->hash, fl, id);
    if (stop) {
        p = raw_text(s, el, p, stop, end);
        pop(s);
    }
    return p;
}

static void end_tag(html *s, const tag *t)
{
    int el = t->el, i;
    unsigned pr = props(el);
    s->hspace = true;
    switch (el) {
    case E_P:
        if ((i = find_open(s, E_P, 0, 0, SC_BUTTON)) >= 0)
            pop_to(s, i);
        else if (s->hidden == 0 && s->skip == 0)
            line_break(s); /* "</p>" alone: an empty paragraph */
        return;
    case E_BR: /* "</br>" is a <br> */
        if (s->hidden == 0 && s->skip == 0)
            line_break(s);
        return;
    case E_HTML:
    case E_BODY:
    case E_HEAD:
        return;
    case E_LI:
        i = find_open(s, E_LI, 0, 0, SC_LIST);
        break;
    default:
        if (pr & P_VOID)
            return;
        if (pr & P_FORMAT) {
            if ((i = find_open(s, el, 0, 0, SC_DEFAULT)) >= 0)
                close_formatting(s, i);
            else
                forget_suspended(s, el, 0);
            if (el == E_A && s->href && s->anchor_unowned)
                close_anchor(s);
            return;
        }
        if (pr & P_HEADING)
            i = find_open(s, -1, 0, P_HEADING, SC_DEFAULT);
        else if (pr & P_TABLE)
            i = find_open(s, el, 0, 0, SC_TABLE);
        else if (pr & P_SPECIAL)
            i = find_open(s, el, 0, 0, SC_DEFAULT);
        else /* span, option, unknown: not across a special element */
            i = find_open(s, el, t->hash, 0, SC_SPECIAL);
        break;
    }
    if (i >= 0)
        pop_to(s, i);
}

/* ---- tokenizer: markup ---------------------------------------------------------------------- */

static const char *bogus_comment(const char *p, const char *end)
{
    const char *q = memchr(p, '>', (size_t)(end - p));
    return q ? q + 1 : end;
}

/* After "<!--": the end of the comment ("-->", "--!>", or "<!-->" and
 * "<!--->" which are complete), or the end of the input. */
static const char *comment(const char *p, const char *end)
{
    if (p < end && *p == '>')
        return p + 1;
    if (end - p >= 2 && p[0] == '-' && p[1] == '>')
        return p + 2;
    while ((p = memchr(p, '-', (size_t)(end - p))) != NULL) {
        if (end - p >= 3 && p[1] == '-' && p[2] == '>')
            return p + 3;
        if (end - p >= 4 && p[1] == '-' && p[2] == '!' && p[3] == '>')
            return p + 4;
        p++;
    }
    return end;
}

/* After "<!": a comment, CDATA inside svg/math, or a DOCTYPE or other
 * declaration (skipped like a bogus comment). */
static const char *declaration(html *s, const char *p, const char *end)
{
    if (end - p >= 2 && p[0] == '-' && p[1] == '-')
        return comment(p + 2, end);
    if (s->foreign > 0 && end - p >= 7 && memcmp(p, "[CDATA[", 7) == 0) {
        const char *c = p + 7;
        const char *e = memmem(c, (size_t)(end - c), "]]>", 3);
        chars(s, c, (size_t)((e ? e : end) - c));
        return e ? e + 3 : end;
    }
    return bogus_comment(p, end);
}

/* At '<': a tag, a comment, a declaration, or a literal '<'. */
static const char *markup(html *s, const char *q, const char *end)
{
    const char *p = q + 1;
    tag t;
    if (p < end && is_alpha((unsigned char)*p)) {
        const char *after = parse_tag(s, p, end, &t, false);
        return start_tag(s, &t, after, end);
    }
    if (p < end && *p == '/') {
        p++;
        if (p < end && is_alpha((unsigned char)*p)) {
            const char *after = parse_tag(s, p, end, &t, true);
            end_tag(s, &t);
            return after;
        }
        if (p == end) {
            chars(s, "</", 2);
            return end;
        }
        return *p == '>' ? p + 1 : bogus_comment(p, end);
    }
    if (p < end && *p == '!')
        return declaration(s, p + 1, end);
    if (p < end && *p == '?')
        return bogus_comment(p, end);
    chars(s, "<", 1);
    return p;
}

static void tokenize(html *s, const char *p, const char *end)
{
    while (p < end) {
        p = text_refs(s, p, end, C_DATA_STOP);
        if (p < end)
            p = markup(s, p, end);
    }
}

/* ---- entry point ---------------------------------------------------------------------------- */

unsigned vg_mail__html(vg_mail_builder *b, const char *html_in, size_t n, bool attachment,
                       vg_buf *text_out)
{
    vg_mail_parser *p = b->p;
    if (n == 0)
        return 0;
    if (n > p->opts.limits.max_html_bytes) {
        n = utf8_cut(html_in, n, p->opts.limits.max_html_bytes);
        b->m->evidence |= VG_MAIL_EV_TRUNCATED;
    }
    pthread_once(&tables_once, build_tables);
    html *s = vg_xcalloc(1, sizeof *s);
    s->b = b;
    s->text = text_out;
    s->attachment = attachment;
    s->base_flags = attachment ? VG_URL_F_ATTACHMENT : 0;
    s->cap = p->opts.limits.max_text_bytes;
    s->form = -1;
    vg_buf_init(&s->scratch, 0);
    if (n >= 3 && memcmp(html_in, "\xEF\xBB\xBF", 3) == 0) { /* a byte order mark */
        html_in += 3;
        n -= 3;
    }
    tokenize(s, html_in, html_in + n);
    pop_to(s, 0); /* the end closes what is still open */
    if (s->href)
        close_anchor(s);
    if (s->text_full || s->hidden_full || text_out->n >= s->cap)
        b->m->evidence |= VG_MAIL_EV_TRUNCATED;
    newline(text_out, &s->space);
    unsigned seen = s->seen;
    vg_buf_free(&s->scratch);
    free(s);
    return seen;
}
