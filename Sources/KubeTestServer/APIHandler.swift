import Foundation
import Hummingbird
import Kubernetes
import NIOCore

/// The HTTP front: authenticates, routes, authorizes, applies injected faults, and
/// turns every call into a Kubernetes-shaped JSON answer.
struct APIHandler: HTTPResponder {
    typealias Context = BasicRequestContext

    let cluster: Cluster
    let settings: ServerSettings

    func respond(to request: Request, context: Context) async throws -> Response {
        do {
            return try await handle(request)
        } catch let error as APIError {
            return Self.failure(error)
        } catch {
            return Self.failure(APIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(error)"))
        }
    }

    // MARK: responses

    static func json(_ code: Int, _ value: JSONValue, warnings: [String] = []) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        for warning in warnings {
            headers.append(HTTPFields.Element(name: .init("Warning")!, value: "299 - \"\(warning.replacingOccurrences(of: "\"", with: "\\\""))\""))
        }
        return Response(status: .init(code: code), headers: headers, body: .init(byteBuffer: ByteBuffer(data: value.encoded())))
    }

    static func failure(_ error: APIError) -> Response {
        var response = json(error.code, error.status)
        if let retry = error.retryAfterSeconds { response.headers[.retryAfter] = String(retry) }
        return response
    }

    // MARK: dispatch

    private func handle(_ request: Request) async throws -> Response {
        let query = Self.queryParameters(request.uri.query)
        let route = await cluster.route(request.uri.path, serverAddress: request.head.authority ?? "127.0.0.1")
        if route.isPublic { return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok"))) }
        var token: String?
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        guard var identity = await cluster.authenticate(token) else {
            if case .document(let document) = route, request.uri.path == "/version" { return Self.json(200, document) }
            throw APIError.unauthorized
        }
        identity = try await impersonation(request, identity)
        switch route {
        case .health:
            return Self.json(200, "ok")
        case .notFound:
            throw APIError.notFoundPath()
        case .document(let document):
            guard request.method == .get else { throw APIError.methodNotAllowed() }
            return Self.json(200, document)
        case .selfSubjectAccessReview:
            guard request.method == .post else { throw APIError.methodNotAllowed() }
            return try await selfSubjectAccessReview(identity, try await Self.body(request))
        case .tokenReview, .subjectAccessReview:
            guard request.method == .post else { throw APIError.methodNotAllowed() }
            let (group, resource) = route.isTokenReview ? ("authentication.k8s.io", "tokenreviews")
                : ("authorization.k8s.io", "subjectaccessreviews")
            let attributes = RequestAttributes(verb: "create", group: group, resource: resource, subresource: nil,
                                               namespace: nil, name: nil)
            guard await cluster.authorize(identity, attributes) else {
                let reason = Cluster.forbiddenReason(identity, attributes)
                settings.onDenied?(reason)
                throw APIError.forbidden(GroupResource(group: group, resource: resource), "", reason: reason)
            }
            if let fault = await cluster.takeFault(attributes) { throw fault }
            let body = try await Self.body(request)
            let review = route.isTokenReview ? try await cluster.tokenReview(body) : try await cluster.subjectAccessReview(body)
            return Self.json(201, review)
        case .resource(let type, let namespace, let name, let subresource):
            let verb = try Self.verb(request.method, name: name, subresource: subresource, query: query)
            // As in the API server, a Namespace object is authorized within itself.
            let scope = type.group.isEmpty && type.plural == "namespaces" ? name : namespace
            let attributes = RequestAttributes(verb: verb, group: type.group, resource: type.plural, subresource: subresource,
                                               namespace: scope, name: name)
            guard await cluster.authorize(identity, attributes) else {
                let reason = Cluster.forbiddenReason(identity, attributes)
                settings.onDenied?(reason)
                throw APIError.forbidden(type.groupResource, name ?? "", reason: reason)
            }
            if let fault = await cluster.takeFault(attributes) { throw fault }
            return try await perform(verb, type, namespace: namespace, name: name, subresource: subresource,
                                     request: request, query: query, identity: identity)
        }
    }

    static func verb(_ method: HTTPRequest.Method, name: String?, subresource: String?, query: [String: String]) throws -> String {
        switch method {
        case .get:
            if name != nil { return "get" }
            return ["true", "1"].contains(query["watch"] ?? "") ? "watch" : "list"
        case .post:
            if name == nil || subresource == "token" { return "create" }
        case .put where name != nil: return "update"
        case .patch where name != nil: return "patch"
        case .delete: return name == nil ? "deletecollection" : "delete"
        default: break
        }
        throw APIError.methodNotAllowed()
    }

    private func perform(_ verb: String, _ type: ResourceType, namespace: String?, name: String?, subresource: String?,
                         request: Request, query: [String: String], identity: Identity) async throws -> Response {
        let options = WriteOptions(dryRun: query["dryRun"] == "All", fieldValidation: query["fieldValidation"] ?? "Warn")
        let filter = ListFilter(namespace: namespace, labels: try query["labelSelector"].map(LabelSelector.init),
                                fields: try query["fieldSelector"].map(FieldSelector.init))
        let table = TableRequest(accept: request.headers[.accept])
        switch verb {
        case "get":
            let object = try await cluster.get(type, namespace: namespace, name: name!)
            if table.wanted { return Self.json(200, TableRenderer(type: type).table(for: [object], resourceVersion: nil)) }
            return Self.json(200, object)
        case "list":
            let list = try await cluster.list(type, filter: filter, limit: query["limit"].flatMap { Int($0) },
                                              continueToken: query["continue"])
            if table.wanted {
                return Self.json(200, TableRenderer(type: type).table(for: list["items"]?.arrayValue ?? [],
                                                                          resourceVersion: list[path: ["metadata", "resourceVersion"]]))
            }
            return Self.json(200, list)
        case "watch":
            return try await watch(type, filter: filter, query: query, asTable: table.wanted)
        case "create" where subresource == "token":
            let body = try await Self.body(request)
            return Self.json(201, try await cluster.requestToken(namespace: namespace ?? "", serviceAccount: name!, body: body))
        case "create":
            let body = try await Self.body(request)
            if subresource == nil {
                try await admit(type, namespace: namespace, name: body[path: ["metadata", "name"]]?.stringValue, options: options,
                                identity: identity) { try await cluster.create(type, namespace: namespace, body: body, options: $0) }
            }
            let result = try await cluster.create(type, namespace: namespace, body: body, options: options)
            return Self.json(201, result.object, warnings: result.warnings)
        case "update":
            let body = try await Self.body(request)
            if subresource == nil {
                try await admit(type, namespace: namespace, name: name, options: options, identity: identity) {
                    try await cluster.update(type, namespace: namespace, name: name!, body: body, subresource: nil, options: $0)
                }
            }
            let result = try await cluster.update(type, namespace: namespace, name: name!, body: body,
                                                  subresource: subresource, options: options)
            return Self.json(200, result.object, warnings: result.warnings)
        case "patch":
            let patchType = try PatchType(contentType: request.headers[.contentType] ?? "")
            if case .apply = patchType, (query["fieldManager"] ?? "").isEmpty {
                throw APIError.badRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch")
            }
            let body = try await Self.body(request)
            if subresource == nil {
                try await admit(type, namespace: namespace, name: name, options: options, identity: identity) {
                    try await cluster.patch(type, namespace: namespace, name: name!, patchType: patchType, patch: body,
                                            subresource: nil, options: $0)
                }
            }
            let result = try await cluster.patch(type, namespace: namespace, name: name!, patchType: patchType,
                                                 patch: body, subresource: subresource, options: options)
            return Self.json(result.created ? 201 : 200, result.object, warnings: result.warnings)
        case "delete":
            let body = try await Self.body(request, allowEmpty: true)
            let dryRun = query["dryRun"] == "All" || (body["dryRun"]?.arrayValue?.contains("All") ?? false)
            return Self.json(200, try await cluster.delete(type, namespace: namespace, name: name!, options: body, dryRun: dryRun))
        case "deletecollection":
            return Self.json(200, try await cluster.deleteCollection(type, filter: filter))
        default:
            throw APIError.methodNotAllowed()
        }
    }

    private func watch(_ type: ResourceType, filter: ListFilter, query: [String: String], asTable: Bool) async throws -> Response {
        let (id, stream) = try await cluster.openWatch(type, filter: filter, resourceVersion: query["resourceVersion"], asTable: asTable)
        let cluster = self.cluster
        let bookmarks = query["allowWatchBookmarks"] == "true"
        let interval = settings.bookmarkInterval
        let timeout = query["timeoutSeconds"].flatMap(Int.init)
        let body = ResponseBody { writer in
            let timers = Task {
                await withTaskGroup(of: Void.self) { group in
                    if let timeout {
                        group.addTask {
                            try? await Task.sleep(for: .seconds(timeout))
                            if !Task.isCancelled { await cluster.closeWatch(id) }
                        }
                    }
                    if bookmarks {
                        group.addTask {
                            while !Task.isCancelled {
                                try? await Task.sleep(for: interval)
                                if !Task.isCancelled { await cluster.bookmark(id) }
                            }
                        }
                    }
                }
            }
            defer { timers.cancel() }
            for await chunk in stream {
                try await writer.write(ByteBuffer(data: chunk))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: body)
    }

    /// The identity after the `Impersonate-*` headers, which `identity` must be allowed
    /// to use (see ``Cluster/impersonate(_:user:groups:extra:uid:)``).
    private func impersonation(_ request: Request, _ identity: Identity) async throws -> Identity {
        var user: String?
        var uid: String?
        var groups: [String] = []
        var extra: [String: [String]] = [:]
        for field in request.headers {
            let name = field.name.canonicalName.lowercased()
            if name == "impersonate-user" {
                user = field.value
            } else if name == "impersonate-uid" {
                uid = field.value
            } else if name == "impersonate-group" {
                groups.append(field.value)
            } else if name.hasPrefix("impersonate-extra-") {
                let key = String(name.dropFirst("impersonate-extra-".count))
                extra[key.removingPercentEncoding ?? key, default: []].append(field.value)
            }
        }
        if user == nil && groups.isEmpty && extra.isEmpty && uid == nil { return identity }
        do {
            return try await cluster.impersonate(identity, user: user, groups: groups, extra: extra, uid: uid)
        } catch let error as APIError where error.code == 403 {
            settings.onDenied?(error.message)
            throw error
        }
    }

    private func selfSubjectAccessReview(_ identity: Identity, _ body: JSONValue) async throws -> Response {
        let spec = body[path: ["spec", "resourceAttributes"]] ?? [:]
        func field(_ key: String) -> String? {
            guard let value = spec[key]?.stringValue, !value.isEmpty else { return nil }
            return value
        }
        let attributes = RequestAttributes(verb: field("verb") ?? "", group: field("group") ?? "", resource: field("resource") ?? "",
                                           subresource: field("subresource"), namespace: field("namespace"), name: field("name"))
        let allowed = await cluster.authorize(identity, attributes)
        var response = body
        response["apiVersion"] = "authorization.k8s.io/v1"
        response["kind"] = "SelfSubjectAccessReview"
        response["metadata"] = ["creationTimestamp": .null]
        response["status"] = ["allowed": .bool(allowed)]
        return Self.json(201, response)
    }

    // MARK: request parsing

    static func body(_ request: Request, allowEmpty: Bool = false) async throws -> JSONValue {
        let contentType = request.headers[.contentType] ?? "application/json"
        if contentType.hasPrefix("application/vnd.kubernetes.protobuf") {
            var request = request
            let buffer = try await request.collectBody(upTo: 32 << 20)
            do {
                return try ProtobufBodies.decode(Data(buffer.readableBytesView))
            } catch {
                throw APIError(code: 415, reason: "UnsupportedMediaType",
                               message: "this server decodes protobuf only for a few built-in kinds; send application/json")
            }
        }
        if !contentType.contains("json") && !contentType.contains("yaml") {
            throw APIError(code: 415, reason: "UnsupportedMediaType",
                           message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got \(contentType))")
        }
        var request = request
        let buffer = try await request.collectBody(upTo: 32 << 20)
        if buffer.readableBytes == 0 {
            if allowEmpty { return [:] }
            throw APIError.badRequest("the body of the request was empty")
        }
        do {
            if contentType.contains("yaml") { return try JSONValue.parseYAML(String(decoding: buffer.readableBytesView, as: UTF8.self)) }
            return try JSONValue.parse(Data(buffer.readableBytesView))
        } catch {
            throw APIError.badRequest("the body of the request could not be decoded as JSON: \(error)")
        }
    }

    static func queryParameters(_ query: String?) -> [String: String] {
        var result: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if let key = parts.first { result[key] = parts.count > 1 ? parts[1] : "" }
        }
        return result
    }
}

/// Settings the handler needs besides the cluster.
struct ServerSettings: Sendable {
    var bookmarkInterval: Duration
    /// Told the reason of each request RBAC denies.
    var onDenied: (@Sendable (String) -> Void)?
    /// Calls validating webhooks on writes (nil: admission off).
    var admission: ValidatingAdmission? = nil
}
