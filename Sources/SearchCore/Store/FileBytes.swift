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

    deinit { release?(buffer) }

    /// Lets the pages before `offset` leave this process's memory (a merge reads each file
    /// once, front to back: without this a merge's resident size grows to the size of the
    /// segments it reads). They are read again from the page cache if touched. Only for maps.
    func dropPages(before offset: Int) {
        guard isMapped, let base = buffer.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let length = min(offset, buffer.count) / page * page
        guard length > 0 else { return }
        madvise(UnsafeMutableRawPointer(mutating: base), length, Int32(MADV_DONTNEED))
    }
}
