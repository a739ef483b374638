import Testing
@testable import SearchServer

/// The progress line of `searchd index`: the time left only once it can be told.
struct ProgressTests {
    @Test func theTimeLeftWaitsForASecondAndAHundredthOfTheBytesOrTheEnd() {
        let start = IndexService.Progress(filesDone: 1, filesTotal: 7612, bytesDone: 3000, bytesTotal: 29_100_000)
        #expect(start.summary(elapsed: 0.002) == "1/7612 files  0.0/29.1 MB  1.5 MB/s  ETA -")
        #expect(start.summary(elapsed: 1.5).hasSuffix("ETA -"))  // a second, but not a hundredth
        let later = IndexService.Progress(filesDone: 3000, filesTotal: 7612, bytesDone: 10_000_000, bytesTotal: 29_100_000)
        #expect(later.summary(elapsed: 0.5).hasSuffix("ETA -"))  // a hundredth, but not a second
        #expect(later.summary(elapsed: 1) == "3000/7612 files  10.0/29.1 MB  10.0 MB/s  ETA 2 s")
        let done = IndexService.Progress(filesDone: 7612, filesTotal: 7612, bytesDone: 29_100_000, bytesTotal: 29_100_000)
        #expect(done.summary(elapsed: 0.9) == "7612/7612 files  29.1/29.1 MB  32.3 MB/s  ETA 0 s")
    }

    /// The bar fills by bytes: a JSON Lines file is one file of many documents.
    @Test func theBarFillsByBytes() {
        #expect(IndexService.Progress(filesDone: 0, filesTotal: 1, bytesDone: 250, bytesTotal: 1000).fraction == 0.25)
        #expect(IndexService.Progress(filesDone: 3, filesTotal: 4, bytesDone: 0, bytesTotal: 0).fraction == 0.75)
        #expect(IndexService.Progress(filesDone: 2, filesTotal: 2, bytesDone: 1200, bytesTotal: 1000).fraction == 1)
        #expect(IndexService.Progress(filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0).fraction == 1)
    }

    @Test(arguments: [(0.4, "0 s"), (59.4, "59 s"), (61, "1 min 01 s"), (3599, "59 min 59 s"), (7620, "2 h 07 min"), (-3, "0 s")])
    func durations(seconds: Double, text: String) {
        #expect(IndexService.Progress.duration(seconds) == text)
    }
}
