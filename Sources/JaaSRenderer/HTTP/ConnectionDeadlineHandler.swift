import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client is too slow to send a request or whose response
/// takes too long, like Go's `http.Server` `ReadTimeout` and `WriteTimeout`.
///
/// The read deadline runs from the connection's start, and from the end of each
/// response, until the request has been received in full (so it also bounds idle
/// keep-alive connections). The write deadline runs from the end of the request
/// until the end of its response.
public final class ConnectionDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    /// What the handler reads.
    public typealias InboundIn = HTTPRequestPart
    /// What the handler passes on.
    public typealias InboundOut = HTTPRequestPart
    /// What the handler writes.
    public typealias OutboundIn = HTTPResponsePart
    /// What the handler passes on to the network.
    public typealias OutboundOut = HTTPResponsePart

    private let readTimeout: TimeAmount?
    private let writeTimeout: TimeAmount?
    private var deadline: Scheduled<Void>?

    /// Deadlines of `readTimeout` and `writeTimeout` (nil = none).
    public init(readTimeout: TimeAmount?, writeTimeout: TimeAmount?) {
        self.readTimeout = readTimeout
        self.writeTimeout = writeTimeout
    }

    /// Deadlines given as `Duration`s (nil = none).
    public convenience init(readTimeout: Duration?, writeTimeout: Duration?) {
        self.init(readTimeout: readTimeout.map(TimeAmount.init), writeTimeout: writeTimeout.map(TimeAmount.init))
    }

    /// Arms the read deadline when the handler joins an active channel.
    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(readTimeout, context: context) }
    }

    /// Arms the read deadline for the first request.
    public func channelActive(context: ChannelHandlerContext) {
        arm(readTimeout, context: context)
        context.fireChannelActive()
    }

    /// Cancels the deadlines.
    public func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    /// Cancels the deadlines.
    public func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    /// Passes a request part on, tracking where the request stands for the deadlines.
    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { arm(writeTimeout, context: context) }
        context.fireChannelRead(data)
    }

    /// Passes a response part on, tracking where the response stands for the deadlines.
    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { arm(readTimeout, context: context) }
        context.write(data, promise: promise)
    }

    private func arm(_ timeout: TimeAmount?, context: ChannelHandlerContext) {
        disarm()
        guard let timeout else { return }
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) { loopBound.value.close(promise: nil) }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}
