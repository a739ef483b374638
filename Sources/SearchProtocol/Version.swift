/// Versions of searchd and of its protocol (see Docs/PROTOCOL.md for how they evolve).
public enum Version {
    /// The release of searchd and search.
    public static let searchd = "0.7.1"
    /// The protocol: the major number changes only with incompatible changes.
    public static let protocolVersion = "1.3"
}
