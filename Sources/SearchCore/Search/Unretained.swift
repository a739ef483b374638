/// Objects for the per-document loops, unretained: reading a class reference out of an array
/// retains and releases it, which was a tenth of a search's time at 1 GB (`perf`: retains in
/// `Searcher.collect` and `BoolScorer.add`). Whoever makes one keeps the objects alive.
struct Unretained<Object: AnyObject> {
    private let refs: [Unmanaged<Object>]

    init(_ objects: [Object]) { refs = objects.map { Unmanaged.passUnretained($0) } }

    var count: Int { refs.count }
    var isEmpty: Bool { refs.isEmpty }

    @inline(__always)
    func with<R>(_ i: Int, _ body: (Object) -> R) -> R { refs[i]._withUnsafeGuaranteedRef(body) }
}
