// The project's only window on the system ICU (libicu). Swift sees plain C types here and
// never an ICU header: Foundation links its own private ICU, and ICU's versioned macro
// names (ubrk_open → ubrk_open_72) cannot be called from Swift. See Docs/ARCHITECTURE.md.
#ifndef SEARCHD_CICU_H
#define SEARCHD_CICU_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Character classes used by the tokenizer (one per code point).
#define SD_CLASS_OTHER 0    // separators, punctuation, symbols, controls
#define SD_CLASS_LETTER 1   // letters of space-separated scripts (Latin, Greek, Cyrillic, Hangul, ...)
#define SD_CLASS_DIGIT 2    // decimal digits (any script)
#define SD_CLASS_MARK 3     // combining marks: they extend the preceding letter
#define SD_CLASS_CJK 4      // Han ideographs and kana: no spaces between words
#define SD_CLASS_COMPLEX 5  // Thai, Lao, Khmer, Myanmar: words found by ICU's dictionary

/// The tokenizer class of one code point.
int32_t sd_char_class(uint32_t cp);

/// Folds many code points for indexing, in one pass through ICU: NFKC, case folding,
/// Traditional → Simplified Chinese and, when strip_accents is non-zero, accents removed from
/// Latin, Greek and Cyrillic letters. Each code point folds on its own (no context).
/// The UTF-8 result of cps[i] is out[ends[i-1] ..< ends[i]] (ends[-1] being 0).
/// Returns the bytes needed; when that exceeds cap, nothing useful was written: call again
/// with a larger buffer. Returns -1 on an ICU error.
int32_t sd_fold_many(const uint32_t *cps, int32_t count, int32_t strip_accents,
                     uint8_t *out, int32_t cap, int32_t *ends);

/// Transliterates many code points, each on its own, with the ICU transform `id` (e.g.
/// "Han-Latin; Latin-ASCII"). Same output convention as sd_fold_many.
int32_t sd_transliterate_many(const char *id, const uint32_t *cps, int32_t count,
                              uint8_t *out, int32_t cap, int32_t *ends);

/// The version of the ICU library loaded (e.g. "72.1"), NUL-terminated in out (cap >= 20).
void sd_icu_version(char *out, int32_t cap);

/// Whether folding removes accents from this code point: a Latin, Greek or Cyrillic letter.
int32_t sd_accents_strippable(uint32_t cp);

/// An opaque ICU word-break iterator (root rules with ICU's CJK and South-East Asian dictionaries).
typedef struct sd_wordbreaker sd_wordbreaker;
sd_wordbreaker *sd_wordbreaker_open(void);
void sd_wordbreaker_close(sd_wordbreaker *breaker);

/// Splits UTF-8 text into words. For word i writes its byte range [bounds[2i], bounds[2i+1]).
/// Segments that are not words (spaces, punctuation) are skipped. Returns the number of words,
/// which may exceed cap / 2 (then call again with a larger buffer), or -1 on an ICU error.
int32_t sd_wordbreaker_split(sd_wordbreaker *breaker, const uint8_t *utf8, int32_t length,
                             int32_t *bounds, int32_t cap);

/// An opaque ICU transliterator, e.g. "Han-Latin; Latin-ASCII" (one thread at a time).
typedef struct sd_transliterator sd_transliterator;
sd_transliterator *sd_transliterator_open(const char *id);
void sd_transliterator_close(sd_transliterator *transliterator);

/// Transliterates UTF-8 text into out (UTF-8). Returns the output length, which may exceed
/// cap (then call again with a larger buffer), or -1 on an error.
int32_t sd_transliterate(sd_transliterator *transliterator, const uint8_t *utf8, int32_t length,
                         uint8_t *out, int32_t cap);

/// Every word of ICU's Chinese/Japanese dictionary (cjdict) in its order (sorted by UTF-16
/// code units), with its cost (ICU's segmenter minimises the sum of its words' costs, 1–255).
/// Word i is units[ends[i-1] ..< ends[i]] (ends[-1] being 0). Returns the number of words and
/// sets *unit_count; when either exceeds its cap, nothing useful was written: call again with
/// larger buffers. Returns -1 when ICU has no such dictionary, or one of another layout (not a
/// UTF-16 trie, or costs outside 1–255).
int32_t sd_cjdict_words(uint16_t *units, int32_t unit_cap, int32_t *ends, uint8_t *costs,
                        int32_t word_cap, int32_t *unit_count);

#ifdef __cplusplus
}
#endif

#endif
