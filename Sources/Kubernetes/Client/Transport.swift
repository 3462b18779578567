import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import Tracing

/// The HTTP clients behind a `KubeClient` and the clients derived from it with `withToken`.
///
/// A token-derived client must not present the operator's TLS client certificate (the
/// API server would authenticate the certificate, not the token), so when the
/// configuration has one a second HTTP client without it is kept for bearer tokens.
final class Transport: Sendable {
    let primary: HTTPClient
    let tokenOnly: HTTPClient
    private let shutDown = NIOLockedValueBox(false)

    init(config: KubeConfig) throws {
        let isHTTPS = config.server.lowercased().hasPrefix("https://")
        // Build every configuration first: an HTTPClient must not be dropped un-shut-down.
        let primaryConfiguration = try Self.configuration(config, includeClientCertificate: true, https: isHTTPS)
        let tokenConfiguration =
            config.clientCertificate == nil
            ? nil : try Self.configuration(config, includeClientCertificate: false, https: isHTTPS)
        primary = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: primaryConfiguration)
        tokenOnly = tokenConfiguration.map { HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: $0) } ?? primary
    }

    private static func configuration(_ config: KubeConfig, includeClientCertificate: Bool, https: Bool) throws
        -> HTTPClient.Configuration
    {
        var tls: TLSConfiguration?
        if https {
            var t = TLSConfiguration.makeClientConfiguration()
            if let ca = config.certificateAuthority {
                do {
                    t.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
                } catch {
                    throw KubeConfigError("certificate authority is not valid PEM: \(error)")
                }
            }
            if config.insecureSkipTLSVerify { t.certificateVerification = .none }
            if includeClientCertificate, let client = config.clientCertificate {
                do {
                    t.certificateChain = try NIOSSLCertificate.fromPEMBytes(client.certificate).map { .certificate($0) }
                    t.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: client.key, format: .pem))
                } catch {
                    throw KubeConfigError("client certificate or key is not valid PEM: \(error)")
                }
            }
            tls = t
        }
        // No read timeout: watches stay idle between events; per-request deadlines bound the rest.
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: nil))
        // KubeClient.open makes the client spans, with the API path; none from the HTTP client too.
        configuration.tracing.tracer = nil
        return configuration
    }

    func shutdown() async throws {
        let first = shutDown.withLockedValue { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        try await primary.shutdown()
        if tokenOnly !== primary { try await tokenOnly.shutdown() }
    }
}

/// Produces the `Authorization` header value for each request.
final class Credentials: Sendable {
    private enum Source {
        case none
        case fixed(String)
        case tokenFile(String)
    }

    private let source: Source
    private let cache = NIOLockedValueBox<(value: String, readAt: ContinuousClock.Instant)?>(nil)
    /// How long a token read from a file is reused before the file is read again.
    static let tokenFileRefresh: Duration = .seconds(60)

    init(_ authentication: KubeConfig.Authentication) {
        switch authentication {
        case .none: source = .none
        case .bearerToken(let token): source = .fixed("Bearer \(token)")
        case .tokenFile(let path): source = .tokenFile(path)
        case .basic(let username, let password):
            source = .fixed("Basic " + Data("\(username):\(password)".utf8).base64EncodedString())
        }
    }

    /// The header value, or `nil` for anonymous requests.
    func authorization() throws -> String? {
        switch source {
        case .none: return nil
        case .fixed(let value): return value
        case .tokenFile(let path):
            let now = ContinuousClock.now
            if let cached = cache.withLockedValue({ $0 }), now - cached.readAt < Self.tokenFileRefresh {
                return cached.value
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw KubeConfigError("cannot read token file \(path)")
            }
            let value = "Bearer " + String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            cache.withLockedValue { $0 = (value, now) }
            return value
        }
    }
}
