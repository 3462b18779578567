import Foundation
import Hummingbird
import JaaSRenderer
import JaaSArtifacts
import Logging
import NIOCore

/// Serves stored artifacts over HTTP at `/<namespace>/<name>/<hex>.tar.gz`
/// (`--storage-listen-address:--storage-port`), the URLs the ExternalArtifacts name,
/// from whichever backend is configured: GET and HEAD with ETag, Last-Modified,
/// If-None-Match, If-Modified-Since and a single byte Range. Bodies are streamed.
public struct StorageServer: Sendable {
    /// The storage.
    public let storage: any ArtifactStorage
    /// The host.
    public let host: String
    /// The port.
    public let port: Int
    /// Handlers added to each connection's pipeline, such as read and write deadlines.
    public let channelHandlers: @Sendable () -> [any RemovableChannelHandler]

    /// Creates one from the given values.
    public init(storage: any ArtifactStorage, host: String = "0.0.0.0", port: Int = 8082,
                channelHandlers: @escaping @Sendable () -> [any RemovableChannelHandler] = { [] }) {
        self.storage = storage
        self.host = host
        self.port = port
        self.channelHandlers = channelHandlers
    }

    /// The routes, for embedding or testing.
    public func router(logger: Logger = Logger(label: "jaas.storage")) -> Router<BasicRequestContext> {
        let router = Router()
        let storage = self.storage
        router.get("**") { request, _ in try await Self.answer(request, storage: storage, body: true, logger: logger) }
        router.head("**") { request, _ in try await Self.answer(request, storage: storage, body: false, logger: logger) }
        return router
    }

    private static func answer(_ request: Request, storage: any ArtifactStorage, body: Bool, logger: Logger) async throws
        -> Response {
        let key = String(request.uri.path.drop { $0 == "/" })
        guard key.hasSuffix(".tar.gz"), key.split(separator: "/", omittingEmptySubsequences: false).count == 3,
              (try? cleanRelativePath(key)) == key else {
            return text(.notFound, "artifact not found\n")
        }
        let info: StoredArtifact
        do {
            guard let found = try await storage.info(key) else { return text(.notFound, "artifact not found\n") }
            info = found
        } catch {
            logger.warning("storage unavailable", metadata: ["key": "\(key)", "error": "\(error)"])
            return text(.serviceUnavailable, "storage unavailable\n")
        }
        var headers: HTTPFields = [.contentType: "application/gzip", .eTag: info.etag,
                                   .lastModified: HTTPDate.format(info.lastModified), .acceptRanges: "bytes"]
        if notModified(request.headers, info) {
            return Response(status: .notModified, headers: headers)
        }
        var status = HTTPResponse.Status.ok
        var range: Range<Int>?
        if let spec = request.headers[.range] {
            switch ByteRange.parse(spec, size: info.size) {
            case .whole: break
            case .unsatisfiable:
                headers[.contentRange] = "bytes */\(info.size)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            case .part(let part):
                status = .partialContent
                range = part
                headers[.contentRange] = "bytes \(part.lowerBound)-\(part.upperBound - 1)/\(info.size)"
            }
        }
        let length = range?.count ?? info.size
        headers[.contentLength] = "\(length)"
        guard body else { return Response(status: status, headers: headers) }
        let requested = range
        return Response(status: status, headers: headers, body: ResponseBody(contentLength: length) { writer in
            try await storage.read(key, range: requested) { chunk in try await writer.write(chunk) }
            try await writer.finish(nil)
        })
    }

    /// If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
    private static func notModified(_ headers: HTTPFields, _ info: StoredArtifact) -> Bool {
        if let tags = headers[.ifNoneMatch] {
            return tags.split(separator: ",").contains { tag in
                let t = tag.trimmingCharacters(in: .whitespaces)
                return t == "*" || t == info.etag || t == "W/" + info.etag
            }
        }
        if let since = headers[.ifModifiedSince].flatMap(HTTPDate.parse) {
            return info.lastModified.timeIntervalSince1970.rounded(.down) <= since.timeIntervalSince1970
        }
        return false
    }

    private static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: message)))
    }

    /// Serves until cancelled; `onRunning` receives the bound port.
    public func run(logger: Logger = Logger(label: "jaas.storage"), onRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        async throws {
        try await serveHTTP1(router: router(logger: logger), host: host, port: port, channelHandlers: channelHandlers,
                             logger: logger, onRunning: onRunning)
    }
}

/// A `Range: bytes=…` header against an artifact of `size` bytes (one range only;
/// several, or another unit, are answered with the whole artifact as RFC 9110 allows).
enum ByteRange: Equatable {
    case whole
    case part(Range<Int>)
    case unsatisfiable

    static func parse(_ header: String, size: Int) -> ByteRange {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return .whole }
        let spec = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            // A suffix: the last N bytes.
            guard let n = Int(last), n >= 0 else { return .whole }
            return n == 0 || size == 0 ? .unsatisfiable : .part(max(0, size - n)..<size)
        }
        guard let start = Int(first), start >= 0 else { return .whole }
        guard start < size else { return .unsatisfiable }
        if last.isEmpty { return .part(start..<size) }
        guard let end = Int(last), end >= start else { return .whole }
        return .part(start..<(end >= size - 1 ? size : end + 1))
    }
}
