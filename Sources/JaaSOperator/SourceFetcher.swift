import AsyncHTTPClient
import Foundation
import JaaSArtifacts
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#endif

/// Downloads a Flux source artifact (`status.artifact.url`), verifies its
/// `status.artifact.digest` and extracts it in memory, with SPEC §5's limits:
/// 64 MiB download, 64 MiB extracted, 16 MiB per entry, 512 MiB inflated
/// stream, at most 4 downloads at once, http(s) only, no link-local or cloud
/// metadata addresses, at most 5 redirects (each one checked again).
public struct SourceFetcher: Sendable {
    public struct Limits: Sendable {
        public var maxDownloadBytes = 64 << 20
        public var tar = Tar.Limits(maxEntries: 100_000, maxEntryBytes: 16 << 20, maxTotalBytes: 64 << 20)
        public var maxRedirects = 5
        public var timeout: TimeAmount = .seconds(60)
        public init() {}
    }

    public var limits: Limits
    private let slots: DownloadSlots

    public init(limits: Limits = Limits(), concurrentDownloads: Int = 4) {
        self.limits = limits
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
            try Self.checkAllowed(url)
            var request = HTTPClientRequest(url: url)
            request.method = .GET
            let response = try await HTTPClient.shared.execute(request, timeout: limits.timeout)
            switch response.status.code {
            case 200:
                if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > limits.maxDownloadBytes {
                    throw ReconcileFailure(.sourceFetchFailed, "artifact \(url) is \(length) bytes, over the \(limits.maxDownloadBytes)-byte download limit")
                }
                do {
                    return Array(try await response.body.collect(upTo: limits.maxDownloadBytes).readableBytesView)
                } catch is NIOTooManyBytesError {
                    throw ReconcileFailure(.sourceFetchFailed, "artifact \(url) exceeds the \(limits.maxDownloadBytes)-byte download limit")
                }
            case 301, 302, 303, 307, 308:
                guard let location = response.headers.first(name: "location"),
                      let next = URL(string: location, relativeTo: URL(string: url))?.absoluteString else {
                    throw ReconcileFailure(.sourceFetchFailed, "redirect from \(url) without a usable Location")
                }
                url = next
            default:
                throw ReconcileFailure(.sourceFetchFailed, "downloading \(url): HTTP \(response.status.code) \(response.status.reasonPhrase)")
            }
        }
        throw ReconcileFailure(.sourceFetchFailed, "more than \(limits.maxRedirects) redirects from \(start)")
    }

    /// Rejects non-http(s) URLs and hosts that resolve to link-local or cloud metadata addresses.
    static func checkAllowed(_ text: String) throws {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else {
            throw ReconcileFailure(.sourceFetchFailed, "artifact URL \"\(text)\" is not an http(s) URL")
        }
        let lowered = host.lowercased()
        if lowered == "metadata.google.internal" || lowered == "metadata" {
            throw ReconcileFailure(.sourceFetchFailed, "artifact URL \"\(text)\" points at a cloud metadata service")
        }
        for address in resolve(host) where isLinkLocal(address) {
            throw ReconcileFailure(.sourceFetchFailed,
                                   "artifact URL \"\(text)\" resolves to \(address), a link-local or metadata address")
        }
    }

    static func isLinkLocal(_ address: String) -> Bool {
        let a = address.lowercased()
        return a.hasPrefix("169.254.") || a.hasPrefix("fe80:") || a == "fd00:ec2::254" || a.hasPrefix("::ffff:169.254.")
    }

    /// Every address `host` resolves to (numeric hosts as themselves).
    static func resolve(_ host: String) -> [String] {
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(bare, nil, &hints, &result) == 0, let first = result else { return [bare] }
        defer { freeaddrinfo(first) }
        var out: [String] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let n = node {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(n.pointee.ai_addr, n.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                out.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
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
