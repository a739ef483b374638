import Logging
import NIOCore
import SearchProtocol

/// One client connection: frames its bytes into lines and answers them one after another.
/// Searches are answered on the event loop itself: they take microseconds, and a hop to
/// another executor would cost more than the search (see Docs/ARCHITECTURE.md). A push is
/// answered when its commit is done, on the index queue; the connection's next requests wait
/// for it (and reading pauses), so a client always reads its own writes.
///
/// A client is cut after `clientTimeout` when it stops in the middle of a request line, or
/// when it stops reading its answers (the socket stays unwritable): it then holds nothing
/// and nobody else. A peer whose user may not use searchd gets one error line and is closed.
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Settings: Sendable {
        var maxLineLength: Int
        var clientTimeout: TimeAmount
        var logger: Logger
        /// Keeps idle CPUs awake while requests come in (nil: off or unavailable).
        var wakeLatency: WakeLatency?
    }

    /// Sent through the pipeline when searchd stops: answer what was asked, then close.
    struct Drain: Sendable {}

    private let handler: RequestHandler
    private let settings: Settings
    private let refusal: String?
    private var framer: LineFramer
    /// Lines received and not handled yet: those after a push wait for its commit.
    private var backlog: [LineFramer.Frame] = []
    private var awaitingPush = false
    private var stalledLine: Scheduled<Void>?
    private var stalledWrites: Scheduled<Void>?
    private var draining = false

    init(handler: RequestHandler, settings: Settings, refusal: String?) {
        self.handler = handler
        self.settings = settings
        self.refusal = refusal
        self.framer = LineFramer(maxLineLength: settings.maxLineLength)
    }

    func channelActive(context: ChannelHandlerContext) {
        if let refusal {
            settings.logger.warning("refused a connection: \(refusal)")
            let error = RPCError(code: RPCError.forbidden, message: "permission denied: \(refusal)")
            write(Response(id: .null, error: error).line.utf8, context: context)
            context.flush()
            // half-close, and let the client read the line: closing at once, with its request
            // unread, would reset the connection and lose the explanation
            context.close(mode: .output, promise: nil)
            let loop = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .seconds(1)) { loop.value.close(promise: nil) }
            return
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard refusal == nil, !draining else { return }
        settings.wakeLatency?.requested()
        let buffer = unwrapInboundIn(data)
        backlog += buffer.withUnsafeReadableBytes { framer.feed($0) }
        handleBacklog(context: context)
        watchHalfLines(context: context)
    }

    /// Answers waiting lines in order, until one is a push (answered after its commit).
    private func handleBacklog(context: ChannelHandlerContext) {
        var wrote = false
        var next = 0
        while next < backlog.count && !awaitingPush {
            let frame = backlog[next]
            next += 1
            switch frame {
            case .tooLong:
                write(handler.lineTooLong().utf8, context: context)
                wrote = true
            case .line(let line) where line.isEmpty:
                break
            case .line(let line):
                let loop = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                let outcome = handler.respond(to: line) { reply in
                    loop.eventLoop.execute {
                        let (me, context) = loop.value
                        me.pushAnswered(reply, context: context)
                    }
                }
                switch outcome {
                case .now(let reply?):
                    write(reply, context: context)
                    wrote = true
                case .now(nil):
                    break
                case .later:
                    awaitingPush = true
                    context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
                }
            }
        }
        backlog.removeFirst(next)
        if wrote { context.flush() }
        if draining && backlog.isEmpty && !awaitingPush { context.close(promise: nil) }
    }

    private func pushAnswered(_ reply: [UInt8]?, context: ChannelHandlerContext) {
        awaitingPush = false
        if let reply {
            write(reply, context: context)
            context.flush()
        }
        if context.channel.isWritable {
            context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
        }
        handleBacklog(context: context)
        watchHalfLines(context: context)
    }

    private func write(_ line: some Collection<UInt8>, context: ChannelHandlerContext) {
        var out = context.channel.allocator.buffer(capacity: line.count + 1)
        out.writeBytes(line)
        out.writeInteger(UInt8(ascii: "\n"))
        context.write(wrapOutboundOut(out), promise: nil)
    }

    // MARK: Stalled clients

    /// Half a line waiting: the rest must come within the timeout (not while searchd itself
    /// has stopped reading, waiting for a push's commit).
    private func watchHalfLines(context: ChannelHandlerContext) {
        guard framer.isMidLine, !awaitingPush else {
            stalledLine?.cancel()
            stalledLine = nil
            return
        }
        guard stalledLine == nil else { return }
        stalledLine = cut(context, after: "sent part of a request line and nothing more")
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            stalledWrites?.cancel()
            stalledWrites = nil
            if !awaitingPush { context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in } }
        } else {
            // stop reading its requests until it reads our answers
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
            if stalledWrites == nil { stalledWrites = cut(context, after: "does not read its answers") }
        }
        context.fireChannelWritabilityChanged()
    }

    private func cut(_ context: ChannelHandlerContext, after what: String) -> Scheduled<Void> {
        let loop = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let timeout = settings.clientTimeout
        return context.eventLoop.scheduleTask(in: timeout) {
            let (me, context) = loop.value
            me.settings.logger.notice("closing a client that \(what) for \(timeout.nanoseconds / 1_000_000_000) s")
            let error = RPCError(code: RPCError.timeout, message: "closing: the client \(what) for the client timeout")
            me.write(Response(id: .null, error: error).line.utf8, context: context)
            context.flush()
            context.close(promise: nil)
        }
    }

    // MARK: Lifecycle

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is Drain else { return context.fireUserInboundEventTriggered(event) }
        draining = true
        if backlog.isEmpty && !awaitingPush { context.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        stalledLine?.cancel()
        stalledWrites?.cancel()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
