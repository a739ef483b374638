import CPrefetch
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Threads asked for before their work is known, for a search of a large index: woken as the
/// search starts, they wait, spinning, while it plans and binds its query, so its parts start
/// together (through `Cores.map`, woken only once the parts were known, the second part
/// started 8–11 µs after the first on this project's VM), and the calling thread, spinning
/// too, sees the last part end without being woken (Docs/BENCHMARKS.md).
///
/// Each helper claims parts until none is left, as the calling thread does; a helper that is
/// late, or never comes, only leaves more parts to the others.
final class HelperThreads: @unchecked Sendable {
    /// How long a helper waits for the parts before it leaves them to the caller (a search's
    /// planning and binding take 10–50 µs; a first typo lookup, a few milliseconds).
    static let patience: Duration = .milliseconds(2)
    /// Spinning longer than this, a waiting thread yields its CPU at each turn (a busy
    /// machine may have put the thread it waits for on the same CPU).
    static let spinning: Duration = .microseconds(100)

    /// The parts, once posted (-1 before; 0 when the search ends without posting any).
    private let posted = Atomic<Int>(-1)
    /// The next part to claim, and the parts done.
    private let claimed = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    /// What each part runs: written before `posted`, read after it (release, acquire).
    private var job: ((Int) -> Void)?

    /// Wakes `count` helpers.
    init(count: Int) {
        for _ in 0..<count {
            DispatchQueue.global(qos: .userInitiated).async { [self] in
                let start = ContinuousClock.now
                var parts = posted.load(ordering: .acquiring)
                while parts < 0 {
                    let waited = ContinuousClock.now - start
                    if waited > Self.patience { return }
                    if waited > Self.spinning { sched_yield() } else { sd_spin_pause() }
                    parts = posted.load(ordering: .acquiring)
                }
                runParts(parts)
            }
        }
    }

    /// Ends the helpers' wait when no parts were posted (they give up after `patience` anyway).
    func close() {
        _ = posted.compareExchange(expected: -1, desired: 0, ordering: .releasing)
    }

    /// `body(0) … body(count - 1)` on the helpers and the calling thread, the results in
    /// order. Called once. Each call may only read what they share.
    func map<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        var results = [T?](repeating: nil, count: count)
        withoutActuallyEscaping(body) { body in
            results.withUnsafeMutableBufferPointer { slots in
                // each part writes its own slot
                let slots = UncheckedSendable(slots)
                job = { i in slots.value[i] = body(i) }
                posted.store(count, ordering: .releasing)
                runParts(count)
                let start = ContinuousClock.now
                while finished.load(ordering: .acquiring) < count {
                    if ContinuousClock.now - start > Self.spinning { sched_yield() } else { sd_spin_pause() }
                }
                job = nil  // no helper calls it now: every part was claimed and is done
            }
        }
        return results.map { $0! }
    }

    /// Claims and runs parts until none is left.
    private func runParts(_ count: Int) {
        while true {
            let i = claimed.wrappingAdd(1, ordering: .relaxed).oldValue
            guard i < count else { return }
            job!(i)
            finished.add(1, ordering: .releasing)
        }
    }
}
