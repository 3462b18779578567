import Foundation
import Logging
import MCP

/// A transport that knows which requests it has delivered and not yet answered,
/// so the stdio server can answer everything a client sent before closing stdin
/// (`printf '...' | jaas mcp` gets its answers) instead of stopping at once.
actor DrainingTransport: Transport {
    nonisolated let logger: Logger
    private let inner: any Transport
    /// Request ids delivered to the server and not answered yet.
    private var unanswered: Set<String> = []
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    init(_ inner: any Transport, logger: Logger) {
        self.inner = inner
        self.logger = logger
    }

    func connect() async throws { try await inner.connect() }

    func disconnect() async { await inner.disconnect() }

    func send(_ data: Data) async throws {
        try await inner.send(data)
        for message in Self.messages(data) where message["method"] == nil {
            if let id = Self.id(message) { unanswered.remove(id) }
        }
        if unanswered.isEmpty { releaseWaiters() }
    }

    func receive() -> AsyncThrowingStream<Data, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        let task = Task {
            do {
                for try await data in await inner.receive() {
                    note(data)
                    continuation.yield(data)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Returns once every request delivered so far has been answered, or after `limit`.
    func drained(within limit: Duration) async {
        if unanswered.isEmpty { return }
        let timer = Task {
            try await Task.sleep(for: limit)
            self.releaseWaiters()
        }
        await withCheckedContinuation { idleWaiters.append($0) }
        timer.cancel()
    }

    private func releaseWaiters() {
        idleWaiters.forEach { $0.resume() }
        idleWaiters.removeAll()
    }

    private func note(_ data: Data) {
        for message in Self.messages(data) where message["method"] != nil {
            if let id = Self.id(message) { unanswered.insert(id) }
        }
    }

    /// The JSON-RPC objects of a message or batch (none when it is not JSON).
    private static func messages(_ data: Data) -> [[String: Any]] {
        switch try? JSONSerialization.jsonObject(with: data) {
        case let object as [String: Any]: [object]
        case let batch as [Any]: batch.compactMap { $0 as? [String: Any] }
        default: []
        }
    }

    /// A message's id as text (numbers and strings alike), nil for a notification.
    private static func id(_ message: [String: Any]) -> String? {
        switch message["id"] {
        case let text as String: "s:" + text
        case let number as NSNumber: "n:" + number.stringValue
        default: nil
        }
    }
}
