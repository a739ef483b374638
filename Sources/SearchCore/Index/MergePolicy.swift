/// Chooses segments to merge, so that the segment count stays bounded (each search visits
/// every segment) without rewriting big segments often.
public protocol MergePolicy {
    /// Indices of segments to merge into one, or nil when nothing needs merging.
    func select(_ segments: [SegmentInfo]) -> [Int]?
}

/// Segments grouped in tiers of size (live documents ×`segmentsPerTier` per tier, from
/// `floorDocuments` up); a tier holding `segmentsPerTier` segments is merged into one of the
/// next tier. A segment with more than a third of its documents deleted is rewritten alone.
/// So an index of n documents keeps O(segmentsPerTier · log n) segments, and a document is
/// rewritten O(log n) times over its life.
public struct TieredMergePolicy: MergePolicy {
    public var segmentsPerTier: Int
    public var floorDocuments: Int

    public init(segmentsPerTier: Int = 8, floorDocuments: Int = 1000) {
        self.segmentsPerTier = max(2, segmentsPerTier)
        self.floorDocuments = max(1, floorDocuments)
    }

    func tier(_ info: SegmentInfo) -> Int {
        var size = max(info.liveCount, 1), t = 0
        while size > floorDocuments {
            size /= segmentsPerTier
            t += 1
        }
        return t
    }

    public func select(_ segments: [SegmentInfo]) -> [Int]? {
        var tiers: [Int: [Int]] = [:]
        for (i, s) in segments.enumerated() { tiers[tier(s), default: []].append(i) }
        for t in tiers.keys.sorted() {
            let members = tiers[t]!
            if members.count >= segmentsPerTier {
                return Array(members.sorted { segments[$0].liveCount < segments[$1].liveCount }.prefix(segmentsPerTier))
            }
        }
        if let i = segments.indices.first(where: { segments[$0].deletedCount * 3 > segments[$0].docCount }) { return [i] }
        return nil
    }
}
