import Hummingbird
import NIOCore

/// The request context of the rendering server: Hummingbird's core context plus
/// the connection's channel, through which a request learns that its client left.
struct RendererRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        channel = source.channel
    }
}
