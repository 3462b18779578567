import AsyncHTTPClient
import Foundation
import JaaSArtifacts
import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Downloads a Flux source artifact (`status.artifact.url`), verifies its
/// `status.artifact.digest` and extracts it in memory, with SPEC §5's limits:
/// 64 MiB download, 64 MiB extracted, 16 MiB per entry, 512 MiB inflated
/// stream, at most 4 downloads at once, at most 5 redirects.
///
/// Every hop (the URL and each redirect target) must be http(s) with a host that
/// ``AddressPolicy`` allows; the name is resolved off the cooperative pool, every
/// address it resolves to is checked, and the connection goes to a checked
/// address (TLS still verifies the name), so a rebinding DNS answer cannot slip in.
public struct SourceFetcher: Sendable {
    public struct Limits: Sendable {
        public var maxDownloadBytes = 64 << 20
        public var tar = Tar.Limits(maxEntries: 100_000, maxEntryBytes: 16 << 20, maxTotalBytes: 64 << 20)
        public var maxRedirects = 5
        public var timeout: TimeAmount = .seconds(60)
        /// The most bytes read from a redirect or error answer before it is cut off.
        public var maxDiscardedBodyBytes = 64 << 10
        public init() {}
    }

    /// Resolves a host name to its addresses.
    public typealias Resolver = @Sendable (String) async throws -> [IPAddress]

    public var limits: Limits
    /// Which addresses may be fetched from.
    public var policy: AddressPolicy
    private let resolver: Resolver
    private let slots: DownloadSlots

    /// A fetcher; `resolver` defaults to the system resolver, run on NIO's thread pool.
    public init(limits: Limits = Limits(), policy: AddressPolicy = AddressPolicy(), concurrentDownloads: Int = 4,
                resolver: Resolver? = nil) {
        self.limits = limits
        self.policy = policy
        self.resolver = resolver ?? SystemResolver.resolve
        self.slots = DownloadSlots(count: concurrentDownloads)
    }

    /// The verified file tree behind `url`; every failure is `SourceFetchFailed` with a message saying which.
    public func fetch(url: String, digest: String) async throws(ReconcileFailure) -> FileTree {
        let expected: ArtifactDigest
        do {
            expected = try ArtifactDigest(parsing: digest)
        } catch {
            throw ReconcileFailure(.sourceFetchFailed, "artifact digest: \(error)")
        }
        let bytes: [UInt8]
        do {
            bytes = try await slots.withSlot { try await download(url) }
        } catch let e as ReconcileFailure {
            throw e
        } catch {
            throw ReconcileFailure(.sourceFetchFailed, "downloading \(url): \(error)")
        }
        do {
            try expected.verify(bytes)
            return try Artifact.extract(bytes, limits: limits.tar)
        } catch {
            throw ReconcileFailure(.sourceFetchFailed, "artifact \(url): \(error)")
        }
    }

    private func download(_ start: String) async throws -> [UInt8] {
        var url = start
        for _ in 0...limits.maxRedirects {
            let target = try await checkedTarget(url)
            var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
            if let name = target.name { configuration.dnsOverride = [name: target.address.description] }
            let outcome: Hop = try await HTTPClient.withHTTPClient(configuration: configuration) { client in
                try await hop(client, url)
            }
            switch outcome {
            case .body(let bytes): return bytes
            case .redirect(let next): url = next
            }
        }
        throw ReconcileFailure(.sourceFetchFailed, "more than \(limits.maxRedirects) redirects from \(start)")
    }

    private enum Hop { case body([UInt8]), redirect(String) }

    /// One request; redirect and error answers have their bodies read (up to a small
    /// cap) and dropped before the client closes.
    private func hop(_ client: HTTPClient, _ url: String) async throws -> Hop {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: limits.timeout)
        switch response.status.code {
        case 200:
            if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > limits.maxDownloadBytes {
                _ = try? await response.body.collect(upTo: limits.maxDiscardedBodyBytes)
                throw ReconcileFailure(.sourceFetchFailed, "artifact \(url) is \(length) bytes, over the \(limits.maxDownloadBytes)-byte download limit")
            }
            do {
                return .body(Array(try await response.body.collect(upTo: limits.maxDownloadBytes).readableBytesView))
            } catch is NIOTooManyBytesError {
                throw ReconcileFailure(.sourceFetchFailed, "artifact \(url) exceeds the \(limits.maxDownloadBytes)-byte download limit")
            }
        case 301, 302, 303, 307, 308:
            _ = try? await response.body.collect(upTo: limits.maxDiscardedBodyBytes)
            guard let location = response.headers.first(name: "location"),
                  let next = URL(string: location, relativeTo: URL(string: url))?.absoluteString else {
                throw ReconcileFailure(.sourceFetchFailed, "redirect from \(url) without a usable Location")
            }
            return .redirect(next)
        default:
            _ = try? await response.body.collect(upTo: limits.maxDiscardedBodyBytes)
            throw ReconcileFailure(.sourceFetchFailed, "downloading \(url): HTTP \(response.status.code) \(response.status.reasonPhrase)")
        }
    }

    /// The address to connect to for `text`, once the URL, its host and every
    /// address the host resolves to have passed the policy; `name` is the host
    /// name to pin to that address (nil for a literal).
    func checkedTarget(_ text: String) async throws -> (name: String?, address: IPAddress) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else {
            throw ReconcileFailure(.sourceFetchFailed, "artifact URL \"\(text)\" is not an http(s) URL with a host")
        }
        if let why = policy.refusal(host: host) {
            throw ReconcileFailure(.sourceFetchFailed, "artifact URL \"\(text)\" points at \(why)")
        }
        if let literal = IPAddress(parsing: host) { return (nil, literal) }
        let addresses: [IPAddress]
        do {
            addresses = try await resolver(host)
        } catch {
            throw ReconcileFailure(.sourceFetchFailed, "artifact URL \"\(text)\": cannot resolve \(host): \(error)")
        }
        guard let first = addresses.first else {
            throw ReconcileFailure(.sourceFetchFailed, "artifact URL \"\(text)\": \(host) has no addresses")
        }
        for address in addresses {
            if let why = policy.refusal(address) {
                throw ReconcileFailure(.sourceFetchFailed, "artifact URL \"\(text)\" resolves to \(address), \(why)")
            }
        }
        return (host, first)
    }
}

/// `getaddrinfo` on NIO's blocking-I/O thread pool, never on the cooperative pool.
enum SystemResolver {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func resolve(_ host: String) async throws -> [IPAddress] {
        try await NIOThreadPool.singleton.runIfActive { try lookup(host) }
    }

    private static func lookup(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &result)
        guard status == 0, let first = result else {
            throw Failure(description: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(first) }
        var out: [IPAddress] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let n = node {
            if let sa = n.pointee.ai_addr {
                switch Int32(sa.pointee.sa_family) {
                case AF_INET:
                    let v4 = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    if let a = withUnsafeBytes(of: v4, { IPAddress(bytes: Array($0)) }) { out.append(a) }
                case AF_INET6:
                    let v6 = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    if let a = withUnsafeBytes(of: v6, { IPAddress(bytes: Array($0)) }) { out.append(a) }
                default:
                    break
                }
            }
            node = n.pointee.ai_next
        }
        return out
    }
}

/// A counting semaphore for downloads.
actor DownloadSlots {
    private var free: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(count: Int) { free = max(1, count) }

    func withSlot<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if free > 0 {
            free -= 1
        } else {
            await withCheckedContinuation { waiters.append($0) }
        }
        defer { release() }
        return try await body()
    }

    private func release() {
        if waiters.isEmpty { free += 1 } else { waiters.removeFirst().resume() }
    }
}
