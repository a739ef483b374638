#if canImport(Glibc)
import Glibc
#endif

/// The word boundaries of runs met before (`CJKDictionary`'s or ICU's). A third of the Han text
/// of a corpus is in runs seen before (headings, common words and phrases: a count over the
/// benchmark corpus), and a lookup costs less than even `CJKDictionary`'s walk (measured: the
/// tokenizer 3–5% faster with the cache in front). A run's words depend on its bytes alone, so
/// a cached answer is ICU's answer.
///
/// Direct-mapped: a run's hash picks one slot, which keeps the last run that landed there.
/// A value of pointers (see `RawBuffer`); its owner calls `free()`.
struct WordBreakCache {
    /// Longest run kept (32 Han characters), and most words in one.
    static let maxRunBytes = 96
    static let maxWords = 32

    // slot layout: run length (0: empty), word count, run bytes, then per word its start
    // and end from the run's start
    private static let stride = 2 + maxRunBytes + 2 * maxWords
    private let slots: RawBuffer<UInt8>
    private let mask: Int

    init(slots count: Int = 2048) {
        precondition(count > 0 && count & (count - 1) == 0, "a power of two")
        var slots = RawBuffer<UInt8>(capacity: count * Self.stride)
        slots.append(repeating: 0, count: count * Self.stride)
        self.slots = slots
        mask = count - 1
    }

    func free() { slots.free() }

    /// Appends the run's cached boundaries (absolute: `start` plus the cached offsets) to
    /// `words`; false if the run is not cached.
    func lookup(_ run: UnsafeBufferPointer<UInt8>, start: Int32, into words: inout RawBuffer<Int32>) -> Bool {
        guard let slot = slot(run) else { return false }
        guard Int(slot[0]) == run.count, memcmp(slot + 2, run.baseAddress!, run.count) == 0 else { return false }
        let bounds = slot + 2 + Self.maxRunBytes
        for k in 0..<2 * Int(slot[1]) { words.append(start + Int32(bounds[k])) }
        return true
    }

    /// Keeps the run's boundaries (`words`, absolute, `start` being the run's) if they fit.
    func store(_ run: UnsafeBufferPointer<UInt8>, start: Int32, words: RawBuffer<Int32>) {
        guard let slot = slot(run), words.count <= 2 * Self.maxWords else { return }
        slot[0] = UInt8(run.count)
        slot[1] = UInt8(words.count / 2)
        (slot + 2).update(from: run.baseAddress!, count: run.count)
        let bounds = slot + 2 + Self.maxRunBytes
        for k in 0..<words.count { bounds[k] = UInt8(words[k] - start) }
    }

    /// The slot of a run that may be cached (non-empty, short enough).
    private func slot(_ run: UnsafeBufferPointer<UInt8>) -> UnsafeMutablePointer<UInt8>? {
        guard run.count > 0, run.count <= Self.maxRunBytes else { return nil }
        return slots.base + (Int(truncatingIfNeeded: TermTable.hash(run)) & mask) * Self.stride
    }
}
