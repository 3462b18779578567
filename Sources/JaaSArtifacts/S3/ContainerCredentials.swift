import AsyncHTTPClient
import Foundation
import NIOCore

/// Credentials from the container credentials endpoint that ECS tasks and EKS Pod Identity
/// provide: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (a path on `http://169.254.170.2`) or
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with the `Authorization` header read from
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (again on each fetch: EKS rotates it) or
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
///
/// As AWS SDKs do, a full URI over plain http must name a loopback address or one of the
/// link-local container endpoints, so the token is never sent in clear to another host.
public struct ContainerCredentials: Sendable {
    /// The endpoint asked.
    public let url: String
    /// The token file, if any.
    public let tokenFile: String?
    /// The token, when given directly.
    public let token: String?
    let http: HTTPClient

    /// The largest token file or answer read.
    static let maxBytes = 64 << 10
    /// The ECS task endpoint a relative URI is resolved against.
    public static let ecsEndpoint = "http://169.254.170.2"
    /// Plain-http hosts a full URI may name besides loopback (ECS, EKS Pod Identity).
    static let containerHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "[fd00:ec2::23]"]

    /// The endpoint `environment` configures, nil when it configures none; throws when the
    /// full URI is malformed or plain http to a host that is not allowed.
    public static func selected(by environment: [String: String], http: HTTPClient = .s3) throws -> ContainerCredentials? {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let url: String
        if let relative = value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            url = ecsEndpoint + (relative.hasPrefix("/") ? relative : "/" + relative)
        } else if let full = value("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
            try check(fullURI: full)
            url = full
        } else {
            return nil
        }
        return ContainerCredentials(url: url, tokenFile: value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
                                    token: value("AWS_CONTAINER_AUTHORIZATION_TOKEN"), http: http)
    }

    /// Refuses a full URI that is not http(s), or plain http to a host other than loopback
    /// and the container endpoints.
    static func check(fullURI: String) throws {
        guard let components = URLComponents(string: fullURI), let scheme = components.scheme?.lowercased(),
              let host = components.host?.lowercased(), !host.isEmpty else {
            throw CredentialError("AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL")
        }
        switch scheme {
        case "https":
            return
        case "http":
            let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
            let loopback = bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
            guard loopback || containerHosts.contains(bare) else {
                throw CredentialError("AWS_CONTAINER_CREDENTIALS_FULL_URI over http must name a loopback address or a container endpoint, not \(host)")
            }
        default:
            throw CredentialError("AWS_CONTAINER_CREDENTIALS_FULL_URI must be http or https")
        }
    }

    /// The current credentials from the endpoint.
    public func credentials() async throws -> AWSCredentials {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        if let authorization = try authorization() {
            request.headers.add(name: "Authorization", value: authorization)
        }
        let body: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: .seconds(5))
            body = try await response.body.collect(upTo: Self.maxBytes)
            guard response.status == .ok else {
                throw CredentialError("the container credentials endpoint answered \(response.status.code)")
            }
        } catch let error as CredentialError {
            throw error
        } catch {
            throw CredentialError("the container credentials endpoint \(url) is unreachable or answered too much: \(error)")
        }
        let credentials: AWSCredentials
        do {
            credentials = try CredentialDocument.decode(Data(body.readableBytesView))
        } catch {
            throw CredentialError("the container credentials endpoint answered something that is not credentials")
        }
        guard !credentials.accessKeyID.isEmpty, !credentials.secretAccessKey.isEmpty else {
            throw CredentialError("the container credentials endpoint answered empty credentials")
        }
        return credentials
    }

    /// The `Authorization` value: the token file's content (trimmed), else the token.
    func authorization() throws -> String? {
        var value = token
        if let tokenFile {
            guard let handle = FileHandle(forReadingAtPath: tokenFile) else {
                throw CredentialError("the container authorization token file \(tokenFile) cannot be read")
            }
            defer { try? handle.close() }
            let data = (try? handle.read(upToCount: Self.maxBytes + 1)) ?? Data()
            guard data.count <= Self.maxBytes else {
                throw CredentialError("the container authorization token file \(tokenFile) is too large")
            }
            value = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let value, value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw CredentialError("the container authorization token contains a line break")
        }
        return value
    }
}
