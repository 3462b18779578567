import Foundation

/// An HTTP answer as read off the socket.
struct HTTPReply: Sendable {
    let status: Int
    /// Header fields with lower-cased names.
    let headers: [String: String]
    let body: String
    /// From connecting to the end of the answer, timed on the socket's own thread
    /// (so a busy Swift concurrency pool in the test process cannot inflate it).
    let elapsed: Duration
    /// When the answer had been read in full.
    let completedAt: ContinuousClock.Instant

    /// The body parsed as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }
}

/// A minimal HTTP/1.1 client over a plain socket, so tests control the exact bytes
/// of the request target (`..`, percent escapes, double slashes) and the moment the
/// connection closes. Blocking I/O runs on threads of its own, never on the Swift
/// concurrency pool the in-process server needs.
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Sends one request with `Connection: close` and reads the whole answer.
    /// `ipv6`: over ::1 instead of 127.0.0.1.
    static func request(port: Int, method: String = "GET", target: String,
                        timeout: Double = 30, ipv6: Bool = false) async throws -> HTTPReply {
        try await onThread {
            let start = ContinuousClock.now
            let socket = try ipv6 ? connect6(port: port, timeout: timeout) : connect(port: port, timeout: timeout)
            defer { close(socket) }
            try send(socket, "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            let data = try readAll(socket)
            return try parse(data, start: start)
        }
    }

    /// Sends a request and returns the open socket without reading; close it to hang up.
    static func sendWithoutReading(port: Int, target: String) async throws -> Int32 {
        try await onThread {
            let socket = try connect(port: port, timeout: 30)
            try send(socket, "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            return socket
        }
    }

    /// Opens a connection and sends `bytes` as they are.
    static func openAndSend(port: Int, _ bytes: String) async throws -> Int32 {
        try await onThread {
            let socket = try connect(port: port, timeout: 30)
            try send(socket, bytes)
            return socket
        }
    }

    /// Reads until the peer closes; nil when nothing arrives within `timeout` seconds.
    static func readUntilClosed(_ socket: Int32, timeout: Double) async -> [UInt8]? {
        await onThread {
            setTimeout(socket, timeout)
            return try? readAll(socket)
        }
    }

    private static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    private static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: body()) }
        }
    }

    private static func connect(port: Int, timeout: Double) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(socket)
            throw Failure(description: "connect to port \(port): errno \(errno)")
        }
        setTimeout(socket, timeout)
        return socket
    }

    private static func connect6(port: Int, timeout: Double) throws -> Int32 {
        let socket = Glibc.socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: \(errno)") }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = in_port_t(UInt16(port).bigEndian)
        address.sin6_addr = in6addr_loopback
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
            }
        }
        guard result == 0 else {
            close(socket)
            throw Failure(description: "connect to [::1]:\(port): errno \(errno)")
        }
        setTimeout(socket, timeout)
        return socket
    }

    private static func setTimeout(_ socket: Int32, _ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    private static func send(_ socket: Int32, _ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + offset, $0.count - offset, 0) }
            guard n > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += n
        }
    }

    private static func readAll(_ socket: Int32) throws -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if n == 0 { return data }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == ECONNRESET { return data }
                throw Failure(description: "recv: errno \(errno)")
            }
            data += buffer[0..<n]
        }
    }

    private static func parse(_ data: [UInt8], start: ContinuousClock.Instant) throws -> HTTPReply {
        let end = ContinuousClock.now
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else {
            throw Failure(description: "no HTTP head in \(data.count) bytes: \(text.prefix(200))")
        }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw Failure(description: "bad status line \(lines[0])")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
                .trimmingCharacters(in: .whitespaces)
        }
        return HTTPReply(status: status, headers: headers, body: String(text[split.upperBound...]),
                         elapsed: end - start, completedAt: end)
    }
}
