import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import JaaSArtifacts
import JaaSOperator
import NIOCore
import NIOHTTP1
import Synchronization
import Testing
import TestSupport

/// `S3Client` and `S3Storage` against a real S3 server (moto), through a proxy the
/// tests can cut; the storage server in front of S3; the web-identity credential source.
@Suite(.serialized) struct S3StorageTests {
    static func bucket() -> String { "jaas-\(UInt32.random(in: 0...UInt32.max))" }

    @Test func objectsRoundTripAndListingsPaginate() async throws {
        let moto = try await MotoServer.start()
        let bucket = Self.bucket()
        try await moto.createBucket(bucket)
        let client = moto.client(bucket: bucket)
        let storage = S3Storage(client: client, prefix: "artifacts")
        let payload = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for hex in ["a1", "b2", "c3", "d4", "e5"] {
            try await storage.put(artifactKey(namespace: "ns", name: "snip", hex: hex), payload)
        }
        try await storage.put(artifactKey(namespace: "ns", name: "other", hex: "ff"), [1])
        let key = artifactKey(namespace: "ns", name: "snip", hex: "c3")
        #expect(try await storage.readAll(key) == payload)
        let info = try #require(try await storage.info(key))
        #expect(info.size == payload.count && info.etag.hasPrefix("\""))
        #expect(abs(info.lastModified.timeIntervalSinceNow) < 120)
        #expect(try await storage.info(artifactKey(namespace: "ns", name: "snip", hex: "00")) == nil)

        let part = Parts()
        try await storage.read(key, range: 1000..<1010) { part.add($0) }
        #expect(part.bytes == Array(payload[1000..<1010]))

        // Two keys a page: three requests, every key once.
        let listed = try await client.listObjects(prefix: "artifacts/ns/snip/", pageSize: 2)
        #expect(listed.map(\.key) == ["a1", "b2", "c3", "d4", "e5"].map { "artifacts/ns/snip/\($0).tar.gz" })
        #expect(try await storage.revisions(namespace: "ns", name: "snip") == ["a1", "b2", "c3", "d4", "e5"])

        try await storage.delete(key)
        try await storage.delete(key)
        #expect(try await storage.revisions(namespace: "ns", name: "snip") == ["a1", "b2", "d4", "e5"])
        try await storage.deleteAll(namespace: "ns", name: "snip")
        #expect(try await storage.revisions(namespace: "ns", name: "snip") == [])
        #expect(try await storage.revisions(namespace: "ns", name: "other") == ["ff"])
        // A key cannot climb out of the prefix.
        await #expect(throws: (any Error).self) { try await storage.put("../escape.tar.gz", [1]) }
    }

    @Test func transientFailuresAreRetriedAndAnOutageSurfaces() async throws {
        let moto = try await MotoServer.start()
        let bucket = Self.bucket()
        try await moto.createBucket(bucket)
        let proxy = try TCPProxy(to: moto.port)
        var configuration = moto.client(bucket: bucket).configuration
        configuration.endpoint = "127.0.0.1:\(proxy.port)"
        configuration.baseBackoff = .milliseconds(300)
        configuration.maxBackoff = .seconds(1)
        let client = S3Client(configuration)
        proxy.cut()
        // Connections are refused for 0.5 s; the retries (0.15–0.3 s, then 0.3–0.6 s, …) outlast it.
        let restore = Task {
            try await Task.sleep(for: .milliseconds(500))
            proxy.restore()
        }
        try await client.putObject("retried", [7, 7])
        try await restore.value
        #expect(try await client.headObject("retried")?.size == 2)

        proxy.cut()
        await #expect(throws: S3Error.self) { try await client.putObject("lost", [1]) }
        proxy.restore()
        // Errors S3 answers are reported with their code, not retried forever.
        let wrongBucket = moto.client(bucket: "no-such-\(bucket)")
        let error = await #expect(throws: S3Error.self) { try await wrongBucket.putObject("x", [1]) }
        #expect(error?.code == "NoSuchBucket")
    }

    @Test func storageServerServesFromS3() async throws {
        let moto = try await MotoServer.start()
        let bucket = Self.bucket()
        try await moto.createBucket(bucket)
        let storage = S3Storage(client: moto.client(bucket: bucket), prefix: "")
        let payload = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let key = artifactKey(namespace: "ns", name: "snip", hex: "abc")
        try await storage.put(key, payload)
        let server = StorageServer(storage: storage, host: "127.0.0.1", port: 0)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await server.run { continuation.yield($0) } }
        defer { task.cancel() }
        var port = 0
        for await p in ports { port = p; break }
        let url = "http://127.0.0.1:\(port)/\(key)"

        let full = try await Self.fetch(url)
        #expect(full.status == 200 && full.body == payload)
        #expect(full.headers["content-length"] == "\(payload.count)")
        let etag = try #require(full.headers["etag"])
        let modified = try #require(full.headers["last-modified"])

        let head = try await Self.fetch(url, method: .HEAD)
        #expect(head.status == 200 && head.body.isEmpty && head.headers["content-length"] == "\(payload.count)")
        #expect(head.headers["etag"] == etag)

        let range = try await Self.fetch(url, headers: ["range": "bytes=10-19"])
        #expect(range.status == 206 && range.body == Array(payload[10..<20]))
        #expect(range.headers["content-range"] == "bytes 10-19/\(payload.count)")
        let suffix = try await Self.fetch(url, headers: ["range": "bytes=-5"])
        #expect(suffix.status == 206 && suffix.body == Array(payload.suffix(5)))
        #expect(try await Self.fetch(url, headers: ["range": "bytes=999999-"]).status == 416)

        #expect(try await Self.fetch(url, headers: ["if-none-match": etag]).status == 304)
        #expect(try await Self.fetch(url, headers: ["if-modified-since": modified]).status == 304)
        #expect(try await Self.fetch(url, headers: ["if-modified-since": "Mon, 01 Jan 2001 00:00:00 GMT"]).status == 200)
        #expect(try await Self.fetch("http://127.0.0.1:\(port)/ns/snip/missing.tar.gz").status == 404)
        #expect(try await Self.fetch("http://127.0.0.1:\(port)/ns/../x/a.tar.gz").status == 404)
    }

    @Test func webIdentityCredentialsComeFromSTSAndAreRefreshedBeforeExpiry() async throws {
        let sts = try await FakeSTS.start()
        defer { sts.stop() }
        let tokenFile = temporaryPath("jaas-token-")
        try "projected-sa-token".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: tokenFile) }
        let environment = ["AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/jaas",
                           "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:\(sts.port)"]
        // Credentials valid for an hour are reused.
        sts.state.lifetime.withLock { $0 = 3600 }
        let provider = CredentialChain.provider(environment: environment, region: "us-east-1")
        let first = try await provider.credentials()
        #expect(first.accessKeyID == "ASIA1" && first.sessionToken == "session-1")
        #expect(try await provider.credentials() == first)
        #expect(sts.state.requests.withLock { $0 } == ["projected-sa-token"])
        // Credentials within the refresh margin (5 minutes) of expiry are replaced.
        sts.state.lifetime.withLock { $0 = 120 }
        let short = CredentialChain.provider(environment: environment, region: "us-east-1")
        let a = try await short.credentials()
        let b = try await short.credentials()
        #expect(a.accessKeyID != b.accessKeyID)
        // Environment keys win over web identity.
        let env = CredentialChain.provider(
            environment: environment.merging(["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret"]) { $1 },
            region: "us-east-1")
        #expect(try await env.credentials().accessKeyID == "AKID")
    }

    @Test func instanceMetadataIsTheLastResort() async throws {
        let router = Router()
        router.put("/latest/api/token") { request, _ -> Response in
            guard request.headers[HTTPField.Name("x-aws-ec2-metadata-token-ttl-seconds")!] != nil else {
                return Response(status: .badRequest)
            }
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "imds-session")))
        }
        let roleRoute: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            // IMDSv2: nothing without the session token.
            guard request.headers[HTTPField.Name("x-aws-ec2-metadata-token")!] == "imds-session" else {
                return Response(status: .unauthorized)
            }
            let body = request.uri.path.hasSuffix("/node-role")
                ? #"{"Code":"Success","AccessKeyId":"ASIAIMDS","SecretAccessKey":"s","Token":"t","Expiration":"2099-01-01T00:00:00Z"}"#
                : "node-role\n"
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("/latest/meta-data/iam/security-credentials", use: roleRoute)
        router.get("/latest/meta-data/iam/security-credentials/**", use: roleRoute)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        let task = Task { try await app.run() }
        defer { task.cancel() }
        var port = 0
        for await p in ports { port = p; break }
        let provider = CredentialChain.provider(
            environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(port)"], region: "us-east-1")
        let credentials = try await provider.credentials()
        #expect(credentials.accessKeyID == "ASIAIMDS" && credentials.sessionToken == "t")
        #expect(credentials.expiration == ISO8601DateFormatter().date(from: "2099-01-01T00:00:00Z"))
    }

    /// One answer of the storage server.
    struct Fetched {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
    }

    static func fetch(_ url: String, method: HTTPMethod = .GET, headers: [String: String] = [:]) async throws -> Fetched {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        var fields: [String: String] = [:]
        for header in response.headers { fields[header.name.lowercased()] = header.value }
        return Fetched(status: Int(response.status.code), headers: fields, body: Array(body.readableBytesView))
    }
}

/// Chunks gathered from a storage read.
final class Parts: Sendable {
    private let storage = Mutex<[UInt8]>([])
    func add(_ buffer: ByteBuffer) { storage.withLock { $0 += buffer.readableBytesView } }
    var bytes: [UInt8] { storage.withLock { $0 } }
}

/// A local STS answering AssumeRoleWithWebIdentity with numbered credentials.
final class FakeSTS: Sendable {
    /// What the test controls and observes.
    final class State: Sendable {
        /// Seconds until the issued credentials expire.
        let lifetime = Mutex(3600)
        /// The web identity tokens received.
        let requests = Mutex<[String]>([])
    }

    let port: Int
    let state: State
    private let task: Task<Void, any Error>

    private init(port: Int, state: State, task: Task<Void, any Error>) {
        self.port = port
        self.state = state
        self.task = task
    }

    static func start() async throws -> FakeSTS {
        let state = State()
        let router = Router()
        router.post("/") { request, _ -> Response in
            let form = String(buffer: try await request.body.collect(upTo: 1 << 20))
            var fields: [String: String] = [:]
            for pair in form.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
                if parts.count == 2 { fields[parts[0]] = parts[1] }
            }
            guard fields["Action"] == "AssumeRoleWithWebIdentity", let token = fields["WebIdentityToken"],
                  fields["RoleArn"] == "arn:aws:iam::123456789012:role/jaas" else { return Response(status: .badRequest) }
            let n = state.requests.withLock { $0.append(token); return $0.count }
            let expiry = Date().addingTimeInterval(Double(state.lifetime.withLock { $0 }))
            let xml = """
                <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <AssumeRoleWithWebIdentityResult><Credentials>
                    <AccessKeyId>ASIA\(n)</AccessKeyId><SecretAccessKey>secret-\(n)</SecretAccessKey>
                    <SessionToken>session-\(n)</SessionToken><Expiration>\(ISO8601DateFormatter().string(from: expiry))</Expiration>
                  </Credentials></AssumeRoleWithWebIdentityResult>
                </AssumeRoleWithWebIdentityResponse>
                """
            return Response(status: .ok, headers: [.contentType: "text/xml"], body: ResponseBody(byteBuffer: ByteBuffer(string: xml)))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        let task = Task { try await app.run() }
        var port = 0
        for await p in ports { port = p; break }
        return FakeSTS(port: port, state: state, task: task)
    }

    func stop() { task.cancel() }
}
