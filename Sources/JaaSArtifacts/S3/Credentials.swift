import AsyncHTTPClient
import Foundation
import NIOCore

/// Where S3 requests get their credentials from.
public protocol CredentialProvider: Sendable {
    /// Credentials valid for at least a little while longer.
    func credentials() async throws -> AWSCredentials
}

/// `--s3-access-key` / `--s3-secret-key` / `--s3-session-token`, or the `AWS_*` environment variables.
public struct StaticCredentials: CredentialProvider {
    /// The value.
    public let value: AWSCredentials

    /// Wraps the given value.
    public init(_ value: AWSCredentials) {
        self.value = value
    }

    /// The credentials to sign the next request with.
    public func credentials() async throws -> AWSCredentials { value }
}

/// A source configured wrongly: every call fails with the same error, which names the setting.
public struct FailingCredentials: CredentialProvider {
    /// What is wrong.
    public let error: any Error

    /// A provider that always throws `error`.
    public init(error: any Error) {
        self.error = error
    }

    public func credentials() async throws -> AWSCredentials { throw error }
}

/// A failure to obtain credentials.
public struct CredentialError: Error, Sendable, CustomStringConvertible {
    /// A one-line description.
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Temporary credentials fetched by `fetch`, kept until `refreshMargin` before they expire.
public actor RefreshingCredentials: CredentialProvider {
    private let fetch: @Sendable () async throws -> AWSCredentials
    private let refreshMargin: TimeInterval
    private var cached: AWSCredentials?

    /// `refreshMargin`: how long before expiry new credentials are fetched (AWS SDKs use 5 minutes).
    public init(refreshMargin: TimeInterval = 300, fetch: @escaping @Sendable () async throws -> AWSCredentials) {
        self.fetch = fetch
        self.refreshMargin = refreshMargin
    }

    /// The credentials to sign the next request with.
    public func credentials() async throws -> AWSCredentials {
        if let cached, let expiration = cached.expiration, expiration.timeIntervalSinceNow > refreshMargin {
            return cached
        }
        if let cached, cached.expiration == nil { return cached }
        do {
            let fresh = try await fetch()
            cached = fresh
            return fresh
        } catch {
            // Still-valid credentials beat none while the source is briefly unavailable.
            if let cached, let expiration = cached.expiration, expiration.timeIntervalSinceNow > 10 { return cached }
            throw error
        }
    }
}

/// The AWS default chain without static keys, in the AWS SDKs' order:
/// 1. `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` (`AWS_SESSION_TOKEN`);
/// 2. the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`),
///    profile `AWS_PROFILE` (when set, it must be there) or `default` (when present);
/// 3. web identity (`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`, STS at
///    `AWS_ENDPOINT_URL_STS`, else regional or global STS: IRSA);
/// 4. the container endpoint (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI` with
///    `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`: ECS and EKS Pod Identity);
/// 5. IMDSv2 (`AWS_EC2_METADATA_SERVICE_ENDPOINT`, else `http://169.254.169.254`).
public enum CredentialChain {
    /// The first source `environment` configures; IMDSv2 when none does.
    public static func provider(environment: [String: String], region: String,
                                http: HTTPClient = .s3) -> any CredentialProvider {
        if let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty,
           let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty {
            let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            return StaticCredentials(AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token))
        }
        if let file = SharedCredentialsFile.selected(by: environment) {
            return file
        }
        if let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"], !tokenFile.isEmpty,
           let role = environment["AWS_ROLE_ARN"], !role.isEmpty {
            let endpoint = environment["AWS_ENDPOINT_URL_STS"].flatMap { $0.isEmpty ? nil : $0 }
                ?? (environment["AWS_REGION"].map { "https://sts.\($0).amazonaws.com" } ?? "https://sts.amazonaws.com")
            let identity = WebIdentity(
                tokenFile: tokenFile, roleARN: role,
                sessionName: environment["AWS_ROLE_SESSION_NAME"] ?? "jaas-\(UInt32.random(in: 0...UInt32.max))",
                stsEndpoint: endpoint, http: http)
            return RefreshingCredentials { try await identity.assumeRole() }
        }
        do {
            if let container = try ContainerCredentials.selected(by: environment, http: http) {
                return RefreshingCredentials { try await container.credentials() }
            }
        } catch {
            return FailingCredentials(error: error)
        }
        let metadata = InstanceMetadata(
            endpoint: environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
                ?? "http://169.254.169.254", http: http)
        return RefreshingCredentials { try await metadata.credentials() }
    }
}

/// STS AssumeRoleWithWebIdentity with a projected service-account token (IRSA).
public struct WebIdentity: Sendable {
    /// The token file.
    public var tokenFile: String
    /// The role ARN.
    public var roleARN: String
    /// The session name.
    public var sessionName: String
    /// The sts endpoint.
    public var stsEndpoint: String
    let http: HTTPClient

    /// Creates one from the given values.
    public init(tokenFile: String, roleARN: String, sessionName: String, stsEndpoint: String, http: HTTPClient = .s3) {
        self.tokenFile = tokenFile
        self.roleARN = roleARN
        self.sessionName = sessionName
        self.stsEndpoint = stsEndpoint.hasSuffix("/") ? String(stsEndpoint.dropLast()) : stsEndpoint
        self.http = http
    }

    /// Reads the token file (it is rotated on disk) and exchanges it for temporary credentials.
    public func assumeRole() async throws -> AWSCredentials {
        guard let data = FileManager.default.contents(atPath: tokenFile), data.count <= 64 << 10,
              let token = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
              !token.isEmpty else {
            throw CredentialError("web identity token file \(tokenFile) cannot be read")
        }
        let form = [("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleARN),
                    ("RoleSessionName", sessionName), ("WebIdentityToken", token)]
            .map { "\($0.0)=\(SigV4Signer.encode($0.1, keepSlash: false))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: stsEndpoint + "/")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form))
        let text: String
        do {
            let response = try await http.execute(request, timeout: .seconds(30))
            text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            guard response.status == .ok else {
                let xml = XMLFields(text)
                throw CredentialError("STS AssumeRoleWithWebIdentity answered \(response.status.code) "
                    + "\(xml.first("Code") ?? ""): \(xml.first("Message") ?? "")")
            }
        } catch let error as CredentialError {
            throw error
        } catch {
            throw CredentialError("STS AssumeRoleWithWebIdentity at \(stsEndpoint) failed: \(error)")
        }
        guard let credentials = XMLFields(text).all("Credentials").first.map(XMLFields.init),
              let key = credentials.first("AccessKeyId"), let secret = credentials.first("SecretAccessKey") else {
            throw CredentialError("STS AssumeRoleWithWebIdentity answered without credentials")
        }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: credentials.first("SessionToken"),
                              expiration: credentials.first("Expiration").flatMap(HTTPDate.parseISO8601))
    }
}
