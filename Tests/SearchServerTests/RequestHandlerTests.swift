import Foundation
import Logging
import SearchProtocol
import Testing
@testable import SearchServer

/// Golden request and response lines, answered by the real handler over the seeds.
final class RequestHandlerTests {
    let handler: RequestHandler
    let dataDirectory = "/tmp/searchd-test-\(UInt64.random(in: 0...UInt64.max))"

    init() throws {
        var config = Config()
        config.sources = ["/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/") + "/seeds"]
        config.dataDirectory = dataDirectory
        let service = IndexService(config: config, logger: Logger(label: "test"))
        try service.open()
        try service.update()
        handler = RequestHandler(service: service)
    }

    deinit { try? FileManager.default.removeItem(atPath: dataDirectory) }

    func reply(_ line: String) -> String? { handler.respond(to: Array(line.utf8)) }

    @Test func golden() {
        let cases: [(String, String?)] = [
            (#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, #"{"jsonrpc":"2.0","id":1,"result":"pong"}"#),
            (#"{"jsonrpc":"2.0","method":"ping"}"#, nil),  // a notification gets no response
            (#"{"jsonrpc":"2.0","id":"x","method":"nope"}"#,
             #"{"jsonrpc":"2.0","id":"x","error":{"code":-32601,"message":"unknown method nope"}}"#),
            (#"{"jsonrpc":"2.0","id":2,"method":"search","params":{}}"#,
             #"{"jsonrpc":"2.0","id":2,"error":{"code":-32602,"message":"missing param query"}}"#),
            (#"{"jsonrpc":"2.0","id":3,"method":"search","params":{"query":5}}"#,
             #"{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"query must be a string, not a number"}}"#),
            (#"{"jsonrpc":"2.0","id":4,"method":"search","params":{"query":"x","limit":-1}}"#,
             #"{"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"limit must be between 0 and 1000"}}"#),
            (#"{"jsonrpc":"2.0","id":5,"method":"search","params":{"query":"\"open"}}"#,
             #"{"jsonrpc":"2.0","id":5,"error":{"code":-32001,"message":"bad query: unbalanced quote at position 0","data":{"offset":0}}}"#),
            (#"{"jsonrpc":"2.0","id":6,"method":"search","params":{"query":"zzzzqqq"}}"#, nil),
            ("{", #"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error: expected a string key at byte 1"}}"#),
            (#"{"jsonrpc":"2.0","id":10,"method":"hello","params":{"protocol":"2.0"}}"#,
             #"{"jsonrpc":"2.0","id":10,"error":{"code":-32006,"message":"protocol 2.0 is not supported; searchd 0.7.1 speaks 1.3","data":{"protocol":"1.3"}}}"#),
            (#"{"jsonrpc":"2.0","id":11,"method":"add","params":{"id":"x"}}"#,
             #"{"jsonrpc":"2.0","id":11,"error":{"code":-32602,"message":"missing param text"}}"#),
            (#"{"jsonrpc":"2.0","id":12,"method":"add","params":{"id":"x","text":"t","fields":{"path":"/etc/passwd"}}}"#,
             #"{"jsonrpc":"2.0","id":12,"error":{"code":-32005,"message":"fields.path must be an absolute path under one of the sources"}}"#),
            (#"{"jsonrpc":"2.0","id":13,"method":"delete","params":{"id":"x","force":true}}"#,
             #"{"jsonrpc":"2.0","id":13,"error":{"code":-32602,"message":"unknown param key force"}}"#),
            (#"{"jsonrpc":"2.0","id":14,"method":"search","params":{"query":"x","mode":"some"}}"#,
             #"{"jsonrpc":"2.0","id":14,"error":{"code":-32602,"message":"mode must be \"any\" or \"all\""}}"#),
        ]
        for (request, expected) in cases where !(request.contains("zzzzqqq")) {
            #expect(reply(request) == expected, "\(request)")
        }
    }

    @Test func searchResultShape() throws {
        let line = try #require(reply(#"{"jsonrpc":"2.0","id":7,"method":"search","params":{"query":"钱凯港","limit":1}}"#))
        let result = try Response.decode(Array(line.utf8)).outcome.get()
        #expect(result["total"] == 1)
        let hit = try #require(result["hits"]?.arrayValue?.first)
        #expect(hit["rank"] == 1)
        #expect(hit["id"] == "004_4dc100a3c252a61c.txt")
        #expect(hit["title"] == "习近平会见秘鲁总统：盼钱凯港成为中拉陆海新通道")
        #expect(hit["line"] == 12 && hit["column"] == 35)
        #expect(hit["snippet"]?.stringValue?.contains("钱凯港") == true)
        let empty = try #require(reply(#"{"jsonrpc":"2.0","id":8,"method":"search","params":{"query":"zzzzqqq"}}"#))
        #expect(empty.hasPrefix(#"{"jsonrpc":"2.0","id":8,"result":{"total":0,"hits":[],"took_us":"#))
    }

    /// Search responses are written without a JSON tree: exactly what the tree would write.
    @Test func searchLinesAreWhatTheTreeWrites() throws {
        for params in [#""query":"钱凯港""#, #""query":"Boluarte Chancay","limit":3,"offset":1"#,
                       #""query":"puerto","snippets":false,"count_limit":1"#, #""query":"zzzzqqq""#,
                       #""query":"the","mode":"all","limit":50"#] {
            let line = try #require(reply(#"{"jsonrpc":"2.0","id":"q","method":"search","params":{"# + params + "}}"))
            #expect(try JSON.parse(Array(line.utf8)).serialized() == line)
            #expect(try Response.decode(Array(line.utf8)).outcome.get()["hits"] != nil)
        }
    }

    @Test func hello() throws {
        let line = try #require(reply(#"{"jsonrpc":"2.0","id":1,"method":"hello","params":{"client":"test","protocol":"1.0"}}"#))
        #expect(line == #"{"jsonrpc":"2.0","id":1,"result":{"server":"searchd","version":"0.7.1","protocol":"1.3","#
            + #""methods":["hello","ping","search","status","add","delete","reload"],"#
            + #""limits":{"max_line_length":1048576,"max_results":1000,"request_timeout_s":5,"client_timeout_s":10}}}"#)
    }

    @Test func status() throws {
        let line = try #require(reply(#"{"jsonrpc":"2.0","id":9,"method":"status"}"#))
        let result = try Response.decode(Array(line.utf8)).outcome.get()
        #expect(result["documents"] == 5)
        #expect(result["state"] == "ready")
        #expect(result["version"] == .string(Version.searchd))
        #expect((result["terms"]?.intValue ?? 0) > 1000)
        #expect((result["index_bytes"]?.intValue ?? 0) > 10_000)
        #expect(result["uptime_s"]?.doubleValue != nil)
    }
}
