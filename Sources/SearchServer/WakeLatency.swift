#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// Keeps idle CPUs out of sleep states while requests come in, and for `hold` after the last
/// one, through the kernel's CPU latency QoS (/dev/cpu_dma_latency: a request of 0 µs makes
/// idle CPUs poll instead of halting; closing or raising it lets them sleep again).
///
/// Why: between two requests searchd's thread sleeps, and waking it on a CPU that halted costs
/// tens of microseconds, more on a virtual machine, where a halted CPU also comes back with
/// colder caches; on this project's 2-core VM a 21 MB search answered in 38 µs in a loop took
/// 82–102 µs after an idle gap, and with the request held the socket's p50 fell from 152 to
/// 102 µs (1 GB: 533 to 380 µs; Docs/BENCHMARKS.md). Held only while requests come in, so an
/// idle searchd costs nothing; tuned's latency-performance profile holds the same request
/// for good.
///
/// Writing the device needs root, or a udev rule that gives it to searchd's group
/// (Docs/OPERATIONS.md); without it searchd runs as before and says so once.
final class WakeLatency: Sendable {
    static let device = "/dev/cpu_dma_latency"
    /// The kernel's "no constraint" (PM_QOS_CPU_LATENCY_DEFAULT_VALUE, in µs).
    static let unconstrained: Int32 = 2_000_000_000

    private let fd: Int32
    private let hold: Duration
    private let state: Mutex<State>
    private let timer = DispatchQueue(label: "searchd.wake-latency")

    private struct State {
        var holding = false
        var last: ContinuousClock.Instant
    }

    /// Opens the device for a hold of `seconds` after each request.
    init(hold seconds: Double) throws(SystemError) {
        let fd = open(Self.device, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError(Self.device) }
        self.fd = fd
        hold = .milliseconds(Int64(seconds * 1000))
        state = Mutex(State(last: .now))
    }

    deinit { close(fd) }

    /// A request came in: hold the latency request from now until `hold` after the last one.
    func requested() {
        let now = ContinuousClock.now
        state.withLock { s in
            s.last = now
            guard !s.holding else { return }
            s.holding = true
            request(0)
            release(after: hold)
        }
    }

    private func release(after delay: Duration) {
        let nanoseconds = Int(delay.components.seconds) * 1_000_000_000 + Int(delay.components.attoseconds / 1_000_000_000)
        timer.asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [self] in
            state.withLock { s in
                let idle = ContinuousClock.now - s.last
                if idle < hold { return release(after: hold - idle) }
                s.holding = false
                request(Self.unconstrained)
            }
        }
    }

    /// Replaces this process's request (written under the lock: a release and a new hold
    /// cannot land in the wrong order).
    private func request(_ microseconds: Int32) {
        var value = microseconds
        _ = withUnsafeBytes(of: &value) { write(fd, $0.baseAddress, $0.count) }
    }
}
