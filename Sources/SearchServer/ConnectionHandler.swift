import NIOCore
import SearchProtocol

/// One client connection: frames its bytes into lines and answers each line in order.
/// Requests are answered on the event loop itself: searches take microseconds, and a hop
/// to another executor would cost more than the search (see Docs/ARCHITECTURE.md).
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let handler: RequestHandler
    private var framer: LineFramer

    init(handler: RequestHandler, maxLineLength: Int) {
        self.handler = handler
        self.framer = LineFramer(maxLineLength: maxLineLength)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let frames = buffer.withUnsafeReadableBytes { framer.feed($0) }
        var wrote = false
        for frame in frames {
            let reply: String?
            switch frame {
            case .line(let line): reply = line.isEmpty ? nil : handler.respond(to: line)
            case .tooLong: reply = handler.lineTooLong()
            }
            guard let reply else { continue }
            var out = context.channel.allocator.buffer(capacity: reply.utf8.count + 1)
            out.writeString(reply)
            out.writeInteger(UInt8(ascii: "\n"))
            context.write(wrapOutboundOut(out), promise: nil)
            wrote = true
        }
        if wrote { context.flush() }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
