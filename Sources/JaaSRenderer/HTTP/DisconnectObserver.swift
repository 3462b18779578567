import NIOConcurrencyHelpers
import NIOCore
import NIOHTTPTypes

/// Notices when the client of a connection goes away: its side of the connection
/// closes (end of input) or the connection drops.
///
/// The HTTP server lets clients half-close, so a departed client shows only as the
/// end of input; a request handler that outlives its client would otherwise never
/// learn of it. Installed in every connection's pipeline; a handler finds it with
/// `channel.pipeline.handler(type:)`.
final class DisconnectObserver: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private struct State {
        var disconnected = false
        var nextID = 0
        var callbacks: [Int: @Sendable () -> Void] = [:]
    }
    private let state = NIOLockedValueBox(State())

    /// Calls `callback` once when the client disconnects (at once if it already has);
    /// returns an id for ``remove(_:)``, or nil when it was called already.
    func onDisconnect(_ callback: @escaping @Sendable () -> Void) -> Int? {
        let id: Int? = state.withLockedValue { state in
            guard !state.disconnected else { return nil }
            state.nextID += 1
            state.callbacks[state.nextID] = callback
            return state.nextID
        }
        if id == nil { callback() }
        return id
    }

    /// Forgets a callback registered with ``onDisconnect(_:)``.
    func remove(_ id: Int) {
        _ = state.withLockedValue { $0.callbacks.removeValue(forKey: id) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { disconnected() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        disconnected()
        context.fireChannelInactive()
    }

    private func disconnected() {
        let callbacks = state.withLockedValue { state -> [@Sendable () -> Void] in
            state.disconnected = true
            defer { state.callbacks = [:] }
            return Array(state.callbacks.values)
        }
        for callback in callbacks { callback() }
    }
}
