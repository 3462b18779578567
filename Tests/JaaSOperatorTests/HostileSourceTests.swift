import Foundation
import JaaSArtifacts
import JaaSOperator
import Testing

/// Sources written by an attacker (issue 22): a download can neither hold a
/// worker, nor commit memory beyond its budget, nor tell the tenant anything
/// about what the URL answered.
@Suite struct HostileSourceTests {
    func loose(_ adjust: (inout SourceFetcher.Limits) -> Void = { _ in }) -> SourceFetcher {
        var limits = SourceFetcher.Limits()
        adjust(&limits)
        return SourceFetcher(limits: limits, policy: AddressPolicy(allowLoopback: true))
    }

    func failure(_ fetcher: SourceFetcher, _ url: String, digest: String,
                 budget: InputBudget? = nil) async -> ReconcileFailure? {
        do {
            _ = try await fetcher.fetch(url: url, digest: digest, budget: budget)
            return nil
        } catch {
            return error
        }
    }

    static let someDigest = ArtifactDigest(of: Array("never".utf8)).description

    @Test func aStalledDownloadFailsAtTheIdleTimeout() async throws {
        let host = try await ArtifactHost()
        defer { host.stop() }
        host.trickle("/stall", every: nil)
        let fetcher = loose { $0.idleTimeout = .seconds(1) }
        let started = ContinuousClock.now
        let error = await failure(fetcher, host.url("/stall"), digest: Self.someDigest)
        let elapsed = ContinuousClock.now - started
        #expect(error?.reason == .sourceFetchFailed)
        #expect(error?.message.contains("--source-idle-timeout") == true, "\(error?.message ?? "fetched")")
        #expect(elapsed < .seconds(10), "\(elapsed)")
    }

    @Test func aDrippingDownloadFailsAtTheTotalDeadline() async throws {
        let host = try await ArtifactHost()
        defer { host.stop() }
        host.trickle("/drip", every: .milliseconds(200))
        let fetcher = loose {
            $0.idleTimeout = .seconds(5)
            $0.totalTimeout = .seconds(2)
        }
        let started = ContinuousClock.now
        let error = await failure(fetcher, host.url("/drip"), digest: Self.someDigest)
        let elapsed = ContinuousClock.now - started
        #expect(error?.reason == .sourceFetchFailed)
        #expect(error?.message.contains("--source-download-timeout") == true, "\(error?.message ?? "fetched")")
        #expect(elapsed >= .seconds(2) && elapsed < .seconds(8), "\(elapsed)")
    }

    @Test func cancellingTheCallerEndsTheDownload() async throws {
        let host = try await ArtifactHost()
        defer { host.stop() }
        host.trickle("/stall", every: nil)
        let fetcher = loose()
        let url = host.url("/stall")
        let task = Task { try await fetcher.fetch(url: url, digest: Self.someDigest) }
        try await Task.sleep(for: .milliseconds(500))
        let started = ContinuousClock.now
        task.cancel()
        _ = await task.result
        // (The idle timeout is 30 s: ending well before it is the cancellation's doing.)
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    @Test func waitingForADownloadSlotEndsOnCancellation() async throws {
        let host = try await ArtifactHost()
        defer { host.stop() }
        host.trickle("/stall", every: nil)
        let fetcher = SourceFetcher(policy: AddressPolicy(allowLoopback: true), concurrentDownloads: 1)
        let url = host.url("/stall")
        let holder = Task { try await fetcher.fetch(url: url, digest: Self.someDigest) }
        try await Task.sleep(for: .milliseconds(300))
        let waiter = Task { try await fetcher.fetch(url: url, digest: Self.someDigest) }
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now
        waiter.cancel()
        _ = await waiter.result
        // (The slot's holder stalls for its 30 s idle timeout: the waiter left the line.)
        #expect(ContinuousClock.now - started < .seconds(15))
        holder.cancel()
        _ = await holder.result
    }

    /// The digest oracle: the message names the digest the tenant declared, never
    /// the digest (nor the size) of what the tenant-chosen URL answered.
    @Test func aDigestMismatchSaysNothingOfTheAnswer() async throws {
        let host = try await ArtifactHost()
        defer { host.stop() }
        let secret = try Artifact(files: ["main.jsonnet": Array("{ secret: 42 }".utf8)])
        host.put("/secret.tar.gz", secret.tarball)
        for algorithm in ArtifactDigest.Algorithm.allCases {
            let guess = ArtifactDigest(of: Array("a guess".utf8), algorithm: algorithm).description
            let error = await failure(loose(), host.url("/secret.tar.gz"), digest: guess)
            let message = error?.message ?? ""
            #expect(error?.reason == .sourceFetchFailed)
            #expect(message.contains(guess), "\(message)")
            for leak in ArtifactDigest.Algorithm.allCases.map({ ArtifactDigest(of: secret.tarball, algorithm: $0).hex })
                + ["\(secret.tarball.count) bytes", "\(secret.tarball.count)-byte"] {
                #expect(!message.contains(leak), "\(message)")
            }
        }
    }

    @Test func anOversizeDownloadNamesTheCapNotTheSize() async throws {
        let host = try await ArtifactHost()
        defer { host.stop() }
        var random = SystemRandomNumberGenerator()
        let big = try Artifact(files: ["main.jsonnet": (0..<200_000).map { _ in UInt8.random(in: 0...255, using: &random) }])
        host.put("/big.tar.gz", big.tarball)
        let error = await failure(loose { $0.maxDownloadBytes = 50_000 }, host.url("/big.tar.gz"), digest: big.digest)
        #expect(error?.reason == .sourceFetchFailed)
        #expect(error?.message.contains("--max-source-download-bytes") == true, "\(error?.message ?? "fetched")")
        #expect(error?.message.contains("\(big.tarball.count)") == false)
    }

    /// Issue 22's archive: hard links to one large file pass every per-entry cap;
    /// counted as the bytes they stand for they are over the extracted-size cap.
    @Test func aHardLinkBombIsArtifactTooLarge() async throws {
        let host = try await ArtifactHost()
        defer { host.stop() }
        var tar = Tar.write(["main.jsonnet": Array("{}".utf8), "big": [UInt8](repeating: 0, count: 1 << 20)])
        tar.removeLast(1024)
        for i in 0..<2_000 { tar += HardLink.entry("l/\(i)", to: "big") }
        tar += [UInt8](repeating: 0, count: 1024)
        let archive = try Gzip.compress(tar)
        host.put("/links.tar.gz", archive)
        let digest = ArtifactDigest(of: archive).description
        let error = await failure(loose(), host.url("/links.tar.gz"), digest: digest)
        #expect(error?.reason == .artifactTooLarge)
        #expect(error?.message.contains("--max-source-extracted-bytes") == true, "\(error?.message ?? "fetched")")
        // Within the archive cap, but over what is left of the evaluation's budget.
        var budget = InputBudget(limit: 3 << 20)
        try budget.take(["lib/x": [UInt8](repeating: 0, count: 2 << 20)], what: "a library")
        let fetcher = loose { $0.tar.maxTotalBytes = 4 << 30 }
        let small = try Artifact(files: ["main.jsonnet": Array("{}".utf8), "big": [UInt8](repeating: 0, count: 2 << 20)])
        host.put("/small.tar.gz", small.tarball)
        let over = await failure(fetcher, host.url("/small.tar.gz"), digest: small.digest, budget: budget)
        #expect(over?.reason == .artifactTooLarge)
        #expect(over?.message.contains("--max-evaluation-input-bytes") == true, "\(over?.message ?? "fetched")")
    }

    @Test func theInputBudgetCountsEveryTree() throws {
        var budget = InputBudget(limit: 100)
        try budget.take(["a": [UInt8](repeating: 0, count: 40)], what: "source")
        #expect(budget.remaining == 59)
        #expect(throws: ReconcileFailure.self) { try budget.take(["b": [UInt8](repeating: 0, count: 60)], what: "library") }
    }
}

/// A ustar hard-link header.
enum HardLink {
    static func entry(_ name: String, to target: String) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ at: Int, _ s: String) { h.replaceSubrange(at..<at + s.utf8.count, with: Array(s.utf8)) }
        put(0, name)
        put(100, "0000644\0")
        put(108, "0000000\0")
        put(116, "0000000\0")
        put(124, "00000000000\0")
        put(136, "00000000000\0")
        h[156] = UInt8(ascii: "1")
        put(157, target)
        put(257, "ustar\0")
        put(263, "00")
        for i in 148..<156 { h[i] = 32 }
        let sum = String(h.reduce(0) { $0 + Int($1) }, radix: 8)
        put(148, String(repeating: "0", count: 6 - sum.count) + sum + "\0 ")
        return h
    }
}
