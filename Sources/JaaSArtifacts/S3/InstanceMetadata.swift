import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The EC2 instance role's credentials through IMDSv2: a session token from
/// `PUT /latest/api/token`, then the role name and its credentials.
public struct InstanceMetadata: Sendable {
    /// The endpoint.
    public var endpoint: String
    let http: HTTPClient

    /// Creates one from the given values.
    public init(endpoint: String, http: HTTPClient = .s3) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.http = http
    }

    /// The instance role's current credentials.
    public func credentials() async throws -> AWSCredentials {
        let token = try await call(.PUT, "/latest/api/token", ("x-aws-ec2-metadata-token-ttl-seconds", "21600"))
        let roles = try await call(.GET, "/latest/meta-data/iam/security-credentials/", ("x-aws-ec2-metadata-token", token))
        guard let role = roles.split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty,
              !role.contains("/") else {
            throw CredentialError("instance metadata lists no IAM role")
        }
        let body = try await call(.GET, "/latest/meta-data/iam/security-credentials/\(role)",
                                  ("x-aws-ec2-metadata-token", token))
        do {
            return try CredentialDocument.decode(Data(body.utf8))
        } catch {
            throw CredentialError("instance metadata credentials cannot be read: \(error)")
        }
    }

    private func call(_ method: HTTPMethod, _ path: String, _ header: (String, String)) async throws -> String {
        var request = HTTPClientRequest(url: endpoint + path)
        request.method = method
        request.headers.add(name: header.0, value: header.1)
        do {
            let response = try await http.execute(request, timeout: .seconds(5))
            let text = String(buffer: try await response.body.collect(upTo: 64 << 10))
            guard response.status == .ok else {
                throw CredentialError("instance metadata \(path) answered \(response.status.code)")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        } catch let error as CredentialError {
            throw error
        } catch {
            throw CredentialError("instance metadata at \(endpoint) unreachable: \(error)")
        }
    }
}

/// The JSON both IMDS and the container credentials endpoint answer with.
struct CredentialDocument: Decodable {
    var AccessKeyId: String
    var SecretAccessKey: String
    var Token: String?
    var Expiration: String?

    /// The credentials `data` holds.
    static func decode(_ data: Data) throws -> AWSCredentials {
        let document = try JSONDecoder().decode(CredentialDocument.self, from: data)
        return AWSCredentials(accessKeyID: document.AccessKeyId, secretAccessKey: document.SecretAccessKey,
                              sessionToken: document.Token, expiration: document.Expiration.flatMap(HTTPDate.parseISO8601))
    }
}
