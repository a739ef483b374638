import Foundation
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
