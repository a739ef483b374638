import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The machine's cores, and how work is spread over them: `map` (a search's parts, which
/// must start within microseconds, go through `HelperThreads` instead).
public enum Cores {
    /// The cores this process may run on, read once at start (searches ask): its CPU
    /// affinity — systemd's `CPUAffinity=`, `taskset`, a container's cpuset — else the cores
    /// online. Threads beyond them would only take turns.
    public static let available = usable()

    /// The calling thread's CPUs (its affinity mask, the kernel's `Cpus_allowed`: Swift's
    /// Glibc leaves out `sched_getaffinity`), else the cores online.
    static func usable() -> Int {
        let online = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        guard let file = fopen("/proc/thread-self/status", "r") else { return online }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let line {
            let text = String(cString: line)
            guard text.hasPrefix("Cpus_allowed:") else { continue }
            // a hex mask in groups of 32 bits: "ff" or "00000000,00000003"
            let count = text.dropFirst("Cpus_allowed:".count).reduce(0) { $0 + ($1.hexDigitValue?.nonzeroBitCount ?? 0) }
            return count > 0 ? count : online
        }
        return online
    }

    /// `body(0) … body(count - 1)` on up to `count` threads at once, the results in order
    /// (one call runs on the calling thread). Each call may only read what they share.
    public static func map<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
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
