/// The end of a file of sorted entries in blocks (the term dictionary, the id table): a u64
/// offset per block, then the u64 offset of that index, a u32 block count and a u32 entry
/// count; then the footer.
enum BlockIndex {
    static func finish(_ file: FileWriter, blockOffsets: [UInt64], entries: Int) throws(StoreError) {
        let indexOffset = UInt64(file.count)
        try file.write { out in
            for o in blockOffsets { out.u64(o) }
            out.u64(indexOffset)
            out.u32(UInt32(blockOffsets.count))
            out.u32(UInt32(entries))
        }
        try file.finish()
    }
}
