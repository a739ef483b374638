import Foundation
import Synchronization
import Testing
@testable import SearchCore

struct CoresTests {
    /// `taskset -c 0 searchd` (or systemd's `CPUAffinity=0`) gets one indexing thread and
    /// one-part searches, not as many threads as the machine has cores. The test pins its
    /// own thread with `taskset -p` (Swift's Glibc has no `sched_setaffinity`), then restores it.
    @Test func coresFollowTheAffinityMask() throws {
        let online = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let before = Cores.usable()
        #expect(before >= 1 && before <= online)
        // this thread's id: /proc/thread-self links to <pid>/task/<tid>
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")
        let tid = try #require(link.split(separator: "/").last.map(String.init))
        let mask = try taskset(["-p", tid]).split(separator: ":").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        try #require(!mask.isEmpty)
        defer { _ = try? taskset(["-p", mask, tid]) }
        // the first CPU it may use ("0-1", "2,5"): not always 0 in a container
        let list = try taskset(["-p", "-c", tid]).split(separator: ":").last ?? ""
        let first = try #require(list.split(whereSeparator: { !$0.isNumber }).first.map(String.init))
        _ = try taskset(["-p", "-c", first, tid])
        #expect(Cores.usable() == 1)
        _ = try taskset(["-p", mask, tid])
        #expect(Cores.usable() == before)
    }

    /// Helpers woken before their parts are known run them with the calling thread, the
    /// results in order, whether they come at once, late (after their patience: the caller
    /// runs every part), or for fewer parts than helpers.
    @Test(arguments: [(0, 1), (1, 2), (1, 7), (3, 2), (3, 16)])
    func helpersRunEveryPartOnce(helpers: Int, parts: Int) throws {
        for late in [false, true] {
            let threads = HelperThreads(count: helpers)
            if late { usleep(UInt32(HelperThreads.patience / .microseconds(1)) + 3000) }
            let ran = Atomic<Int>(0)
            let results = threads.map(parts) { i -> Int in
                ran.add(1, ordering: .relaxed)
                return i * i
            }
            #expect(results == (0..<parts).map { $0 * $0 })
            #expect(ran.load(ordering: .relaxed) == parts)
        }
        HelperThreads(count: 2).close()  // a search that posts no parts lets its helpers go
    }

    private func taskset(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "taskset \(arguments)")
        return String(decoding: data, as: UTF8.self)
    }
}
