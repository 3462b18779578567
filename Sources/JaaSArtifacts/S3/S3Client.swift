import AsyncHTTPClient
import Foundation
import JaaSArtifacts
import Logging
import NIOCore
import NIOHTTP1

/// An S3 answer that is not a success, or a request that could not be made.
public struct S3Error: Error, Sendable, CustomStringConvertible {
    /// The HTTP status (0: no answer, e.g. connection refused).
    public var status: Int
    /// The S3 error code (`NoSuchKey`, `SlowDown`, …) or the transport error.
    public var code: String
    /// The message.
    public var message: String

    /// A one-line description.
    public var description: String {
        status == 0 ? "S3 unreachable: \(message)" : "S3 answered \(status) \(code)\(message.isEmpty ? "" : ": \(message)")"
    }

    /// Worth retrying: no answer, a 5xx (including 503 SlowDown) or 429.
    var isTransient: Bool { status == 0 || status >= 500 || status == 429 }
}

/// One object of a listing.
public struct S3ObjectSummary: Sendable, Equatable {
    /// The key.
    public var key: String
    /// The size.
    public var size: Int
    /// The last modified.
    public var lastModified: Date?
    /// The etag.
    public var etag: String
}

/// A minimal S3 client over AsyncHTTPClient: PutObject, GetObject (streamed), HeadObject,
/// DeleteObject and ListObjectsV2 (paginated), path-style (`<endpoint>/<bucket>/<key>`),
/// SigV4-signed unless anonymous, retrying transient failures with exponential backoff.
public struct S3Client: Sendable {
    /// The configuration.
    public struct Configuration: Sendable {
        /// `host:port` (or a bare host).
        public var endpoint: String
        /// The bucket.
        public var bucket: String
        /// `--s3-region`; empty lets the endpoint decide (see ``signingRegion``).
        public var region: String
        /// The use SSL.
        public var useSSL: Bool
        /// nil: anonymous requests, unsigned.
        public var credentials: (any CredentialProvider)?
        /// Attempts per request, the first included.
        public var maxAttempts = 4
        /// The first retry's delay; each further one doubles, up to `maxBackoff`.
        public var baseBackoff: Duration = .milliseconds(200)
        /// The max backoff.
        public var maxBackoff: Duration = .seconds(2)
        /// Deadline of one metadata request (every request but a download's body).
        public var requestTimeout: TimeAmount = .seconds(30)

        /// Creates one from the given values.
        public init(endpoint: String, bucket: String, region: String = "us-east-1", useSSL: Bool = true,
                    credentials: (any CredentialProvider)?) {
            self.endpoint = endpoint
            self.bucket = bucket
            self.region = region
            self.useSSL = useSSL
            self.credentials = credentials
        }

        /// The region requests are signed for: `region`, or when it is empty (the
        /// original's default, for endpoints that ignore regions) `us-east-1`, the
        /// region AWS SDKs and minio-go sign with when none is known. An endpoint that
        /// needs another region says so in its error.
        public var signingRegion: String { Self.signingRegion(region) }

        /// ``signingRegion`` for a `--s3-region` value.
        public static func signingRegion(_ region: String) -> String {
            region.isEmpty ? "us-east-1" : region
        }
    }

    /// The configuration.
    public let configuration: Configuration
    private let http: HTTPClient
    private let logger: Logger

    /// Creates one from the given values.
    public init(_ configuration: Configuration, http: HTTPClient = .s3, logger: Logger = Logger(label: "jaas.s3")) {
        self.configuration = configuration
        self.http = http
        self.logger = logger
    }

    /// PutObject.
    public func putObject(_ key: String, _ bytes: [UInt8], contentType: String = "application/octet-stream") async throws {
        _ = try await send("PUT", key: key, headers: ["content-type": contentType], body: bytes)
    }

    /// HeadObject: nil when absent.
    public func headObject(_ key: String) async throws -> StoredArtifact? {
        do {
            let response = try await send("HEAD", key: key)
            let size = response.headers.first(name: "content-length").flatMap(Int.init) ?? 0
            let modified = response.headers.first(name: "last-modified").flatMap(HTTPDate.parse) ?? Date(timeIntervalSince1970: 0)
            return StoredArtifact(size: size, lastModified: modified, etag: response.headers.first(name: "etag") ?? "\"\"")
        } catch let error as S3Error where error.status == 404 {
            return nil
        }
    }

    /// GetObject, streamed: each body chunk goes to `sink` as it arrives. Only the request
    /// up to the response head is retried; a body cut short throws.
    public func getObject(_ key: String, range: Range<Int>?, into sink: (ByteBuffer) async throws -> Void)
        async throws {
        var headers: [String: String] = [:]
        if let range { headers["range"] = "bytes=\(range.lowerBound)-\(range.upperBound - 1)" }
        let response = try await send("GET", key: key, headers: headers, streaming: true)
        for try await chunk in response.body {
            try await sink(chunk)
        }
    }

    /// DeleteObject (absent is fine).
    public func deleteObject(_ key: String) async throws {
        do {
            _ = try await send("DELETE", key: key)
        } catch let error as S3Error where error.status == 404 {
        }
    }

    /// CreateBucket; a bucket this account already owns is fine.
    public func createBucket() async throws {
        do {
            _ = try await send("PUT", key: nil)
        } catch let error as S3Error where error.code == "BucketAlreadyOwnedByYou" {
        }
    }

    /// ListObjectsV2 under `prefix`, `pageSize` keys per request (nil: the server's
    /// default, 1000), following continuation tokens to the end.
    public func listObjects(prefix: String, pageSize: Int? = nil) async throws -> [S3ObjectSummary] {
        var objects: [S3ObjectSummary] = []
        var token: String?
        for _ in 0..<100_000 {
            var query = [("list-type", "2"), ("prefix", prefix)]
            if let pageSize { query.append(("max-keys", "\(pageSize)")) }
            if let token { query.append(("continuation-token", token)) }
            let response = try await send("GET", key: nil, query: query)
            let xml = XMLFields(String(buffer: try await response.body.collect(upTo: 16 << 20)))
            for entry in xml.all("Contents") {
                let fields = XMLFields(entry)
                guard let key = fields.first("Key") else { continue }
                objects.append(S3ObjectSummary(
                    key: key, size: fields.first("Size").flatMap(Int.init) ?? 0,
                    lastModified: fields.first("LastModified").flatMap(HTTPDate.parseISO8601),
                    etag: fields.first("ETag") ?? ""))
            }
            guard xml.first("IsTruncated") == "true" else { return objects }
            guard let next = xml.first("NextContinuationToken"), !next.isEmpty, next != token else {
                throw S3Error(status: 200, code: "InvalidListing", message: "a truncated listing without a new continuation token")
            }
            token = next
        }
        throw S3Error(status: 200, code: "InvalidListing", message: "more than 100000 listing pages")
    }

    // MARK: Requests

    /// Sends one request, retrying transient failures; returns a 2xx response (its body unread).
    private func send(_ method: String, key: String?, query: [(String, String)] = [], headers: [String: String] = [:],
                      body: [UInt8] = [], streaming: Bool = false) async throws -> HTTPClientResponse {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await sendOnce(method, key: key, query: query, headers: headers, body: body, streaming: streaming)
            } catch let error as S3Error where error.isTransient && attempt < configuration.maxAttempts {
                let backoff = min(configuration.maxBackoff, configuration.baseBackoff * (1 << min(attempt - 1, 20)))
                let jittered = backoff * Double.random(in: 0.5...1.0)
                logger.debug("S3 request failed; retrying",
                             metadata: ["method": "\(method)", "attempt": "\(attempt)", "error": "\(error)"])
                try await Task.sleep(for: jittered)
            }
        }
    }

    private func sendOnce(_ method: String, key: String?, query: [(String, String)], headers: [String: String],
                          body: [UInt8], streaming: Bool) async throws -> HTTPClientResponse {
        let c = configuration
        let path = "/\(c.bucket)" + (key.map { "/\($0)" } ?? "")
        var all = headers
        all["host"] = c.endpoint
        let payloadHash = SigV4Signer.hash(body)
        if let provider = c.credentials {
            let credentials = try await provider.credentials()
            all["x-amz-content-sha256"] = payloadHash
            let signed = SigV4Signer(region: c.signingRegion).sign(
                method: method, path: path, query: query, headers: all, payloadHash: payloadHash,
                credentials: credentials, date: Date())
            all.merge(signed) { $1 }
        }
        let queryString = query.map { "\(SigV4Signer.encode($0.0, keepSlash: false))=\(SigV4Signer.encode($0.1, keepSlash: false))" }
            .joined(separator: "&")
        var request = HTTPClientRequest(url: "\(c.useSSL ? "https" : "http")://\(c.endpoint)\(SigV4Signer.encodePath(path))"
            + (queryString.isEmpty ? "" : "?\(queryString)"))
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in all { request.headers.replaceOrAdd(name: name, value: value) }
        if method == "PUT" {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        do {
            // A download's body may take long; its head must come within the request timeout.
            response = try await http.execute(request, timeout: streaming ? .hours(1) : c.requestTimeout)
        } catch {
            throw S3Error(status: 0, code: "ConnectionError", message: "\(error)")
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let text = (try? await response.body.collect(upTo: 64 << 10)).map { String(buffer: $0) } ?? ""
            let xml = XMLFields(text)
            throw S3Error(status: status, code: xml.first("Code") ?? response.status.reasonPhrase,
                          message: xml.first("Message") ?? "")
        }
        return response
    }
}

extension HTTPClient {
    /// The client S3 requests go through: connections fail within 5 s and a stalled
    /// answer (no byte for 30 s) is cut. Process-wide, so it is never shut down.
    public static let s3 = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: .seconds(30))))
}
