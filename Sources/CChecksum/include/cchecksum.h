// CRC-32 (the IEEE / zlib polynomial) by carry-less multiplication, which Swift cannot ask
// the CPU for: 16 bytes per instruction pair instead of a table lookup per byte. Store's
// CRC32.swift uses it for long runs when the CPU has it, and its tables otherwise.
#ifndef SEARCHD_CCHECKSUM_H
#define SEARCHD_CCHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/// Whether sd_crc32_fold may be called (x86-64 with PCLMULQDQ and SSE4.1).
int sd_crc32_fold_available(void);

/// The CRC register after `length` bytes, from `crc` (the register, not the final value:
/// no inversion before or after). `length` is at least 64 and a multiple of 16.
uint32_t sd_crc32_fold(const uint8_t *bytes, size_t length, uint32_t crc);

#endif
