import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Bytes that stay at one address for the life of the object: an owned copy or a memory map.
public final class FileBytes: @unchecked Sendable {
    public let buffer: UnsafeRawBufferPointer
    /// A map of a file (not an owned copy): its pages can leave memory and come back.
    public let isMapped: Bool
    private let release: (@Sendable (UnsafeRawBufferPointer) -> Void)?

    public init(copying bytes: [UInt8]) {
        isMapped = false
        let b = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { b.copyMemory(from: $0) }
        buffer = UnsafeRawBufferPointer(rebasing: b[..<bytes.count])
        release = { UnsafeMutableRawBufferPointer(mutating: $0).deallocate() }
    }

    public init(mapped buffer: UnsafeRawBufferPointer, release: @escaping @Sendable (UnsafeRawBufferPointer) -> Void) {
        self.buffer = buffer
        isMapped = true
        self.release = release
    }

    /// Where the pages dropped so far end.
    private let dropped = Atomic<Int>(0)
    var droppedEnd: Int { dropped.load(ordering: .relaxed) }
    /// Pages are dropped in steps of at least this many bytes: each drop interrupts every
    /// other core running the process (to flush its TLB), and in a VM an interrupt is slow.
    static let dropStep = 1 << 20

    deinit { release?(buffer) }

    /// Lets the pages before `offset` leave this process's memory (a merge reads each file
    /// once, front to back: without this a merge's resident size grows to the size of the
    /// segments it reads). They are read again from the page cache if touched — unless
    /// `evict`, which takes them out of the page cache too (for pages no search will read:
    /// the memory then goes to the next pages written at once, where a page never used before
    /// costs the kernel more, a VM's host most). Only for maps; only the pages since the last
    /// drop, once they are `dropStep` or the rest of the file.
    func dropPages(before offset: Int, evict: Bool = false) {
        guard isMapped, let base = buffer.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = dropped.load(ordering: .relaxed)
        let end = min(offset, buffer.count) / page * page
        guard end - start >= Self.dropStep || (offset >= buffer.count && end > start) else { return }
        advise(base + start, end - start, evict: evict)
        dropped.store(end, ordering: .relaxed)
    }

    /// Lets the whole pages inside `range` leave this process's memory (read again from the
    /// page cache if touched), apart from the steps of `dropPages`. Only for maps.
    func releasePages(_ range: Range<Int>) {
        guard isMapped, let base = buffer.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let (start, end) = ((range.lowerBound + page - 1) / page * page, min(range.upperBound, buffer.count) / page * page)
        guard end > start else { return }
        advise(base + start, end - start, evict: false)
    }

    /// Unmaps pages from this process; `evict`: from the page cache too, when the kernel can.
    private func advise(_ pages: UnsafeRawPointer, _ count: Int, evict: Bool) {
        let pages = UnsafeMutableRawPointer(mutating: pages)
        // MADV_PAGEOUT (Linux 5.4) reclaims the pages, written back or not (clean ones are freed)
        if !evict || madvise(pages, count, Self.madvPageout) != 0 {
            madvise(pages, count, Int32(MADV_DONTNEED))
        }
    }

    private static let madvPageout: Int32 = 21
}
