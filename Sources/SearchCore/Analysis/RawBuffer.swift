#if canImport(Glibc)
import Glibc
#endif

/// A growable buffer of plain values for hot loops: no copy-on-write, no exclusivity checks
/// (it is a value holding a pointer), no bounds checks in release builds. Its owner calls
/// `free()`; copies share the storage, so only one of them may be used at a time.
struct RawBuffer<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int = 64) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    func free() { base.deallocate() }

    var isEmpty: Bool { count == 0 }

    @inline(__always)
    subscript(i: Int) -> Element {
        get {
            assert(i >= 0 && i < count)
            return base[i]
        }
        nonmutating set {
            assert(i >= 0 && i < count)
            base[i] = newValue
        }
    }

    var last: Element? { count > 0 ? base[count - 1] : nil }

    @inline(__always)
    mutating func append(_ value: Element) {
        if count == capacity { grow(count + 1) }
        base[count] = value
        count += 1
    }

    @inline(__always)
    mutating func append(_ values: UnsafePointer<Element>, count n: Int) {
        if count + n > capacity { grow(count + n) }
        if n <= 8 {  // terms are short: a loop beats a call to memmove
            for k in 0..<n { base[count + k] = values[k] }
        } else {
            (base + count).update(from: values, count: n)
        }
        count += n
    }

    mutating func append(repeating value: Element, count n: Int) {
        if count + n > capacity { grow(count + n) }
        (base + count).update(repeating: value, count: n)
        count += n
    }

    @inline(__always)
    mutating func removeAll() { count = 0 }

    /// Makes room for `n` elements (the contents are kept).
    mutating func reserveCapacity(_ n: Int) {
        if n > capacity { grow(n) }
    }

    /// Declares the first `n` elements written (by C code, into `base`).
    mutating func setCount(_ n: Int) {
        precondition(n <= capacity)
        count = n
    }

    var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    private mutating func grow(_ needed: Int) {
        var c = capacity * 2
        while c < needed { c *= 2 }
        let b = UnsafeMutablePointer<Element>.allocate(capacity: c)
        b.update(from: base, count: count)
        base.deallocate()
        base = b
        capacity = c
    }
}

extension RawBuffer {
    /// A buffer holding a copy of `values`.
    static func copy(of values: [Element]) -> RawBuffer {
        var b = RawBuffer(capacity: values.count)
        b.set(values)
        return b
    }

    /// Makes the contents a copy of `values`.
    mutating func set(_ values: [Element]) {
        removeAll()
        values.withUnsafeBufferPointer { if let base = $0.baseAddress { append(base, count: $0.count) } }
    }

    /// A buffer of n elements, to be written before they are read.
    static func unset(_ n: Int) -> RawBuffer {
        var b = RawBuffer(capacity: n)
        b.setCount(n)
        return b
    }

    /// A buffer of n zero-filled elements (all-zero bits: 0, false, +0.0).
    static func zeroed(_ n: Int) -> RawBuffer {
        let b = unset(n)
        UnsafeMutableRawPointer(b.base).initializeMemory(as: UInt8.self, repeating: 0, count: n * MemoryLayout<Element>.stride)
        return b
    }
}

extension RawBuffer where Element == UInt8 {
    /// The bytes equal these bytes.
    func elementsEqual(_ other: RawBuffer<UInt8>) -> Bool {
        count == other.count && memcmp(base, other.base, count) == 0
    }
}
