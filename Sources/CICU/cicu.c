#include "cicu.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>
#include <unicode/utrans.h>
#include <unicode/uversion.h>

int32_t sd_char_class(uint32_t cp) {
    UChar32 c = (UChar32)cp;
    int8_t type = u_charType(c);
    UErrorCode status = U_ZERO_ERROR;
    if (c == 0x30FC || c == 0xFF70) return SD_CLASS_CJK;  // prolonged sound marks (script Common)
    UScriptCode script = uscript_getScript(c, &status);
    if (script == USCRIPT_HAN || script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA
        || script == USCRIPT_KATAKANA_OR_HIRAGANA) {
        if (type == U_OTHER_LETTER || type == U_MODIFIER_LETTER || type == U_LETTER_NUMBER)
            return SD_CLASS_CJK;
    }
    switch (type) {
    case U_UPPERCASE_LETTER: case U_LOWERCASE_LETTER: case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER: case U_OTHER_LETTER:
        if (u_getIntPropertyValue(c, UCHAR_LINE_BREAK) == U_LB_COMPLEX_CONTEXT)
            return SD_CLASS_COMPLEX;
        return SD_CLASS_LETTER;
    case U_DECIMAL_DIGIT_NUMBER:
        return SD_CLASS_DIGIT;
    case U_NON_SPACING_MARK: case U_COMBINING_SPACING_MARK: case U_ENCLOSING_MARK:
        if (u_getIntPropertyValue(c, UCHAR_LINE_BREAK) == U_LB_COMPLEX_CONTEXT)
            return SD_CLASS_COMPLEX;
        return SD_CLASS_MARK;
    default:
        return SD_CLASS_OTHER;
    }
}

static int accents_strippable(UChar32 c) {
    UErrorCode status = U_ZERO_ERROR;
    UScriptCode s = uscript_getScript(c, &status);
    return s == USCRIPT_LATIN || s == USCRIPT_GREEK || s == USCRIPT_CYRILLIC;
}

int32_t sd_accents_strippable(uint32_t cp) { return accents_strippable((UChar32)cp); }

void sd_icu_version(char *out, int32_t cap) {
    UVersionInfo v;
    char text[U_MAX_VERSION_STRING_LENGTH];
    u_getVersion(v);
    u_versionToString(v, text);
    if (cap > 0) {
        strncpy(out, text, (size_t)cap - 1);
        out[cap - 1] = 0;
    }
}

/* Normalizes src into a new buffer (preflighting its size). */
static UChar *normalize(const UNormalizer2 *n, const UChar *src, int32_t len, int32_t *out_len) {
    UErrorCode status = U_ZERO_ERROR;
    int32_t need = unorm2_normalize(n, src, len, NULL, 0, &status);
    if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) return NULL;
    UChar *dst = malloc(((size_t)need + 1) * sizeof(UChar));
    if (!dst) return NULL;
    status = U_ZERO_ERROR;
    *out_len = unorm2_normalize(n, src, len, dst, need + 1, &status);
    if (U_FAILURE(status)) { free(dst); return NULL; }
    return dst;
}

int32_t sd_fold_many(const uint32_t *cps, int32_t count, int32_t strip_accents,
                     uint8_t *out, int32_t cap, int32_t *ends) {
    // One string "c1\nc2\n...": a newline has combining class 0 and folds to itself, so
    // normalization and transliteration never reach across it and each piece is folded alone.
    UErrorCode status = U_ZERO_ERROR;
    int32_t n = 0;
    UChar *src = malloc(((size_t)count * 3 + 1) * sizeof(UChar));
    if (!src) return -1;
    for (int32_t i = 0; i < count; i++) {
        U16_APPEND_UNSAFE(src, n, (UChar32)cps[i]);
        src[n++] = '\n';
    }
    int32_t len = 0;
    UChar *a = normalize(unorm2_getNFKCCasefoldInstance(&status), src, n, &len);
    free(src);
    if (!a) return -1;

    if (strip_accents) {
        // Decompose, drop the marks that follow a Latin, Greek or Cyrillic base, recompose.
        int32_t dlen = 0;
        UChar *d = normalize(unorm2_getNFDInstance(&status), a, len, &dlen);
        free(a);
        if (!d) return -1;
        int32_t i = 0, o = 0, piece = 0, base = count > 0 ? accents_strippable((UChar32)cps[0]) : 0;
        while (i < dlen) {
            UChar32 c;
            int32_t start = i;
            U16_NEXT(d, i, dlen, c);
            if (c == '\n') {
                d[o++] = '\n';
                piece++;
                base = piece < count ? accents_strippable((UChar32)cps[piece]) : 0;
                continue;
            }
            int8_t type = u_charType(c);
            int is_mark = type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK;
            if (is_mark && base) continue;
            if (!is_mark) base = accents_strippable(c);
            while (start < i) d[o++] = d[start++];
        }
        a = normalize(unorm2_getNFCInstance(&status), d, o, &len);
        free(d);
        if (!a) return -1;
    }

    // Traditional → Simplified, for the pieces that start with a Han character only (the
    // transliterator costs about a microsecond per character it looks at, Han or not).
    int32_t *starts = malloc(((size_t)count + 1) * sizeof(int32_t));
    UChar *han = malloc(((size_t)len * 2 + 64) * sizeof(UChar));
    if (!starts || !han) { free(starts); free(han); free(a); return -1; }
    int32_t pieces = 0, hlen = 0;
    starts[0] = 0;
    for (int32_t i = 0; i < len && pieces < count; i++) {
        if (a[i] == '\n') starts[++pieces] = i + 1;
    }
    if (pieces != count) { free(starts); free(han); free(a); return -1; }
    for (int32_t p = 0; p < count; p++) {
        UChar32 c;
        int32_t k = starts[p];
        U16_GET(a, 0, k, len, c);
        UErrorCode s2 = U_ZERO_ERROR;
        if (starts[p + 1] - 1 > k && uscript_getScript(c, &s2) == USCRIPT_HAN) {
            for (int32_t j = starts[p]; j < starts[p + 1]; j++) han[hlen++] = a[j];
        }
    }
    if (hlen > 0) {
        UChar id[] = u"Traditional-Simplified";
        UTransliterator *t2s = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &status);
        if (U_FAILURE(status)) { free(starts); free(han); free(a); return -1; }
        int32_t limit = hlen;
        utrans_transUChars(t2s, han, &hlen, len * 2 + 64, 0, &limit, &status);
        utrans_close(t2s);
        if (U_FAILURE(status)) { free(starts); free(han); free(a); return -1; }
    }

    // Write each piece as UTF-8: Han pieces from the transliteration, the others as normalized.
    int32_t written = 0, h = 0;
    for (int32_t p = 0; p < count; p++) {
        UChar32 first;
        int32_t k = starts[p];
        U16_GET(a, 0, k, len, first);
        UErrorCode s2 = U_ZERO_ERROR;
        int is_han = starts[p + 1] - 1 > k && uscript_getScript(first, &s2) == USCRIPT_HAN;
        const UChar *src = is_han ? han : a;
        int32_t i = is_han ? h : starts[p];
        int32_t stop = is_han ? hlen : starts[p + 1];
        while (i < stop) {
            UChar32 c;
            U16_NEXT(src, i, stop, c);
            if (c == '\n') break;
            uint8_t buf[4];
            int32_t n8 = 0;
            UBool error = 0;
            U8_APPEND(buf, n8, 4, c, error);
            for (int32_t j = 0; j < n8; j++) {
                if (written < cap) out[written] = buf[j];
                written++;
            }
        }
        if (is_han) h = i;
        ends[p] = written;
    }
    free(starts);
    free(han);
    free(a);
    return written;
}

int32_t sd_transliterate_many(const char *id, const uint32_t *cps, int32_t count,
                              uint8_t *out, int32_t cap, int32_t *ends) {
    UErrorCode status = U_ZERO_ERROR;
    UChar uid[256];
    u_strFromUTF8(uid, 256, NULL, id, -1, &status);
    if (U_FAILURE(status)) return -1;
    UTransliterator *t = utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &status);
    if (U_FAILURE(status)) return -1;
    // "c1\nc2\n...": the transform never sees two code points side by side.
    int32_t cap16 = count * 16 + 64, n = 0;
    UChar *buf = malloc((size_t)cap16 * sizeof(UChar));
    if (!buf) { utrans_close(t); return -1; }
    for (int32_t i = 0; i < count; i++) {
        U16_APPEND_UNSAFE(buf, n, (UChar32)cps[i]);
        buf[n++] = '\n';
    }
    int32_t limit = n;
    utrans_transUChars(t, buf, &n, cap16, 0, &limit, &status);
    utrans_close(t);
    if (U_FAILURE(status)) { free(buf); return -1; }
    int32_t written = 0, piece = 0, i = 0;
    while (i < n && piece < count) {
        UChar32 c;
        U16_NEXT(buf, i, n, c);
        if (c == '\n') { ends[piece++] = written; continue; }
        uint8_t b[4];
        int32_t k = 0;
        UBool error = 0;
        U8_APPEND(b, k, 4, c, error);
        for (int32_t j = 0; j < k; j++) {
            if (written < cap) out[written] = b[j];
            written++;
        }
    }
    free(buf);
    return piece == count ? written : -1;
}

struct sd_wordbreaker {
    UBreakIterator *bi;
    UText *text;
};

sd_wordbreaker *sd_wordbreaker_open(void) {
    UErrorCode status = U_ZERO_ERROR;
    sd_wordbreaker *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->bi = ubrk_open(UBRK_WORD, "zh", NULL, 0, &status);
    if (U_FAILURE(status)) { free(w); return NULL; }
    return w;
}

void sd_wordbreaker_close(sd_wordbreaker *w) {
    if (!w) return;
    if (w->bi) ubrk_close(w->bi);
    if (w->text) utext_close(w->text);
    free(w);
}

int32_t sd_wordbreaker_split(sd_wordbreaker *w, const uint8_t *utf8, int32_t length,
                             int32_t *bounds, int32_t cap) {
    UErrorCode status = U_ZERO_ERROR;
    w->text = utext_openUTF8(w->text, (const char *)utf8, length, &status);
    if (U_FAILURE(status)) return -1;
    ubrk_setUText(w->bi, w->text, &status);
    if (U_FAILURE(status)) return -1;
    int32_t count = 0;
    int32_t start = ubrk_first(w->bi);
    for (int32_t end = ubrk_next(w->bi); end != UBRK_DONE; start = end, end = ubrk_next(w->bi)) {
        if (ubrk_getRuleStatus(w->bi) < UBRK_WORD_NUMBER) continue;
        if (2 * count + 1 < cap) {
            bounds[2 * count] = start;
            bounds[2 * count + 1] = end;
        }
        count++;
    }
    return count;
}

struct sd_transliterator {
    UTransliterator *t;
    UChar *buf;
    int32_t cap;
};

sd_transliterator *sd_transliterator_open(const char *id) {
    UErrorCode status = U_ZERO_ERROR;
    UChar uid[256];
    u_strFromUTF8(uid, 256, NULL, id, -1, &status);
    if (U_FAILURE(status)) return NULL;
    sd_transliterator *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->t = utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &status);
    if (U_FAILURE(status)) { free(t); return NULL; }
    return t;
}

void sd_transliterator_close(sd_transliterator *t) {
    if (!t) return;
    utrans_close(t->t);
    free(t->buf);
    free(t);
}

int32_t sd_transliterate(sd_transliterator *t, const uint8_t *utf8, int32_t length,
                         uint8_t *out, int32_t cap) {
    UErrorCode status = U_ZERO_ERROR;
    int32_t n16 = 0;
    u_strFromUTF8(NULL, 0, &n16, (const char *)utf8, length, &status);
    if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) return -1;
    status = U_ZERO_ERROR;
    int32_t need = n16 * 8 + 16;  // room for the transliteration to grow (one Han → "zhuang ")
    if (need > t->cap) {
        UChar *b = realloc(t->buf, (size_t)need * sizeof(UChar));
        if (!b) return -1;
        t->buf = b;
        t->cap = need;
    }
    u_strFromUTF8(t->buf, t->cap, NULL, (const char *)utf8, length, &status);
    if (U_FAILURE(status)) return -1;
    int32_t len = n16, limit = n16;
    utrans_transUChars(t->t, t->buf, &len, t->cap, 0, &limit, &status);
    if (U_FAILURE(status)) return -1;
    int32_t n8 = 0;
    u_strToUTF8((char *)out, cap, &n8, t->buf, len, &status);
    if (status == U_BUFFER_OVERFLOW_ERROR || status == U_STRING_NOT_TERMINATED_WARNING) return n8;
    if (U_FAILURE(status)) return -1;
    return n8;
}
