import SearchServer
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Progress of an update on stderr: a bar redrawn in place on a terminal (files, MB, MB/s,
/// ETA), a plain line every few seconds otherwise (a log, a pipe, journald).
final class ProgressBar: Sendable {
    let terminal: Bool
    private let state = Mutex((last: 0.0, started: 0.0))

    init(terminal: Bool) {
        self.terminal = terminal
        state.withLock { $0.started = Self.now() }
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    func show(_ p: IndexService.Progress) {
        let now = Self.now()
        let (due, elapsed) = state.withLock { s -> (Bool, Double) in
            let interval = terminal ? 0.1 : 2.0
            let done = p.filesDone == p.filesTotal
            guard now - s.last >= interval || done else { return (false, 0) }
            s.last = now
            return (true, now - s.started)
        }
        guard due else { return }
        let numbers = p.summary(elapsed: elapsed)
        if terminal {
            let width = 30
            let filled = Int(Double(width) * p.fraction)
            write("\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] " + numbers + "\u{1B}[K")
        } else {
            write("indexing: " + numbers + "\n")
        }
    }

    func finish() {
        if terminal { write("\n") }
    }

    /// A line about what follows the reading (on a terminal, below the finished bar).
    func note(_ line: String) {
        write((terminal ? "" : "indexing: ") + line + "\n")
    }

    private func write(_ s: String) {
        var stderr = StandardError()
        stderr.write(s)
    }
}
