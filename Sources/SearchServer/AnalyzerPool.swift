import SearchCore
import Synchronization

/// Analyzers ready for reuse by requests: an analyzer holds scratch buffers and an ICU break
/// iterator that cost more to make than a search takes. A request takes one, uses it on its
/// thread, and gives it back.
final class AnalyzerPool: Sendable {
    private let free = Mutex<[UncheckedSendableBox<Analyzer>]>([])

    func withAnalyzer<T, E: Error>(_ body: (Analyzer) throws(E) -> T) throws(E) -> T {
        let analyzer = free.withLock { $0.popLast()?.value } ?? Analyzer()
        defer { free.withLock { $0.append(UncheckedSendableBox(analyzer)) } }
        return try body(analyzer)
    }
}
