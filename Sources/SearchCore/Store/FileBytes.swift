/// Bytes that stay at one address for the life of the object: an owned copy or a memory map.
public final class FileBytes: @unchecked Sendable {
    public let buffer: UnsafeRawBufferPointer
    private let release: (@Sendable (UnsafeRawBufferPointer) -> Void)?

    public init(copying bytes: [UInt8]) {
        let b = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { b.copyMemory(from: $0) }
        buffer = UnsafeRawBufferPointer(rebasing: b[..<bytes.count])
        release = { UnsafeMutableRawBufferPointer(mutating: $0).deallocate() }
    }

    public init(mapped buffer: UnsafeRawBufferPointer, release: @escaping @Sendable (UnsafeRawBufferPointer) -> Void) {
        self.buffer = buffer
        self.release = release
    }

    deinit { release?(buffer) }
}
