/// Values by document id, as `IndexWriter` keeps where each live document is: one dictionary
/// per core, an id's chosen by a hash of its bytes, so that the ids of an `add` go in on
/// every core at once (`update`). In one dictionary, a core waited at the end of every `add`
/// while the other hashed its ids in (a 1 GB build's commits: a million ids).
final class LocationTable<Value> {
    private final class Shard {
        var table: [String: Value] = [:]
    }

    private let shards: [Shard]

    init(shards: Int = Cores.available) {
        self.shards = (0..<max(1, shards)).map { _ in Shard() }
    }

    /// The dictionary of an id (the term table's hash of its UTF-8: a few nanoseconds).
    private func shard(_ id: String) -> Shard {
        guard shards.count > 1 else { return shards[0] }
        var id = id
        let hash = id.withUTF8 { TermTable.hash($0) }
        return shards[Int(hash % UInt64(shards.count))]
    }

    var count: Int { shards.reduce(0) { $0 + $1.table.count } }

    /// Room for `count` more ids, each dictionary's share and a little more: a dictionary
    /// that lacks room doubles (growing to the exact count rehashed every id at every `add`).
    func reserve(adding count: Int) {
        let share = count / shards.count + count / (16 * shards.count) + 16
        for s in shards where s.table.count + share > s.table.capacity {
            s.table.reserveCapacity(max(s.table.count + share, 2 * s.table.capacity))
        }
    }

    subscript(id: String) -> Value? {
        get { shard(id).table[id] }
        set { shard(id).table[id] = newValue }
    }

    @discardableResult
    func updateValue(_ value: Value, forKey id: String) -> Value? { shard(id).table.updateValue(value, forKey: id) }

    func removeValue(forKey id: String) -> Value? { shard(id).table.removeValue(forKey: id) }

    /// The ids that start with `prefix`.
    func ids(withPrefix prefix: String) -> [String] { shards.flatMap { $0.table.keys.filter { $0.hasPrefix(prefix) } } }

    /// Replaces every value by `change(value)`, or leaves it when that is nil (in place).
    func changeValues(_ change: (Value) -> Value?) {
        for s in shards {
            // by index, not over `values.indices`, which would hold a second reference to the
            // dictionary and make the first write copy it
            var i = s.table.startIndex
            while i != s.table.endIndex {
                if let v = change(s.table.values[i]) { s.table.values[i] = v }
                i = s.table.index(after: i)
            }
        }
    }

    /// Sets the values that `feed` puts, in the order it puts them (a later value of an id
    /// replaces an earlier one), on every core at once: `feed` runs once per dictionary, on
    /// its own thread, and puts every pair (each call keeps its dictionary's ids). Returns
    /// the values replaced.
    func update(_ feed: (_ put: (String, Value) -> Void) -> Void) -> [Value] {
        Cores.map(shards.count) { k in
            let mine = shards[k]
            var replaced: [Value] = []
            feed { id, value in
                guard shard(id) === mine else { return }
                if let old = mine.table.updateValue(value, forKey: id) { replaced.append(old) }
            }
            return replaced
        }.flatMap { $0 }
    }
}
