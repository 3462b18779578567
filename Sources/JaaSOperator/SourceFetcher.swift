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
/// `status.artifact.digest` and extracts it in memory, within budgets checked
/// before memory is committed: the download (`--max-source-download-bytes`,
/// 64 MiB), the extracted tree with links counted as the bytes they stand for
/// (`--max-source-extracted-bytes`, 64 MiB, and whatever is left of the
/// evaluation's `--max-evaluation-input-bytes`), one entry (16 MiB); at most 4
/// downloads at once, at most 5 redirects. A download fails when no byte arrives
/// for `--source-idle-timeout` (30 s) and when it takes longer than
/// `--source-download-timeout` (5 min) in all; cancelling the calling task ends it.
///
/// Every hop (the URL and each redirect target) must be http(s) with a host that
/// ``AddressPolicy`` allows; the name is resolved off the cooperative pool, every
/// address it resolves to is checked, and the connection goes to a checked
/// address (TLS still verifies the name), so a rebinding DNS answer cannot slip in.
///
/// Failure messages say what was expected and why it failed, never a digest,
/// size or byte of what the URL answered: the tenant chooses the URL, so anything
/// echoed from the answer would make the operator an oracle for content the
/// tenant cannot read itself.
public struct SourceFetcher: Sendable {
    /// The limits.
    public struct Limits: Sendable {
        /// `--max-source-download-bytes`: the compressed artifact.
        public var maxDownloadBytes = 64 << 20
        /// Per archive: entries, one entry's bytes, and `--max-source-extracted-bytes`.
        public var tar = Tar.Limits(maxEntries: 100_000, maxEntryBytes: 16 << 20, maxTotalBytes: 64 << 20)
        /// The max redirects.
        public var maxRedirects = 5
        /// Time to connect to a host.
        public var connectTimeout: TimeAmount = .seconds(10)
        /// `--source-idle-timeout`: the longest wait for the next byte.
        public var idleTimeout: TimeAmount = .seconds(30)
        /// `--source-download-timeout`: the whole download, redirects included.
        public var totalTimeout: Duration = .seconds(300)
        /// The most bytes read from a redirect or error answer before it is cut off.
        public var maxDiscardedBodyBytes = 64 << 10
        /// Creates one with the defaults.
        public init() {}
    }

    /// Resolves a host name to its addresses.
    public typealias Resolver = @Sendable (String) async throws -> [IPAddress]

    /// The limits.
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

    /// The verified file tree behind `url`, within the per-archive limits.
    public func fetch(url: String, digest: String) async throws(ReconcileFailure) -> FileTree {
        try await fetch(url: url, digest: digest, budget: nil)
    }

    /// The verified file tree behind `url`. `budget` is what is left of the
    /// evaluation's input budget: a tree larger than it (or than the per-archive
    /// cap) is ``ReadyReason/artifactTooLarge`` naming the cap and its flag; every
    /// other failure is ``ReadyReason/sourceFetchFailed``.
    public func fetch(url: String, digest: String, budget: InputBudget?) async throws(ReconcileFailure) -> FileTree {
        let expected: ArtifactDigest
        do {
            expected = try ArtifactDigest(parsing: digest)
        } catch {
            throw ReconcileFailure(.sourceFetchFailed, "artifact digest: \(error)")
        }
        var tarLimits = limits.tar
        let budgetBinds = budget.map { $0.remaining < tarLimits.maxTotalBytes } ?? false
        if let budget, budgetBinds { tarLimits.maxTotalBytes = max(0, budget.remaining) }
        let bytes: ByteBuffer
        do {
            bytes = try await slots.withSlot { try await download(url) }
        } catch let e as ReconcileFailure {
            throw e
        } catch is CancellationError {
            throw ReconcileFailure(.sourceFetchFailed, "downloading \(url): cancelled")
        } catch {
            throw ReconcileFailure(.sourceFetchFailed, "downloading \(url): \(Self.describe(error))")
        }
        // Hashing and extracting take seconds of CPU for a large or hostile archive:
        // they run on NIO's blocking pool, never on the cooperative pool, whose two
        // threads also renew the Lease and serve every other tenant.
        let extracted: Result<FileTree, any Error>
        do {
            extracted = try await NIOThreadPool.singleton.runIfActive { [bytes, tarLimits] () -> Result<FileTree, any Error> in
                guard bytes.withUnsafeReadableBytes({ expected.matches($0) }) else { return .failure(DigestMismatch()) }
                // The download is dropped as it is inflated: at most the inflated
                // archive and the tree it holds are in memory together.
                do { return .success(try Artifact.extract(buffer: bytes, limits: tarLimits)) } catch { return .failure(error) }
            }
        } catch {
            throw ReconcileFailure(.sourceFetchFailed, "artifact \(url): the operator is shutting down")
        }
        do {
            return try extracted.get()
        } catch is DigestMismatch {
            throw ReconcileFailure(.sourceFetchFailed,
                                   "artifact \(url) does not match its digest \(expected) (the source's status.artifact.digest)")
        } catch let e as ArchiveTooLarge {
            if budgetBinds, let budget {
                throw ReconcileFailure(.artifactTooLarge, "artifact \(url): \(budget.overMessage(e.limit))")
            }
            throw ReconcileFailure(.artifactTooLarge, "artifact \(url): the extracted archive is over the \(e.limit)-byte "
                                   + "cap of one source (--max-source-extracted-bytes)")
        } catch {
            throw ReconcileFailure(.sourceFetchFailed, "artifact \(url): \(error)")
        }
    }

    /// A transport error in words that carry nothing of the answer.
    private static func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError {
            switch e {
            case .readTimeout: return "no data received for the idle timeout (--source-idle-timeout)"
            case .connectTimeout: return "connecting timed out"
            case .remoteConnectionClosed: return "the server closed the connection early"
            default: return "\(e)"
            }
        }
        return "\(error)"
    }

    private func download(_ start: String) async throws -> ByteBuffer {
        let deadline = ContinuousClock.now + limits.totalTimeout
        var url = start
        for _ in 0...limits.maxRedirects {
            let target = try await checkedTarget(url)
            var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
            configuration.timeout = .init(connect: limits.connectTimeout, read: limits.idleTimeout)
            if let name = target.name { configuration.dnsOverride = [name: target.address.description] }
            let current = url
            let outcome = try await withClient(configuration, until: deadline) { client in
                try await hop(client, current)
            }
            switch outcome {
            case .body(let bytes): return bytes
            case .redirect(let next): url = next
            }
        }
        throw ReconcileFailure(.sourceFetchFailed, "more than \(limits.maxRedirects) redirects from \(start)")
    }

    /// Runs `body` with a client of its own, ending it (and so every request of
    /// it) at `deadline` or when the calling task is cancelled.
    private func withClient(_ configuration: HTTPClient.Configuration, until deadline: ContinuousClock.Instant,
                            _ body: @escaping @Sendable (HTTPClient) async throws -> Hop) async throws -> Hop {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let total = limits.totalTimeout
        let result: Result<Hop, any Error> = await withTaskGroup(of: Result<Hop, any Error>?.self) { group in
            group.addTask {
                do { return .success(try await body(client)) } catch { return .failure(error) }
            }
            group.addTask {
                do {
                    try await Task.sleep(until: deadline, clock: .continuous)
                    return .failure(ReconcileFailure(.sourceFetchFailed,
                                                     "the download took longer than \(total) (--source-download-timeout)"))
                } catch {
                    return .failure(CancellationError())
                }
            }
            let first = await group.next()!!
            // Shutting the client down fails a request still in flight, so the
            // other child always ends.
            group.cancelAll()
            try? await client.shutdown()
            return first
        }
        return try result.get()
    }

    private enum Hop: Sendable { case body(ByteBuffer), redirect(String) }

    /// One request; redirect and error answers have their bodies read (up to a small
    /// cap) and dropped before the client closes.
    private func hop(_ client: HTTPClient, _ url: String) async throws -> Hop {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: limits.idleTimeout + limits.connectTimeout)
        switch response.status.code {
        case 200:
            if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > limits.maxDownloadBytes {
                throw ReconcileFailure(.sourceFetchFailed, "artifact \(url) is over the \(limits.maxDownloadBytes)-byte "
                                       + "download cap (--max-source-download-bytes)")
            }
            do {
                return .body(try await response.body.collect(upTo: limits.maxDownloadBytes))
            } catch is NIOTooManyBytesError {
                throw ReconcileFailure(.sourceFetchFailed, "artifact \(url) is over the \(limits.maxDownloadBytes)-byte "
                                       + "download cap (--max-source-download-bytes)")
            }
        case 301, 302, 303, 307, 308:
            _ = try? await response.body.collect(upTo: limits.maxDiscardedBodyBytes)
            guard let location = response.headers.first(name: "location"),
                  let next = URL(string: location, relativeTo: URL(string: url))?.absoluteString else {
                throw ReconcileFailure(.sourceFetchFailed, "redirect from \(url) without a usable Location")
            }
            return .redirect(next)
        default:
            throw ReconcileFailure(.sourceFetchFailed, "downloading \(url): HTTP \(response.status.code)")
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

/// A counting semaphore for downloads; a task cancelled while it waits leaves
/// the line at once.
actor DownloadSlots {
    private var free: Int
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextID: UInt64 = 0

    init(count: Int) { free = max(1, count) }

    func withSlot<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if free > 0 {
            free -= 1
        } else {
            nextID += 1
            let id = nextID
            let granted = await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    if Task.isCancelled { continuation.resume(returning: false) } else { waiters.append((id, continuation)) }
                }
            } onCancel: {
                Task { await self.cancel(id) }
            }
            guard granted else { throw CancellationError() }
        }
        defer { release() }
        return try await body()
    }

    private func cancel(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: false)
    }

    private func release() {
        if waiters.isEmpty { free += 1 } else { waiters.removeFirst().continuation.resume(returning: true) }
    }
}

/// The downloaded bytes do not have the digest the source declared.
private struct DigestMismatch: Error {}

/// What one evaluation may still take in: the source tree plus every library
/// tree (`--max-evaluation-input-bytes`), links counted as copies.
public struct InputBudget: Sendable {
    /// The whole budget in bytes.
    public let limit: Int
    /// What is left of it.
    public private(set) var remaining: Int

    /// A budget of `limit` bytes.
    public init(limit: Int) {
        self.limit = limit
        remaining = limit
    }

    /// Takes `tree`'s bytes; ``ReadyReason/artifactTooLarge`` once the budget is spent.
    public mutating func take(_ tree: FileTree, what: String) throws(ReconcileFailure) {
        let size = tree.byteCount
        guard size <= remaining else { throw ReconcileFailure(.artifactTooLarge, "\(what): \(overMessage(limit))") }
        remaining -= size
    }

    /// The message for a tree that does not fit.
    func overMessage(_ cap: Int) -> String {
        "the sources and libraries of one evaluation are over the \(limit)-byte cap (--max-evaluation-input-bytes)"
    }
}
