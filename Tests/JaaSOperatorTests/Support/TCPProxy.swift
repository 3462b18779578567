import Foundation
import Synchronization

/// A TCP proxy on 127.0.0.1 the test can cut: while cut, every connection is reset
/// as soon as it is accepted and every open one is closed; `restore` forwards again.
final class TCPProxy: Sendable {
    let port: Int
    private let target: Int
    private let listener: Int32
    private let state = Mutex<(cut: Bool, connections: Set<Int32>)>((false, []))

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

    /// Resets new connections and closes every open one.
    func cut() {
        let connections = state.withLock { state in
            state.cut = true
            return state.connections
        }
        for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Forwards again.
    func restore() {
        state.withLock { $0.cut = false }
    }

    private func acceptLoop(_ listener: Int32) {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.address(target)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            let open = state.withLock { state -> Bool in
                guard !state.cut else { return false }
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
            Thread.detachNewThread { [self] in pump(from: client, to: upstream) }
            Thread.detachNewThread { [self] in pump(from: upstream, to: client) }
        }
    }

    private func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
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
            return true
        }
        if closeBoth {
            close(source)
            close(destination)
        }
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
