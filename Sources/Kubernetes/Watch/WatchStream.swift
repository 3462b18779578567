import AsyncHTTPClient
import NIOCore

/// The events of one watch request, decoded from newline-delimited JSON as the
/// response streams in (a line may span any number of chunks).
///
/// The sequence ends when the server closes the response; it throws on a broken
/// connection or an undecodable line. `ERROR` events are delivered, not thrown.
/// Iterate it once.
public struct WatchStream: AsyncSequence, Sendable {
    /// Each element is one event.
    public typealias Element = WatchEvent

    let body: HTTPClientResponse.Body

    /// Starts reading the response body.
    public func makeAsyncIterator() -> Iterator {
        Iterator(chunks: body.makeAsyncIterator())
    }

    /// Splits the byte stream into lines and decodes each.
    public struct Iterator: AsyncIteratorProtocol {
        var chunks: HTTPClientResponse.Body.AsyncIterator
        /// Received bytes; those before `start` are consumed.
        var pending: [UInt8] = []
        var start = 0
        /// Bytes before this index hold no newline.
        var scanned = 0
        var finished = false

        /// The next event, or `nil` when the server ended the watch.
        public mutating func next() async throws -> WatchEvent? {
            while true {
                if let newline = pending[Swift.max(start, scanned)...].firstIndex(of: UInt8(ascii: "\n")) {
                    let line = pending[start..<newline]
                    start = newline + 1
                    scanned = start
                    if line.allSatisfy(Self.isWhitespace) { continue }
                    return try WatchEvent(line: line)
                }
                scanned = pending.count
                if finished {
                    let rest = pending[start...]
                    start = pending.count
                    if rest.allSatisfy(Self.isWhitespace) { return nil }
                    return try WatchEvent(line: rest)
                }
                if let chunk = try await chunks.next() {
                    if start > 0 {
                        pending.removeFirst(start)
                        scanned -= start
                        start = 0
                    }
                    pending.append(contentsOf: chunk.readableBytesView)
                } else {
                    finished = true
                }
            }
        }

        private static func isWhitespace(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
        }
    }
}

extension KubeClient {
    /// Opens a watch: `GET <collection>?watch=true&resourceVersion=…&allowWatchBookmarks=true`.
    /// Throws `KubeError` when the server refuses (e.g. 410 for a too-old resourceVersion,
    /// 403); cancel the iterating task to stop watching.
    public func watch(
        _ resource: GroupVersionResource, namespace: String? = nil, options: WatchOptions = .init()
    ) async throws -> WatchStream {
        let target = resource.path(namespace: namespace) + PathEncoding.query(options.queryItems)
        let response = try await open(KubeRequest(.GET, target), timeout: requestTimeout)
        return WatchStream(body: response.body)
    }
}
