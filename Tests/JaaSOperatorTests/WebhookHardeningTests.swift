import AsyncHTTPClient
import Foundation
@testable import JaaSAdmission
@testable import JaaSOperator
import Kubernetes
import Logging
import NIOCore
import NIOSSL
import Testing
import TestSupport

/// Issue 22: a slow, idle or greedy client cannot exhaust the admission webhook.
@Suite(.serialized) struct WebhookHardeningTests {

    /// A running webhook server on 127.0.0.1 with a self-signed certificate.
    struct Running {
        let server: WebhookServer
        let port: Int
        let caFile: String
        let directory: String
        let task: Task<Void, any Error>

        static func start(_ limits: WebhookServer.Limits) async throws -> Running {
            let directory = temporaryPath("webhook-hardening-")
            let made = try SelfSignedCertificates.make(service: "127.0.0.1", namespace: "team-a", validity: .seconds(3600))
            try made.write(to: directory)
            let certificate = ServingCertificate(directory: directory)
            _ = try certificate.reload()
            let port = try freePort()
            let validator = SnippetValidator(operatorExternalVariables: [], libraryAliases: [])
            let server = WebhookServer(admission: SnippetAdmission(validator: validator), certificate: certificate,
                                       host: "127.0.0.1", port: port, limits: limits)
            var logger = Logger(label: "webhook-hardening")
            logger.logLevel = .error
            let task = Task { [logger] in try await server.run(logger: logger) }
            let running = Running(server: server, port: port, caFile: directory + "/ca.crt", directory: directory, task: task)
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                if (try? await running.review()) == true { return running }
                try await Task.sleep(for: .milliseconds(50))
            }
            running.stop()
            throw TestFailure("the webhook did not start")
        }

        /// One healthy AdmissionReview; true when it was answered `allowed`.
        func review() async throws -> Bool {
            try await WebhookEndToEndTests.review(port: port, caFile: caFile, spec: ["files": ["main.jsonnet": "{a: 1}"]])[
                path: "response", "allowed"] == true
        }

        func stop() {
            task.cancel()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// A plain TCP connection to 127.0.0.1:`port`.
    static func connectRaw(_ port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw TestFailure("connect: \(errno)")
        }
        return fd
    }

    /// Whether the server closed `fd` (end of stream or reset), consuming anything it sent before.
    static func peerClosed(_ fd: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n > 0 { continue }
            if n == 0 { return true }
            return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR
        }
    }

    /// Sends one byte, ignoring a closed peer.
    static func trickle(_ fd: Int32, _ byte: UInt8) {
        var byte = byte
        _ = send(fd, &byte, 1, Int32(MSG_NOSIGNAL))
    }

    /// Waits until every fd in `fds` is closed by the server; returns how long after `since` the last one was.
    static func waitClosed(_ fds: [Int32], since: ContinuousClock.Instant, within: Duration) async -> Duration? {
        var open = Set(fds)
        let deadline = since + within
        while ContinuousClock.now < deadline {
            open = open.filter { !peerClosed($0) }
            if open.isEmpty { return ContinuousClock.now - since }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    @Test func slowAndIdleClientsCannotStarveReviews() async throws {
        var limits = WebhookServer.Limits()
        limits.handshakeTimeout = .seconds(4)
        limits.readTimeout = .seconds(6)
        let webhook = try await Running.start(limits)
        defer { webhook.stop() }

        // 200 connections that never complete TLS: the first byte of a handshake record,
        // then one more byte a second (slowloris on the handshake).
        let rawStart = ContinuousClock.now
        var raw: [Int32] = []
        defer { for fd in raw { close(fd) } }
        for _ in 0..<200 {
            let fd = try Self.connectRaw(webhook.port)
            Self.trickle(fd, 0x16)
            raw.append(fd)
        }
        let rawFds = raw
        let trickler = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                for fd in rawFds { Self.trickle(fd, 0x03) }
            }
        }
        defer { trickler.cancel() }

        // 100 connections that complete TLS and the headers, then send a body byte every 500 ms.
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(webhook.caFile))
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 200)
        let slowClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        defer { Task { try? await slowClient.shutdown() } }
        let slowStart = ContinuousClock.now
        let slow = (0..<100).map { _ in
            Task { () -> ContinuousClock.Instant in
                var request = HTTPClientRequest(url: "https://127.0.0.1:\(webhook.port)\(SnippetAdmission.path)")
                request.method = .POST
                let bytes = AsyncStream<ByteBuffer> { continuation in
                    let feeder = Task {
                        for _ in 0..<1000 {
                            continuation.yield(ByteBuffer(string: " "))
                            try? await Task.sleep(for: .milliseconds(500))
                        }
                        continuation.finish()
                    }
                    continuation.onTermination = { _ in feeder.cancel() }
                }
                request.body = .stream(bytes, length: .known(Int64(1000)))
                _ = try? await slowClient.execute(request, timeout: .seconds(60))
                return ContinuousClock.now
            }
        }

        // Once the hostile connections are open, healthy reviews must answer promptly.
        let settle = ContinuousClock.now + .milliseconds(2500)
        while webhook.server.openConnections < 300, ContinuousClock.now < settle {
            try await Task.sleep(for: .milliseconds(50))
        }
        let hostile = webhook.server.openConnections
        #expect(hostile >= 300, "only \(hostile) connections open: the hostile clients did not connect")
        var slowest = Duration.zero
        for _ in 0..<5 {
            let start = ContinuousClock.now
            #expect(try await webhook.review())
            slowest = max(slowest, ContinuousClock.now - start)
        }
        #expect(slowest < .seconds(1), "a healthy review took \(slowest) with \(hostile) hostile connections open")
        print("webhook hardening: \(hostile) hostile connections open, slowest of 5 healthy reviews \(slowest)")

        // The handshake deadline closes the raw connections, not sooner than it says.
        let rawClosed = try #require(await Self.waitClosed(raw, since: rawStart, within: .seconds(8)),
                                     "connections that never completed TLS were not closed")
        #expect(rawClosed >= .milliseconds(3900), "closed after \(rawClosed), before the 4 s handshake deadline")
        #expect(rawClosed < .seconds(6), "closed only after \(rawClosed) (the 6 s read deadline, not the handshake's?)")
        // The read deadline ends every slow body.
        var slowEnded = Duration.zero
        for task in slow { slowEnded = max(slowEnded, await task.value - slowStart) }
        #expect(slowEnded >= .milliseconds(5900), "slow bodies ended after \(slowEnded), before the 6 s read deadline")
        #expect(slowEnded < .seconds(10), "slow bodies ended only after \(slowEnded)")
        print("webhook hardening: raw connections closed after \(rawClosed), slow bodies after \(slowEnded)")
        try await Task.sleep(for: .milliseconds(500))
        #expect(webhook.server.openConnections < 10, "\(webhook.server.openConnections) connections still open")
        #expect(try await webhook.review())
    }

    @Test func idleConnectionsAreClosedAfterTheReadDeadline() async throws {
        var limits = WebhookServer.Limits()
        limits.readTimeout = .seconds(2)
        let webhook = try await Running.start(limits)
        defer { webhook.stop() }
        // The start-up review's keep-alive connection goes first.
        let quiet = ContinuousClock.now + .seconds(5)
        while webhook.server.openConnections > 0, ContinuousClock.now < quiet { try await Task.sleep(for: .milliseconds(50)) }
        #expect(webhook.server.openConnections == 0, "the start-up review's idle connection stayed open")

        // A keep-alive connection idle after its response.
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(webhook.caFile))
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 1)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        defer { Task { try? await client.shutdown() } }
        var request = HTTPClientRequest(url: "https://127.0.0.1:\(webhook.port)\(SnippetAdmission.path)")
        request.method = .POST
        request.body = .bytes(ByteBuffer(string: #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","object":{"spec":{"files":{"main.jsonnet":"{}"}}}}}"#))
        let response = try await client.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        #expect(response.status == .ok)
        let answered = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(1000))
        #expect(webhook.server.openConnections == 1, "the keep-alive connection closed before the read deadline")
        while webhook.server.openConnections > 0, ContinuousClock.now < answered + .seconds(6) {
            try await Task.sleep(for: .milliseconds(50))
        }
        let idle = ContinuousClock.now - answered
        // The read deadline, plus at most 1 s waiting for the client's TLS close_notify.
        #expect(webhook.server.openConnections == 0 && idle >= .milliseconds(1900) && idle < .seconds(4),
                "an idle keep-alive connection stayed \(idle)")
        print("webhook hardening: an idle keep-alive connection was closed \(idle) after its response")

        // A connection that never sends a byte: the read deadline (2 s) comes before the handshake's (5 s).
        let start = ContinuousClock.now
        let fd = try Self.connectRaw(webhook.port)
        defer { close(fd) }
        let closed = try #require(await Self.waitClosed([fd], since: start, within: .seconds(6)))
        #expect(closed >= .milliseconds(1900) && closed < .seconds(4), "closed after \(closed)")
    }

    @Test func connectionsOverTheLimitAreClosedAtAccept() async throws {
        var limits = WebhookServer.Limits()
        limits.maxConnections = 8
        let webhook = try await Running.start(limits)
        defer { webhook.stop() }
        // The start-up review's keep-alive connection may still be open and count.
        try await Task.sleep(for: .milliseconds(200))
        let already = webhook.server.openConnections
        var held: [Int32] = []
        defer { for fd in held { close(fd) } }
        for _ in already..<8 { held.append(try Self.connectRaw(webhook.port)) }
        try await Task.sleep(for: .milliseconds(300))
        #expect(held.allSatisfy { !Self.peerClosed($0) }, "a connection within the limit was closed")
        let start = ContinuousClock.now
        let extra = try Self.connectRaw(webhook.port)
        defer { close(extra) }
        let closed = await Self.waitClosed([extra], since: start, within: .seconds(3))
        #expect(closed.map { $0 < .seconds(1) } == true, "the connection over the limit was not closed at once: \(String(describing: closed))")
        #expect(held.allSatisfy { !Self.peerClosed($0) }, "a connection within the limit was closed")
        for fd in held { close(fd) }
        held = []
        let deadline = ContinuousClock.now + .seconds(5)
        while webhook.server.openConnections > already, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await webhook.review())
    }

    @Test func aBodyOverThreeMebibytesIsRefused() async throws {
        let webhook = try await Running.start(WebhookServer.Limits())
        defer { webhook.stop() }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(webhook.caFile))
        var request = HTTPClientRequest(url: "https://127.0.0.1:\(webhook.port)\(SnippetAdmission.path)")
        request.method = .POST
        request.tlsConfiguration = tls
        request.body = .bytes(ByteBuffer(repeating: UInt8(ascii: " "), count: WebhookServer.maxBodyBytes + 1))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        #expect(response.status.code == 413)
    }

    /// However many reviews arrive at once, at most `width` run.
    @Test func reviewsRunOnABoundedNumberOfThreads() async throws {
        let slots = ReviewSlots(width: 3)
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<24 {
                group.addTask {
                    let result = await slots.run { () throws(SnippetAdmission.MalformedReview) -> JSONValue in
                        usleep(20_000)
                        return .bool(true)
                    }
                    return (try? result.get()) == .bool(true)
                }
            }
            for await answered in group { #expect(answered) }
        }
        #expect(slots.peak == 3, "\(slots.peak) reviews ran at once")
    }
}
