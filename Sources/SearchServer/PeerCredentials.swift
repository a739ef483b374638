#if canImport(Glibc)
import Glibc
#endif

/// Who is at the other end of a Unix socket (SO_PEERCRED), and whether they may talk to
/// searchd: in user mode the same user (or root) only; in system mode also the members of the
/// socket's group. The layout is Linux's `struct ucred` (which Glibc's module map hides).
struct PeerCredentials: Equatable, Sendable {
    var pid: Int32
    var uid: UInt32
    var gid: UInt32

    static let option: Int32 = 17  // SO_PEERCRED

    /// Why the peer is refused, or nil when it is allowed.
    func refusal(group: UInt32?) -> String? {
        let me = getuid()
        if uid == me || uid == 0 { return nil }
        if let group, gid == group || Self.user(uid, isMemberOf: group) { return nil }
        return group == nil
            ? "uid \(uid) (pid \(pid)) is not the user searchd runs as (uid \(me))"
            : "uid \(uid) (pid \(pid)) is neither uid \(me) nor a member of group \(group ?? 0)"
    }

    private static func user(_ uid: UInt32, isMemberOf group: UInt32) -> Bool {
        guard let pw = getpwuid(uid), let name = pw.pointee.pw_name else { return false }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, pw.pointee.pw_gid, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(name, pw.pointee.pw_gid, &groups, &count) >= 0 else { return false }
        }
        return groups.prefix(Int(count)).contains(group)
    }

    /// The id of a group given by name or number.
    static func groupID(_ name: String) -> UInt32? {
        if let n = UInt32(name) { return n }
        return getgrnam(name).map { $0.pointee.gr_gid }
    }
}
