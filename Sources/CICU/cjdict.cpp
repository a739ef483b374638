// ICU's Chinese/Japanese dictionary (cjdict), read word by word. Its trie is C++ API only
// (UCharsTrie), hence this file; Swift builds its own lookup structure from the words.
#include "cicu.h"

#include <unicode/ucharstrie.h>
#include <unicode/udata.h>
#include <unicode/unistr.h>

int32_t sd_cjdict_words(uint16_t *units, int32_t unit_cap, int32_t *ends, uint8_t *costs,
                        int32_t word_cap, int32_t *unit_count) {
    UErrorCode status = U_ZERO_ERROR;
    // The dictionary file: int32 indexes (the trie's offset first, its type fifth), then the trie.
    UDataMemory *file = udata_open(U_ICUDATA_NAME U_TREE_SEPARATOR_STRING "brkitr", "dict", "cjdict", &status);
    if (U_FAILURE(status)) return -1;
    const uint8_t *data = static_cast<const uint8_t *>(udata_getMemory(file));
    const int32_t *indexes = reinterpret_cast<const int32_t *>(data);
    const int32_t ucharsTrie = 1, typeMask = 7;
    if ((indexes[4] & typeMask) != ucharsTrie) {
        udata_close(file);
        return -1;
    }
    const char16_t *trie = reinterpret_cast<const char16_t *>(data + indexes[0]);
    icu::UCharsTrie::Iterator words(trie, 0, status);
    int32_t count = 0, used = 0;
    while (U_SUCCESS(status) && words.next(status)) {
        const icu::UnicodeString &word = words.getString();
        int32_t cost = words.getValue();
        if (cost < 1 || cost > 255) {  // the segmenter keeps costs in a byte, 0 meaning "no word"
            udata_close(file);
            return -1;
        }
        if (count < word_cap && used + word.length() <= unit_cap) {
            word.extract(0, word.length(), reinterpret_cast<char16_t *>(units + used));
            ends[count] = used + word.length();
            costs[count] = static_cast<uint8_t>(cost);
        }
        used += word.length();
        count++;
    }
    udata_close(file);
    if (U_FAILURE(status)) return -1;
    *unit_count = used;
    return count;
}
