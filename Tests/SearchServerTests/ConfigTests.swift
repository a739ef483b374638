import Testing
@testable import SearchServer

struct ConfigTests {
    let env = ["HOME": "/home/u", "XDG_RUNTIME_DIR": "/run/user/1000", "XDG_DATA_HOME": "/home/u/.local/share"]

    @Test func defaultsFollowXDG() {
        let c = Config(environment: env)
        #expect(c.socket == "/run/user/1000/searchd.sock")
        #expect(c.dataDirectory == "/home/u/.local/share/searchd")
        #expect(c.sources == ["seeds"])
    }

    @Test func fallbacksWithoutXDG() {
        let c = Config(environment: ["HOME": "/home/u"])
        #expect(c.dataDirectory == "/home/u/.local/share/searchd")
        #expect(c.socket.hasSuffix("/searchd.sock"))
    }

    @Test func fileOverridesDefaults() throws {
        let c = try Config.parse("""
            socket = "/tmp/s.sock"
            data_dir = "~/idx"
            sources = ["~/notes", "/srv/docs"]
            max_file_size = 1024
            log_level = "debug"
            """, environment: env)
        #expect(c.socket == "/tmp/s.sock")
        #expect(c.dataDirectory == "/home/u/idx")
        #expect(c.sources == ["/home/u/notes", "/srv/docs"])
        #expect(c.maxFileSize == 1024)
        #expect(c.logLevel == "debug")
    }

    /// The shipped config/searchd.toml documents the defaults: parsing it changes nothing.
    @Test func shippedConfigIsTheDefaults() throws {
        let path = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        var parsed = try Config.load(path: "/" + path + "/config/searchd.toml", environment: env)
        let defaults = Config(environment: env)
        // the shipped file spells the XDG paths out; compare everything else
        parsed.socket = defaults.socket
        parsed.dataDirectory = defaults.dataDirectory
        #expect(parsed == defaults)
    }

    @Test func systemServiceConfigIsValid() throws {
        let path = "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/") + "/systemd/searchd.toml"
        let config = try Config.load(path: path, environment: env)
        #expect(config.socket == "/run/searchd/searchd.sock")
        #expect(config.socketGroup == "searchd")
        #expect(config.dataDirectory == "/var/lib/searchd")
    }

    @Test(arguments: [
        ("sockett = \"x\"", "unknown key sockett"),
        ("sources = \"seeds\"", "sources must be an array of strings"),
        ("max_file_size = -1", "max_file_size must be a positive integer"),
        ("log_level = \"loud\"", "log_level must be one of"),
        ("socket = ", "line 1"),
        ("watch = 1", "watch must be true or false"),
        ("client_timeout = -1", "client_timeout must be a number of seconds"),
        ("low_latency_hold = \"fast\"", "low_latency_hold must be a number of seconds"),
        ("exclude = [1]", "exclude must be an array of strings"),
    ])
    func badFilesSayWhy(text: String, message: String) {
        do {
            _ = try Config.parse(text, environment: env)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
        }
    }
}
