#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Logging
import NIOCore
import NIOPosix
import SearchProtocol

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
        let report = try service.build()
        logger.info("indexed \(report.documents) documents (\(report.bytes) bytes, \(report.skipped) skipped) in \(Int(report.seconds * 1000)) ms")

        try UnixSocket.prepare(config.socket)
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
        logger.info("searchd \(Version.searchd) ready: \(report.documents) documents, listening on \(config.socket)")

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
