import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The machine's cores, and the one way work is spread over them.
public enum Cores {
    /// Cores online, read once: sysconf reads a file under /sys each time, and searches ask.
    public static let available = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// `body(0) … body(count - 1)` on up to `count` threads at once, the results in order
    /// (one call runs on the calling thread). Each call may only read what they share.
    static func map<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        guard count > 1 else { return count == 1 ? [body(0)] : [] }
        var results = [T?](repeating: nil, count: count)
        withoutActuallyEscaping(body) { body in
            results.withUnsafeMutableBufferPointer { slots in
                // each call writes its own slot
                let shared = UncheckedSendable((body: body, slots: slots))
                DispatchQueue.concurrentPerform(iterations: count) { i in
                    shared.value.slots[i] = shared.value.body(i)
                }
            }
        }
        return results.map { $0! }
    }
}

/// Hands a non-Sendable value to threads that only read it.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
