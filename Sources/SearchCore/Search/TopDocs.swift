/// A ranked hit before its stored fields are loaded.
struct ScoredDoc: Comparable {
    /// Clauses matched: the first ranking key (documents matching all words first).
    var matched: Int
    /// Typos and cross-script matches: exact spellings first.
    var penalty: Int
    /// Exact-accent and whole-word matches.
    var exact: Int
    var score: Double
    var segment: Int
    var doc: UInt32

    /// Better hits sort first: more clauses, fewer typos, more exact forms, higher score,
    /// then index order.
    static func < (a: ScoredDoc, b: ScoredDoc) -> Bool {
        if a.matched != b.matched { return a.matched > b.matched }
        if a.penalty != b.penalty { return a.penalty < b.penalty }
        if a.exact != b.exact { return a.exact > b.exact }
        if a.score != b.score { return a.score > b.score }
        if a.segment != b.segment { return a.segment < b.segment }
        return a.doc < b.doc
    }
}

/// Keeps the best `capacity` hits seen: a binary heap with the worst kept hit on top.
struct TopDocs {
    let capacity: Int
    private var heap: [ScoredDoc] = []

    init(capacity: Int) { self.capacity = capacity }

    /// The hit a new one must beat to enter, once the heap is full.
    var threshold: ScoredDoc? { heap.count == capacity ? heap.first : nil }

    mutating func insert(_ hit: ScoredDoc) {
        guard capacity > 0 else { return }
        if heap.count < capacity {
            heap.append(hit)
            siftUp(heap.count - 1)
        } else if hit < heap[0] {
            heap[0] = hit
            siftDown(0)
        }
    }

    /// The kept hits, best first.
    func sorted() -> [ScoredDoc] { heap.sorted() }

    // The heap's root is its worst element: "a is worse than b" is b < a.
    private mutating func siftUp(_ i: Int) {
        var i = i
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[parent] < heap[i] else { break }
            heap.swapAt(parent, i)
            i = parent
        }
    }

    private mutating func siftDown(_ i: Int) {
        var i = i
        while true {
            let l = 2 * i + 1, r = l + 1
            var worst = i
            if l < heap.count && heap[worst] < heap[l] { worst = l }
            if r < heap.count && heap[worst] < heap[r] { worst = r }
            if worst == i { return }
            heap.swapAt(i, worst)
            i = worst
        }
    }
}
