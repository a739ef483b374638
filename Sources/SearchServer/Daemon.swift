#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Logging
import NIOCore
import NIOPosix
import SearchProtocol
import SearchCore
import Synchronization

/// The daemon's life. Start: open the index for searches (its last commit), listen on the
/// socket (or take the one systemd passed), tell systemd READY=1, open the index's writer,
/// watch the sources, then bring the index up to date with them. SIGHUP: reread config and
/// synonyms. SIGTERM or SIGINT: stop accepting, answer what is in flight, commit, remove the
/// socket file, return.
public final class Daemon: Sendable {
    let logger: Logger
    public let service: IndexService
    /// Rereads the config for SIGHUP (nil: only the synonyms are reread).
    let loadConfig: (@Sendable () throws -> Config)?
    let environment: [String: String]
    private let notifier: SystemdNotifier
    private let connections = Connections()
    private let watcher = Mutex<Watcher?>(nil)
    /// Keeps idle CPUs awake while requests come in (nil: off, or searchd may not).
    private let wakeLatency: WakeLatency?

    /// Seconds in-flight requests get to finish when searchd stops.
    static let drainTimeout: Int64 = 5

    public init(config: Config, logger: Logger, environment: [String: String] = DefaultPaths.environ(),
                loadConfig: (@Sendable () throws -> Config)? = nil) {
        self.logger = logger
        self.service = IndexService(config: config, logger: logger)
        self.loadConfig = loadConfig
        self.environment = environment
        self.notifier = SystemdNotifier(environment: environment)
        self.wakeLatency = Self.openWakeLatency(hold: config.lowLatencyHold, logger: logger)
    }

    public func run() throws {
        let config = service.config
        let rules = try service.loadSynonyms()
        if rules > 0 { logger.info("loaded \(rules) synonym rules") }
        let activated = SocketActivation.listeningSocket(environment: environment)
        // before opening the index: a live searchd on the socket is the clearest refusal
        if activated == nil { try UnixSocket.prepare(config.socket) }
        let group = try config.socketGroup.map { name throws(SystemError) -> UInt32 in
            guard let gid = PeerCredentials.groupID(name) else { throw SystemError("socket_group \(name) does not exist", code: EINVAL) }
            return gid
        }
        try service.openForSearches()
        logger.info("opened the index in \(service.indexPath): \(service.snapshot?.documentCount ?? 0) documents")

        let loops = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        defer { try? loops.syncShutdownGracefully() }
        let channel = try listen(on: loops, activated: activated, group: group)
        notifier.ready(status: "updating the index from the sources")

        Thread.detach { [self] in
            do {
                try service.openWriter()
            } catch {
                logger.critical("cannot open the index for writing: \(error); serving its last commit, without updates")
                notifier.status("cannot open the index for writing: \(error)")
                return
            }
            if config.watch { startWatcher(service.config) }
            initialUpdate()
        }
        if let interval = SystemdNotifier.watchdogInterval(environment: environment) {
            // the event loops answering is what the watchdog vouches for
            loops.next().scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(Int64(interval * 500))) { [notifier] _ in
                notifier.watchdog()
            }
        }
        let signals = handleSignals(channel: channel)
        try channel.closeFuture.wait()
        signals.forEach { $0.cancel() }
        stop(removingSocket: activated == nil ? config.socket : nil)
    }

    // MARK: Listening

    private func listen(on loops: MultiThreadedEventLoopGroup, activated: Int32?, group: UInt32?) throws -> Channel {
        let config = service.config
        var reload: (@Sendable () throws -> JSON)?
        if loadConfig != nil { reload = { @Sendable [self] in try self.reload() } }
        let handler = RequestHandler(service: service, extraStatus: { [self] in statusLines() }, reload: reload)
        let settings = ConnectionHandler.Settings(
            maxLineLength: config.maxLineLength,
            clientTimeout: .milliseconds(Int64(config.clientTimeout * 1000)),
            logger: logger,
            wakeLatency: wakeLatency)
        let bootstrap = ServerBootstrap(group: loops)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { [connections] channel in
                connections.add(channel)
                // the peer's credentials, taken by the kernel when it connected
                let provider = channel as! SocketOptionProvider
                let credentials: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(
                    level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(PeerCredentials.option))
                return credentials.flatMapThrowing { peer in
                    let handler = ConnectionHandler(handler: handler, settings: settings, refusal: peer.refusal(group: group))
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        if let fd = activated {
            let channel = try bootstrap.withBoundSocket(fd).wait()
            logger.info("searchd \(Version.searchd) listening on the socket systemd passed")
            return channel
        }
        // created 0600 (no moment with looser modes), then opened to the group in system mode
        let mask = umask(0o177)
        let bound = Result { try bootstrap.bind(unixDomainSocketPath: config.socket).wait() }
        umask(mask)
        let channel = try bound.get()
        if let group {
            guard chown(config.socket, uid_t.max, group) == 0, chmod(config.socket, 0o660) == 0 else {
                throw SystemError("cannot give \(config.socket) to group \(group)")
            }
        }
        logger.info("searchd \(Version.searchd) listening on \(config.socket)")
        return channel
    }

    /// The daemon's part of the status method.
    private func statusLines() -> [(String, JSON)] {
        let watches = watcher.withLock { $0?.watchCount ?? 0 }
        return [("watches", .number(Double(watches))), ("connections", .number(Double(connections.count))),
                ("low_latency", .bool(wakeLatency != nil))]
    }

    /// The CPU latency request for `hold` seconds after each request, if searchd may make it.
    private static func openWakeLatency(hold: Double, logger: Logger) -> WakeLatency? {
        guard hold > 0 else { return nil }
        do {
            return try WakeLatency(hold: hold)
        } catch {
            logger.info("low_latency_hold: cannot open \(error); requests after an idle gap wait for a CPU to wake (Docs/OPERATIONS.md, \"Low latency\")")
            return nil
        }
    }

    // MARK: Indexing

    private func initialUpdate() {
        let notifier = self.notifier
        let lastStatus = Mutex(0.0)
        do {
            let r = try service.update { p in
                // a STATUS line a second at most: systemctl status shows it
                let now = IndexService.now()
                guard lastStatus.withLock({ last in
                    defer { if now - last >= 1 { last = now } }
                    return now - last >= 1
                }) else { return }
                notifier.status("indexing: \(p.filesDone)/\(p.filesTotal) files, \(p.bytesDone >> 20)/\(p.bytesTotal >> 20) MiB")
            }
            logger.info("index up to date: \(r.documents) documents (\(r.added) added, \(r.deleted) deleted, \(r.unchanged) unchanged, \(r.skipped) skipped) in \(Int(r.seconds * 1000)) ms")
            notifier.status("ready: \(r.documents) documents")
        } catch {
            logger.error("indexing failed: \(error)")
            notifier.status("indexing failed: \(error)")
        }
    }

    private func startWatcher(_ config: Config) {
        let crawler = SourceCrawler(config)
        let w = Watcher(roots: config.sources, excluded: { crawler.isSkipped($0) }, logger: logger) { [service] changes in
            service.filesChanged(changes)
        }
        do {
            try w.start()
            watcher.withLock { $0 = w }
            logger.info("watching \(w.watchCount) directories for changes")
        } catch {
            logger.error("cannot watch the sources (changes are seen at the next start or reload): \(error)")
        }
    }

    // MARK: Signals

    private func handleSignals(channel: Channel) -> [DispatchSourceSignal] {
        [SIGTERM, SIGINT, SIGHUP].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in
                if sig == SIGHUP {
                    do {
                        _ = try reload()
                    } catch {
                        logger.error("reload failed, the previous settings stay: \(error)")
                    }
                    return
                }
                logger.info("received signal \(sig), stopping")
                notifier.stopping()
                channel.close(promise: nil)
            }
            source.resume()
            return source
        }
    }

    /// SIGHUP and the reload method: config file (when searchd has one) and synonyms.
    func reload() throws -> JSON {
        notifier.reloading()
        defer { notifier.ready(status: "ready: \(service.snapshot?.documentCount ?? 0) documents") }
        let old = service.config
        var restart: [String] = []
        if let loadConfig {
            restart = try service.reload(try loadConfig())
        } else {
            try service.loadSynonyms()
        }
        let new = service.config
        if new.sources != old.sources || new.exclude != old.exclude || new.watch != old.watch {
            watcher.withLock { $0?.stop(); $0 = nil }
            if new.watch { startWatcher(new) }
        }
        let rules = service.synonyms.ruleCount
        logger.info("reloaded: \(rules) synonym rules\(restart.isEmpty ? "" : "; restart searchd to apply \(restart.joined(separator: ", "))")")
        return ["synonyms": .number(Double(rules)), "restart_needed": .array(restart.map { .string($0) })]
    }

    // MARK: Stopping

    /// After the listening socket closed: lets connections finish what they asked (within a
    /// bound), commits, and removes the socket file (unless systemd owns it).
    private func stop(removingSocket socket: String?) {
        connections.drain(within: .seconds(Self.drainTimeout), logger: logger)
        watcher.withLock { $0?.stop() }
        service.shutdown()
        if let socket { unlink(socket) }
        logger.info("searchd stopped")
    }
}

/// The open client connections, so that stopping can drain them.
final class Connections: Sendable {
    private let channels = Mutex<[ObjectIdentifier: Channel]>([:])

    var count: Int { channels.withLock { $0.count } }

    func add(_ channel: Channel) {
        let key = ObjectIdentifier(channel)
        channels.withLock { $0[key] = channel }
        channel.closeFuture.whenComplete { [self] _ in _ = channels.withLock { $0.removeValue(forKey: key) } }
    }

    /// Asks every connection to finish and close; closes the ones still open after `timeout`.
    func drain(within timeout: TimeAmount, logger: Logger) {
        let open = channels.withLock { Array($0.values) }
        guard !open.isEmpty else { return }
        for c in open { c.pipeline.fireUserInboundEventTriggered(ConnectionHandler.Drain()) }
        let deadline = NIODeadline.now() + timeout
        for c in open {
            let wait = c.eventLoop.scheduleTask(deadline: deadline) { c.close(promise: nil) }
            try? c.closeFuture.wait()
            wait.cancel()
        }
    }
}

/// A plain detached thread (indexing must not occupy the event loops).
enum Thread {
    static func detach(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Body(body))
        var thread = pthread_t()
        pthread_create(&thread, nil, { raw in
            let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
            body.run()
            return nil
        }, box.toOpaque())
        pthread_detach(thread)
    }

    private final class Body: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}
