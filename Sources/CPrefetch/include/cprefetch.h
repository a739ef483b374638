// A hint Swift cannot give: fetch a cache line ahead of its use. The indexer looks up a
// batch of terms in tables larger than the CPU caches; prefetching the whole batch's lines
// first overlaps their cache misses (see Inversion in SegmentWriter.swift).
#ifndef SEARCHD_CPREFETCH_H
#define SEARCHD_CPREFETCH_H

/// Asks the CPU to fetch the cache line holding p, to be written soon. Only a hint: any
/// address is fine, nothing is read or faulted.
static inline void sd_prefetch(const void *p) { __builtin_prefetch(p, 1, 3); }

/// The same, for a line that is only read (the searcher's field lengths).
static inline void sd_prefetch_read(const void *p) { __builtin_prefetch(p, 0, 3); }

/// Tells the CPU the thread is spinning, waiting for another (x86's PAUSE): the other
/// hardware thread of its core runs on meanwhile, and leaving the loop costs no pipeline flush.
static inline void sd_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
