import AsyncHTTPClient
import Foundation
import KubeTestServer
import Kubernetes
import NIOCore
import NIOHTTP1
import Yams

/// The repository root (for config/crd and examples).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A reply from the server: status, parsed JSON body and headers.
struct Reply {
    var code: Int
    var body: JSONValue
    var headers: HTTPHeaders

    subscript(_ path: String...) -> JSONValue? { body[path: path] }
}

/// A tiny Kubernetes REST client over AsyncHTTPClient for the tests.
struct KubeHTTP {
    let baseURL: String
    var token: String?

    init(_ server: KubeTestServer, token: String? = nil) {
        self.init(baseURL: server.baseURL, token: token ?? server.adminToken)
    }

    init(baseURL: String, token: String?) {
        self.baseURL = baseURL
        self.token = token
    }

    func send(_ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil,
              contentType: String = "application/json", headers extra: [(String, String)] = []) async throws -> Reply {
        try await send(method, path, raw: body.map { String(decoding: $0.encoded(), as: UTF8.self) }, contentType: contentType,
                       headers: extra)
    }

    func send(_ method: HTTPMethod, _ path: String, raw body: String?,
              contentType: String = "application/json", headers extra: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let data = Data(bytes.readableBytesView)
        let json = (try? JSONValue.parse(data)) ?? .string(String(decoding: data, as: UTF8.self))
        return Reply(code: Int(response.status.code), body: json, headers: response.headers)
    }

    func get(_ path: String) async throws -> Reply { try await send(.GET, path) }
    func post(_ path: String, _ body: JSONValue) async throws -> Reply { try await send(.POST, path, body) }
    func put(_ path: String, _ body: JSONValue) async throws -> Reply { try await send(.PUT, path, body) }
    func delete(_ path: String, _ body: JSONValue? = nil) async throws -> Reply { try await send(.DELETE, path, body) }
    func mergePatch(_ path: String, _ body: JSONValue) async throws -> Reply {
        try await send(.PATCH, path, body, contentType: "application/merge-patch+json")
    }
    func jsonPatch(_ path: String, _ body: JSONValue) async throws -> Reply {
        try await send(.PATCH, path, body, contentType: "application/json-patch+json")
    }

    /// Opens a watch and returns its events as they arrive.
    func watch(_ path: String) async throws -> WatchStream {
        var request = HTTPClientRequest(url: baseURL + path)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        return WatchStream(body: response.body)
    }

    /// Creates the CRDs from a YAML file under the repository.
    func createCRD(_ relativePath: String) async throws {
        let reply = try await post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", try loadYAML(relativePath))
        precondition(reply.code == 201, "creating \(relativePath): \(reply.body.text)")
    }
}

/// Newline-delimited watch events.
final class WatchStream: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var pending = Data()

    init(body: HTTPClientResponse.Body) {
        iterator = body.makeAsyncIterator()
    }

    /// The next event, or `nil` when the stream ended.
    func next() async throws -> JSONValue? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending[pending.startIndex..<newline]
                pending = Data(pending[pending.index(after: newline)...])
                return try JSONValue.parse(Data(line))
            }
            guard let chunk = try await iterator.next() else { return nil }
            pending.append(contentsOf: chunk.readableBytesView)
        }
    }

    /// The next event that is not a BOOKMARK.
    func nextChange() async throws -> JSONValue? {
        while let event = try await next() {
            if event["type"]?.stringValue != "BOOKMARK" { return event }
        }
        return nil
    }
}

/// Reads a YAML file of the repository as JSON.
func loadYAML(_ relativePath: String) throws -> JSONValue {
    let text = try String(contentsOf: repositoryRoot.appendingPathComponent(relativePath), encoding: .utf8)
    return jsonValue(try Yams.load(yaml: text) as Any)
}

/// Reads every document of a multi-document YAML file of the repository.
func yamlDocuments(_ relativePath: String) throws -> [JSONValue] {
    let text = try String(contentsOf: repositoryRoot.appendingPathComponent(relativePath), encoding: .utf8)
    return try Yams.load_all(yaml: text).map { jsonValue($0) }
}

/// Converts what Yams produces into JSON.
func jsonValue(_ any: Any) -> JSONValue {
    switch any {
    case let b as Bool: return .bool(b)
    case let i as Int: return .int(Int64(i))
    case let d as Double: return .double(d)
    case let s as String: return .string(s)
    case let a as [Any]: return .array(a.map(jsonValue))
    case let o as [String: Any]: return .object(o.mapValues(jsonValue))
    default: return .null
    }
}

/// Starts a server, runs the body, and stops the server.
func withServer<T>(_ configuration: KubeTestServer.Configuration = .init(),
                   _ body: (KubeTestServer, KubeHTTP) async throws -> T) async throws -> T {
    let server = try await KubeTestServer.start(configuration)
    do {
        let result = try await body(server, KubeHTTP(server))
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

let snippets = "/apis/jaas.metio.wtf/v1/namespaces/default/jsonnetsnippets"

/// A valid JsonnetSnippet.
func snippet(_ name: String, spec: JSONValue = ["files": ["main.jsonnet": "{}"]], labels: JSONValue? = nil) -> JSONValue {
    var metadata: JSONValue = ["name": .string(name)]
    if let labels { metadata["labels"] = labels }
    return ["apiVersion": "jaas.metio.wtf/v1", "kind": "JsonnetSnippet", "metadata": metadata, "spec": spec]
}
