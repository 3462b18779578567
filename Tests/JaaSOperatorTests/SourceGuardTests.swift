import Foundation
import JaaSArtifacts
import JaaSOperator
import Synchronization
import Testing

/// The SSRF rules for source artifact URLs (issue 12, Deliver 8).
@Suite struct SourceGuardTests {
    @Test func literalsAreClassified() throws {
        let refused = ["127.0.0.1", "127.9.9.9", "::1", "[::1]", "0.0.0.0", "::", "169.254.169.254", "fe80::1", "febf::1",
                       "224.0.0.1", "239.255.255.250", "ff02::1", "255.255.255.255", "::ffff:127.0.0.1",
                       "::ffff:169.254.169.254", "fd00:ec2::254", "0.1.2.3"]
        let policy = AddressPolicy()
        for text in refused {
            let address = try #require(IPAddress(parsing: text), "\(text)")
            #expect(policy.refusal(address) != nil, "\(text) must be refused")
        }
        for text in ["10.0.0.1", "192.168.1.10", "8.8.8.8", "2001:db8::1", "fec0::1", "fd00::1", "::ffff:10.1.2.3"] {
            let address = try #require(IPAddress(parsing: text), "\(text)")
            #expect(policy.refusal(address) == nil, "\(text) must be allowed")
        }
        #expect(IPAddress(parsing: "example.com") == nil)
        #expect(IPAddress(parsing: "::ffff:127.0.0.1")?.kind == .loopback)
        for host in ["localhost", "LOCALHOST", "api.localhost", "localhost.", "metadata.google.internal", "metadata"] {
            #expect(policy.refusal(host: host) != nil, "\(host)")
        }
    }

    @Test func allowLoopbackLetsOnlyLoopbackThrough() throws {
        let loose = AddressPolicy(allowLoopback: true)
        for text in ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"] {
            #expect(loose.refusal(try #require(IPAddress(parsing: text))) == nil, "\(text)")
        }
        #expect(loose.refusal(host: "localhost") == nil)
        for text in ["0.0.0.0", "169.254.169.254", "fe80::1", "224.0.0.1", "::"] {
            #expect(loose.refusal(try #require(IPAddress(parsing: text))) != nil, "\(text)")
        }
    }

    func fetchFailure(_ fetcher: SourceFetcher, _ url: String, digest: String) async -> String? {
        do {
            _ = try await fetcher.fetch(url: url, digest: digest)
            return nil
        } catch {
            #expect(error.reason == .sourceFetchFailed)
            return error.message
        }
    }

    @Test func loopbackURLsAreRefusedUnlessAllowed() async throws {
        let host = try await ArtifactHost()
        defer { host.stop() }
        let artifact = try Artifact(files: ["main.jsonnet": Array("{}".utf8)])
        host.put("/a.tar.gz", artifact.tarball)
        let strict = SourceFetcher()
        let message = await fetchFailure(strict, host.url("/a.tar.gz"), digest: artifact.digest)
        #expect(message?.contains("loopback") == true, "\(message ?? "fetched")")
        #expect(host.hitCount("/a.tar.gz") == 0, "nothing was sent")
        let localhost = await fetchFailure(strict, "http://localhost:\(host.port)/a.tar.gz", digest: artifact.digest)
        #expect(localhost?.contains("localhost") == true)
        let loose = SourceFetcher(policy: AddressPolicy(allowLoopback: true))
        #expect(try await loose.fetch(url: host.url("/a.tar.gz"), digest: artifact.digest)["main.jsonnet"] != nil)
    }

    @Test func namesAreResolvedOnceAndTheConnectionGoesToTheCheckedAddress() async throws {
        let host = try await ArtifactHost()
        defer { host.stop() }
        let artifact = try Artifact(files: ["main.jsonnet": Array("{}".utf8)])
        host.put("/a.tar.gz", artifact.tarball)
        let lookups = Counter()
        // "artifacts.invalid" exists only in this resolver: the download can only work
        // if the client connects to the address the guard checked.
        let pinned = SourceFetcher(policy: AddressPolicy(allowLoopback: true)) { name in
            lookups.add()
            return name == "artifacts.invalid" ? [IPAddress(parsing: "127.0.0.1")!] : []
        }
        let tree = try await pinned.fetch(url: "http://artifacts.invalid:\(host.port)/a.tar.gz", digest: artifact.digest)
        #expect(tree["main.jsonnet"] != nil)
        #expect(lookups.value == 1)
        // One bad address among good ones refuses the whole name.
        let rebinding = SourceFetcher { _ in [IPAddress(parsing: "93.184.216.34")!, IPAddress(parsing: "169.254.169.254")!] }
        let message = await fetchFailure(rebinding, "http://evil.invalid/a.tar.gz", digest: artifact.digest)
        #expect(message?.contains("resolves to 169.254.169.254") == true, "\(message ?? "fetched")")
    }

    @Test func redirectsAreCheckedAgainAndTheirBodiesDropped() async throws {
        let host = try await ArtifactHost()
        defer { host.stop() }
        let artifact = try Artifact(files: ["main.jsonnet": Array("{}".utf8)])
        host.put("/real.tar.gz", artifact.tarball)
        host.redirect("/hop.tar.gz", to: "/real.tar.gz")
        host.redirect("/meta.tar.gz", to: "http://169.254.169.254/latest/meta-data")
        let loose = SourceFetcher(policy: AddressPolicy(allowLoopback: true))
        #expect(try await loose.fetch(url: host.url("/hop.tar.gz"), digest: artifact.digest)["main.jsonnet"] != nil)
        let message = await fetchFailure(loose, host.url("/meta.tar.gz"), digest: artifact.digest)
        #expect(message?.contains("link-local") == true, "\(message ?? "fetched")")
        host.redirect("/loop.tar.gz", to: "/loop.tar.gz")
        let loop = await fetchFailure(loose, host.url("/loop.tar.gz"), digest: artifact.digest)
        #expect(loop?.contains("redirects") == true, "\(loop ?? "fetched")")
        #expect(host.hitCount("/loop.tar.gz") == 6, "the first request and five redirects, each answered and closed")
    }
}

/// A thread-safe counter for closures.
final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
