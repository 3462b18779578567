import Foundation
import Synchronization

/// Every API request any `KubeClient` in this process sent, counted by answer code,
/// method and server host: what `rest_client_requests_total` exports. A transport
/// error (no answer) counts with code `<error>`.
public final class RequestCounts: Sendable {
    /// The process-wide counts.
    public static let shared = RequestCounts()

    /// One series of `rest_client_requests_total`.
    public struct Key: Hashable, Sendable {
        /// The HTTP status code, or `<error>`.
        public let code: String
        /// The HTTP method.
        public let method: String
        /// The API server's host (and port).
        public let host: String
    }

    private let counts = Mutex<[Key: Int]>([:])

    /// Counts one request to `server` (a URL) answered with `code`.
    public func record(code: String, method: String, server: String) {
        let host = URL(string: server).map { url in
            (url.host ?? server) + (url.port.map { ":\($0)" } ?? "")
        } ?? server
        counts.withLock { $0[Key(code: code, method: method, host: host), default: 0] += 1 }
    }

    /// The counts so far.
    public var snapshot: [Key: Int] { counts.withLock { $0 } }
}
