#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Logging
import NIOCore
import NIOPosix
import SearchProtocol
import SearchCore

/// The daemon's life: build the index, listen on the socket, answer until SIGTERM or SIGINT,
/// then stop accepting, finish what is in flight, remove the socket file and return.
public final class Daemon: Sendable {
    let config: Config
    let logger: Logger
    public let service: IndexService

    public init(config: Config, logger: Logger) {
        self.config = config
        self.logger = logger
        self.service = IndexService(config: config, logger: logger)
    }

    public func run() throws {
        let rules = try service.loadSynonyms()
        if rules > 0 { logger.info("loaded \(rules) synonym rules") }
        try UnixSocket.prepare(config.socket)  // first: a live searchd on it is the clearest refusal
        try service.open()
        let documents = service.snapshot?.documentCount ?? 0
        logger.info("opened the index in \(service.indexPath): \(documents) documents")

        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        defer { try? group.syncShutdownGracefully() }
        let handler = RequestHandler(service: service, config: config)
        let maxLine = config.maxLineLength
        let channel = try ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectionHandler(handler: handler, maxLineLength: maxLine))
                }
            }
            .bind(unixDomainSocketPath: config.socket)
            .wait()
        chmod(config.socket, 0o600)
        logger.info("searchd \(Version.searchd) listening on \(config.socket)")
        Thread.detach { [service, logger] in
            do {
                let r = try service.update()
                logger.info("index up to date: \(r.documents) documents (\(r.added) added, \(r.deleted) deleted, \(r.unchanged) unchanged, \(r.skipped) skipped) in \(Int(r.seconds * 1000)) ms")
            } catch {
                logger.error("indexing failed: \(error)")
            }
        }

        let signals = [SIGTERM, SIGINT].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [logger] in
                logger.info("received signal \(sig), shutting down")
                channel.close(promise: nil)
            }
            source.resume()
            return source
        }
        try channel.closeFuture.wait()
        signals.forEach { $0.cancel() }
        unlink(config.socket)
        logger.info("searchd stopped")
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
