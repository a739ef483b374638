import Foundation
import SearchProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// low_latency_hold: while requests come in searchd holds a CPU latency request of 0 µs
/// (/dev/cpu_dma_latency), and drops it once they stop. Checked against the kernel: reading
/// the device gives the latency every CPU must currently keep (the least of all requests).
@Suite(.serialized)
struct LowLatencyTests {
    static let device = "/dev/cpu_dma_latency"
    /// Root, and a kernel with the device (every Linux since 2.6.25 built with PM QoS).
    static let canHold = getuid() == 0 && FileManager.default.fileExists(atPath: device)

    /// The kernel's current CPU latency limit, in µs.
    static func currentLimit() throws -> Int32 {
        let fd = open(device, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DaemonError("cannot open \(device): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var value: Int32 = -1
        guard read(fd, &value, 4) == 4 else { throw DaemonError("cannot read \(device)") }
        return value
    }

    static func status(_ daemon: RunningDaemon) throws -> JSON {
        try Connection(path: daemon.socket).call("status").outcome.get()
    }

    @Test(.enabled(if: canHold, "only root may write /dev/cpu_dma_latency, and it must exist"))
    func heldWhileRequestsComeInThenReleased() throws {
        let daemon = try RunningDaemon(extraConfig: "low_latency_hold = 0.3")
        #expect(try Self.status(daemon)["low_latency"] == true)
        let connection = try Connection(path: daemon.socket)
        for _ in 0..<5 {
            let hits = try connection.call("search", ["query": "钱凯港"]).outcome.get()["hits"]?.arrayValue ?? []
            #expect(!hits.isEmpty)
            // right after a request the limit is searchd's 0 µs, whatever other processes ask
            #expect(try Self.currentLimit() == 0)
        }
        // released after the hold: the limit goes back up (other test daemons hold it
        // only while their own requests come in)
        try eventually(timeout: 10, "the latency request released") { try Self.currentLimit() > 0 }
        // and held again by the next request
        _ = try connection.call("search", ["query": "Chancay"]).outcome.get()
        #expect(try Self.currentLimit() == 0)
    }

    @Test(.enabled(if: canHold, "other users are played through setpriv, which needs root; the device must exist"))
    func withoutTheDeviceSearchdSaysSoAndServes() throws {
        // nobody may not write the device: searchd logs why and answers as before
        let directory = try temporaryDirectory("searchd-latency")
        defer { try? FileManager.default.removeItem(at: directory) }
        chmod(directory.path, 0o777)
        let socket = directory.appendingPathComponent("searchd.sock").path
        let config = try writeConfig(in: directory, socket: socket, sources: [Binaries.seeds])
        let daemon = try RunningDaemon(configFile: config, socket: socket,
                                       launcher: ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"])
        #expect(try Self.status(daemon)["low_latency"] == false)
        #expect(daemon.logText.contains("cannot open \(Self.device): Permission denied"))
        #expect(try daemon.ids("钱凯港").first == "004_4dc100a3c252a61c.txt")
    }

    @Test func zeroTurnsItOff() throws {
        let daemon = try RunningDaemon(extraConfig: "low_latency_hold = 0")
        #expect(try Self.status(daemon)["low_latency"] == false)
        #expect(!daemon.logText.contains(Self.device))
    }
}
