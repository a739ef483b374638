#include "cchecksum.h"

#if defined(__x86_64__)
#include <immintrin.h>

// Bit-reflected constants of P(x) = 0x104C11DB7 (reflected 0xEDB88320), each x^k mod P(x)
// shifted for the reflected domain (Intel, "Fast CRC Computation for Generic Polynomials
// Using PCLMULQDQ", 2009): folding a 128-bit lane forward by 512 bits (x^544, x^480), by
// 128 bits (x^160, x^96), 64 bits down to 32 (x^64), then Barrett's reduction by P and
// its quotient floor(x^64 / P).
static const uint64_t by512[2] = {0x0154442bd4, 0x01c6e41596};
static const uint64_t by128[2] = {0x01751997d0, 0x00ccaa009e};
static const uint64_t by64[2] = {0x0163cd6124, 0};
static const uint64_t barrett[2] = {0x01db710641, 0x01f7011641};

int sd_crc32_fold_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
}

// One lane folded forward by the distance in k (its low and high halves multiplied by
// k's two constants), added to the data that distance ahead.
__attribute__((target("pclmul,sse4.1")))
static inline __m128i fold(__m128i lane, __m128i k, __m128i ahead) {
    __m128i low = _mm_clmulepi64_si128(lane, k, 0x00);
    __m128i high = _mm_clmulepi64_si128(lane, k, 0x11);
    return _mm_xor_si128(_mm_xor_si128(low, high), ahead);
}

__attribute__((target("pclmul,sse4.1")))
uint32_t sd_crc32_fold(const uint8_t *p, size_t n, uint32_t crc) {
    // four lanes of 16 bytes, the register added into the first
    __m128i a = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), _mm_cvtsi32_si128((int)crc));
    __m128i b = _mm_loadu_si128((const __m128i *)(p + 16));
    __m128i c = _mm_loadu_si128((const __m128i *)(p + 32));
    __m128i d = _mm_loadu_si128((const __m128i *)(p + 48));
    p += 64;
    n -= 64;
    __m128i k = _mm_loadu_si128((const __m128i *)by512);
    for (; n >= 64; p += 64, n -= 64) {
        a = fold(a, k, _mm_loadu_si128((const __m128i *)p));
        b = fold(b, k, _mm_loadu_si128((const __m128i *)(p + 16)));
        c = fold(c, k, _mm_loadu_si128((const __m128i *)(p + 32)));
        d = fold(d, k, _mm_loadu_si128((const __m128i *)(p + 48)));
    }
    // the four lanes into one, then the 16-byte blocks left
    k = _mm_loadu_si128((const __m128i *)by128);
    a = fold(a, k, b);
    a = fold(a, k, c);
    a = fold(a, k, d);
    for (; n >= 16; p += 16, n -= 16) a = fold(a, k, _mm_loadu_si128((const __m128i *)p));

    // 128 bits to 64: the low half times x^96, plus the high half
    const __m128i low32 = _mm_setr_epi32(~0, 0, ~0, 0);
    a = _mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x10), _mm_srli_si128(a, 8));
    // 64 bits to 32 (plus 32 carried)
    k = _mm_loadu_si128((const __m128i *)by64);
    a = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(a, low32), k, 0x00), _mm_srli_si128(a, 4));
    // Barrett: subtract floor(a * mu / x^64) * P
    k = _mm_loadu_si128((const __m128i *)barrett);
    __m128i t = _mm_clmulepi64_si128(_mm_and_si128(a, low32), k, 0x10);
    t = _mm_clmulepi64_si128(_mm_and_si128(t, low32), k, 0x00);
    return (uint32_t)_mm_extract_epi32(_mm_xor_si128(a, t), 1);
}

#else

int sd_crc32_fold_available(void) { return 0; }

uint32_t sd_crc32_fold(const uint8_t *p, size_t n, uint32_t crc) {
    (void)p;
    (void)n;
    return crc;  // never called: not available
}

#endif
