import Foundation
import SearchProtocol
import Testing

/// Documents that are not files, pushed over the socket (an editor's unsaved buffer).
struct PushTests {
    func result(_ response: Response) throws -> JSON { try response.outcome.get() }

    func error(_ response: Response) -> RPCError? {
        if case .failure(let e) = response.outcome { return e }
        return nil
    }

    @Test func addReplaceAndDelete() throws {
        let daemon = try RunningDaemon()
        let c = try Connection(path: daemon.socket)
        let added = try result(c.call("add", ["id": "buffer:1", "title": "Scratch", "text": "Unsaved thoughts about the narwhal.",
                                              "fields": ["date": "2024-07-01", "lang": "en"]]))
        #expect(added == ["id": "buffer:1", "committed": true])
        // answered once committed: searchable at once
        #expect(try daemon.ids("narwhal") == ["buffer:1"])
        #expect(try daemon.ids("narwhal date:2024-07") == ["buffer:1"])
        _ = try result(c.call("add", ["id": "buffer:1", "text": "Now about the beluga."]))
        #expect(try daemon.ids("narwhal").isEmpty)
        #expect(try daemon.ids("beluga") == ["buffer:1"])
        #expect(try result(c.call("delete", ["id": "buffer:1"])) == ["id": "buffer:1", "deleted": true])
        #expect(try daemon.ids("beluga").isEmpty)
        #expect(try result(c.call("delete", ["id": "buffer:1"])) == ["id": "buffer:1", "deleted": false])
        // the seeds are untouched
        #expect(try daemon.ids("钱凯港").first == "004_4dc100a3c252a61c.txt")
    }

    @Test func badPushesAreRefusedWithReasons() throws {
        let daemon = try RunningDaemon()
        let c = try Connection(path: daemon.socket)
        let cases: [(JSON, Int, String)] = [
            (["id": "x"], RPCError.invalidParams, "missing param text"),
            (["id": "", "text": "t"], RPCError.invalidParams, "id must be a non-empty string"),
            (["id": "x", "text": 5], RPCError.invalidParams, "text must be a string"),
            (["id": "x", "text": "t", "colour": "red"], RPCError.invalidParams, "unknown param key colour"),
            (["id": "x", "text": "t", "fields": ["date": "yesterday"]], RPCError.invalidParams, "fields.date must be a date"),
            (["id": "x", "text": "t", "fields": ["author": "me"]], RPCError.invalidParams, "unknown fields key author"),
            (["id": "x", "text": "t", "fields": ["path": "/etc/passwd"]], RPCError.rejected, "under one of the sources"),
            (["id": "x", "text": "t", "fields": ["path": .string(Binaries.seeds + "/../../etc/passwd")]], RPCError.rejected, "under one of the sources"),
        ]
        for (params, code, message) in cases {
            let e = error(try c.call("add", params))
            #expect(e?.code == code, "\(params)")
            #expect(e?.message.contains(message) == true, "\(params): \(e?.message ?? "accepted")")
        }
        // a path under a root is a label editors jump to
        let path = Binaries.seeds + "/draft.md"
        _ = try result(c.call("add", ["id": "draft", "text": "A draft on the dugong.", "fields": ["path": .string(path)]]))
        let hit = try JSON.parse(Array(try daemon.search(["--json", "dugong"]).stdout.utf8))
        #expect(hit["path"]?.stringValue == path)
    }

    @Test func pushedDocumentsOutliveARestartAndFilesWinOnSave() throws {
        let directory = try temporaryDirectory("searchd-push")
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let socket = directory.appendingPathComponent("searchd.sock").path
        let config = try writeConfig(in: directory, socket: socket, sources: [root.path])
        do {
            let daemon = try RunningDaemon(configFile: config, socket: socket)
            let c = try Connection(path: socket)
            _ = try c.call("add", ["id": "note:7", "text": "The manatee is pushed."]).outcome.get()
            // an editor pushes the unsaved buffer of a file under its own id...
            _ = try c.call("add", ["id": "memo.md", "text": "Unsaved: the manatee's cousin.", "fields": ["path": .string(root.path + "/memo.md")]]).outcome.get()
            #expect(try daemon.ids("cousin") == ["memo.md"])
            // ...and when the file is saved, the file's text replaces it
            try "Saved: the dugong.".save(to: root.appendingPathComponent("memo.md"))
            try eventually("the saved file replaces the pushed text") { try daemon.ids("dugong") == ["memo.md"] }
            #expect(try daemon.ids("cousin").isEmpty)
            daemon.signal(SIGTERM)
            #expect(daemon.waitForExit() == 0)
        }
        let again = try RunningDaemon(configFile: config, socket: socket)
        #expect(try again.ids("manatee") == ["note:7"])
        #expect(try again.ids("dugong") == ["memo.md"])
    }

    @Test func aConnectionReadsItsOwnWrites() throws {
        let daemon = try RunningDaemon()
        let c = try Connection(path: daemon.socket)
        // sent at once: a push (answered after its commit), a search, a ping
        try c.send(Request(id: 1, method: "add", params: ["id": "order", "text": "The ordered okapi."]).line)
        try c.send(Request(id: 2, method: "search", params: ["query": "okapi"]).line)
        try c.send(Request(id: 3, method: "ping", params: [:]).line)
        let responses = try (0..<3).map { _ in try Response.decode(try c.readLine()) }
        #expect(responses.map(\.id) == [1, 2, 3])
        // the search came after the push on this connection: it sees the pushed document
        #expect(try responses[1].outcome.get()["hits"]?.arrayValue?.first?["id"] == "order")
    }
}
