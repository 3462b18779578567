import NIOCore

extension Duration {
    /// The duration in whole milliseconds.
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }

    /// The duration in whole microseconds.
    var microseconds: Int64 {
        components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000
    }
}

extension TimeAmount {
    /// The same span as a NIO time amount.
    init(_ duration: Duration) {
        self = .nanoseconds(duration.components.seconds * 1_000_000_000
                            + duration.components.attoseconds / 1_000_000_000)
    }
}
