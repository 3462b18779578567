import Foundation
import Synchronization

/// A TCP proxy on 127.0.0.1 the test controls. It forwards by default; `cut` resets
/// every connection as soon as it is accepted and closes every open one (`restore`
/// forwards again); `refuse` closes the listening socket, so connecting fails with
/// "connection refused"; `blackhole` accepts connections and reads what is sent but
/// never answers (open connections go silent too), like a server that hangs;
/// `blackhole(requestsContaining:)` silences only each connection on which a
/// request containing that text (e.g. a path) is sent, from that request on.
/// The request lines it forwarded to the target are kept in `requests`.
final class TCPProxy: Sendable {
    /// One HTTP request line seen going to the target.
    struct Request: Sendable, CustomStringConvertible {
        let at: ContinuousClock.Instant
        let method: String
        let path: String
        var isWrite: Bool { ["POST", "PUT", "PATCH", "DELETE"].contains(method) }
        var description: String { "\(method) \(path)" }
    }

    private enum Mode {
        case forward, cut, refused, blackhole
        case blackholeMatching(String)
    }

    private struct State {
        var mode = Mode.forward
        /// Open sockets (clients and their upstream connections).
        var connections: Set<Int32> = []
        /// Clients (by socket) whose connections went silent.
        var silenced: Set<Int32> = []
    }

    let port: Int
    private let target: Int
    private let listener: Int32
    private let state = Mutex(State())
    private let log = Mutex<[Request]>([])

    init(to target: Int) throws {
        self.target = target
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.address(0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound, listen(fd, 64) == 0 else {
            close(fd)
            throw TestFailure("proxy cannot listen: errno \(errno)")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop(fd) }
    }

    /// The request lines forwarded so far.
    var requests: [Request] { log.withLock { $0 } }

    /// Resets new connections and closes every open one.
    func cut() {
        let connections = state.withLock { state in
            state.mode = .cut
            return state.connections
        }
        for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Forwards again (after `cut`, `blackhole`; not after `refuse`).
    func restore() {
        state.withLock { $0.mode = .forward }
    }

    /// Stops listening (connecting is refused from now on) and closes every open connection.
    func refuse() {
        let connections = state.withLock { state in
            state.mode = .refused
            return state.connections
        }
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Accepts and reads but never answers; open connections go silent too.
    func blackhole() {
        state.withLock { $0.mode = .blackhole }
    }

    /// Silences each connection on which a request containing `text` is sent.
    func blackhole(requestsContaining text: String) {
        state.withLock { $0.mode = .blackholeMatching(text) }
    }

    private func acceptLoop(_ listener: Int32) {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let mode = state.withLock { $0.mode }
            if case .blackhole = mode {
                state.withLock { _ = $0.connections.insert(client) }
                Thread.detachNewThread { [self] in swallow(client) }
                continue
            }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.address(target)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            let open = state.withLock { state -> Bool in
                switch state.mode {
                case .cut, .refused: return false
                default: break
                }
                state.connections.formUnion([client, upstream])
                return true
            }
            guard connected == 0, open else {
                // An abortive close: the client sees a reset at once.
                var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                close(client)
                close(upstream)
                continue
            }
            Thread.detachNewThread { [self] in pump(from: client, to: upstream, client: client) }
            Thread.detachNewThread { [self] in pump(from: upstream, to: client, client: client) }
        }
    }

    /// Reads and drops what a blackholed client sends until it closes.
    private func swallow(_ client: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while buffer.withUnsafeMutableBytes({ recv(client, $0.baseAddress, $0.count, 0) }) > 0 {}
        state.withLock { _ = $0.connections.remove(client) }
        close(client)
    }

    private func pump(from source: Int32, to destination: Int32, client: Int32) {
        let towardsTarget = source == client
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            let text = towardsTarget ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
            let forward = state.withLock { state -> Bool in
                if state.silenced.contains(client) { return false }
                switch state.mode {
                case .blackhole:
                    return false
                case .blackholeMatching(let needle) where towardsTarget && text.contains(needle):
                    state.silenced.insert(client)
                    return false
                default:
                    return true
                }
            }
            guard forward else { continue }
            if towardsTarget { record(text) }
            var sent = 0
            while sent < n {
                let m = buffer.withUnsafeBytes { send(destination, $0.baseAddress! + sent, n - sent, Int32(MSG_NOSIGNAL)) }
                guard m > 0 else { break }
                sent += m
            }
            if sent < n { break }
        }
        shutdown(destination, Int32(SHUT_WR))
        shutdown(source, Int32(SHUT_RD))
        let closeBoth = state.withLock { state -> Bool in
            // The second pump of a pair closes both sockets.
            if state.connections.contains(source) || state.connections.contains(destination) {
                state.connections.remove(source)
                state.connections.remove(destination)
                return false
            }
            state.silenced.remove(client)
            return true
        }
        if closeBoth {
            close(source)
            close(destination)
        }
    }

    /// Keeps the HTTP request lines in `text` (a chunk going to the target).
    private func record(_ text: String) {
        let now = ContinuousClock.now
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: true).compactMap { line -> Request? in
            let parts = line.split(separator: " ")
            guard parts.count == 3, parts[2].hasPrefix("HTTP/1."),
                  ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(String(parts[0])) else { return nil }
            return Request(at: now, method: String(parts[0]), path: String(parts[1]))
        }
        if !lines.isEmpty { log.withLock { $0 += lines } }
    }

    private static func address(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }

    deinit {
        cut()
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}
