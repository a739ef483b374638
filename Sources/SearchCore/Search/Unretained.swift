/// Objects for the per-document loops, unretained: reading a class reference out of an array
/// retains and releases it, which was a tenth of a search's time at 1 GB (`perf`: retains in
/// `Searcher.collect` and `BoolScorer.add`). Whoever makes one keeps the objects alive and
/// frees it. The references live in a buffer of their own, not an array: a copy of the
/// struct (a local for a loop) would retain and release the array's storage.
struct Unretained<Object: AnyObject> {
    private let refs: UnsafeMutableBufferPointer<Unmanaged<Object>>

    init(_ objects: [Object]) {
        refs = .allocate(capacity: objects.count)
        _ = refs.initialize(from: objects.lazy.map { Unmanaged.passUnretained($0) })
    }

    func free() { refs.deallocate() }

    var count: Int { refs.count }
    var isEmpty: Bool { refs.isEmpty }

    @inline(__always)
    func with<R>(_ i: Int, _ body: (Object) -> R) -> R { refs[i]._withUnsafeGuaranteedRef(body) }
}
