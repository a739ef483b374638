#if canImport(Glibc)
import Glibc
#endif

/// Where searchd and its clients meet when no path is given, following the XDG base
/// directory specification: the socket in $XDG_RUNTIME_DIR, the index in $XDG_DATA_HOME.
public enum DefaultPaths {
    /// $SEARCHD_SOCKET when set (clients of a system searchd set it to
    /// /run/searchd/searchd.sock); else $XDG_RUNTIME_DIR/searchd.sock; without it,
    /// /run/user/UID/searchd.sock when that directory exists, else
    /// $TMPDIR (or /tmp)/searchd-UID/searchd.sock.
    public static func socket(environment: [String: String] = environ()) -> String {
        if let path = environment["SEARCHD_SOCKET"], !path.isEmpty { return path }
        return runtimeDirectory(environment: environment) + "/searchd.sock"
    }

    public static func runtimeDirectory(environment: [String: String] = environ()) -> String {
        if let dir = environment["XDG_RUNTIME_DIR"], dir.hasPrefix("/") { return dir }
        let uid = getuid()
        var st = stat()
        if stat("/run/user/\(uid)", &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR && st.st_uid == uid {
            return "/run/user/\(uid)"
        }
        let tmp = environment["TMPDIR"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp"
        return "\(tmp)/searchd-\(uid)"
    }

    /// $XDG_DATA_HOME/searchd, else ~/.local/share/searchd.
    public static func dataDirectory(environment: [String: String] = environ()) -> String {
        if let dir = environment["XDG_DATA_HOME"], dir.hasPrefix("/") { return dir + "/searchd" }
        return home(environment) + "/.local/share/searchd"
    }

    /// $XDG_CONFIG_HOME/searchd/searchd.toml, else ~/.config/searchd/searchd.toml.
    public static func configFile(environment: [String: String] = environ()) -> String {
        if let dir = environment["XDG_CONFIG_HOME"], dir.hasPrefix("/") { return dir + "/searchd/searchd.toml" }
        return home(environment) + "/.config/searchd/searchd.toml"
    }

    private static func home(_ environment: [String: String]) -> String {
        if let h = environment["HOME"], h.hasPrefix("/") { return h }
        if let pw = getpwuid(getuid()), let dir = pw.pointee.pw_dir { return String(cString: dir) }
        return "/tmp"
    }

    /// The process environment as a dictionary.
    public static func environ() -> [String: String] {
        var result: [String: String] = [:]
        var p = Glibc.environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { result[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return result
    }
}
