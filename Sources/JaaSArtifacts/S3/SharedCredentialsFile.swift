import Foundation

/// Static keys from the AWS shared credentials file: `AWS_SHARED_CREDENTIALS_FILE`, else
/// `$HOME/.aws/credentials`, section `AWS_PROFILE` (else `default`), keys
/// `aws_access_key_id`, `aws_secret_access_key` and optionally `aws_session_token`.
///
/// The file is read again on each call, so a rotated Secret mounted there is picked up.
/// Its size is capped (a credentials file is a few hundred bytes), and a profile without
/// both keys is an error that names the profile and the file, never a key.
public struct SharedCredentialsFile: CredentialProvider {
    /// The file read.
    public let path: String
    /// The section read.
    public let profile: String
    /// The largest file read; anything larger is refused.
    public static let maxBytes = 1 << 20

    /// The provider for `profile` in the file at `path`.
    public init(path: String, profile: String) {
        self.path = path
        self.profile = profile
    }

    /// The provider `environment` selects: a file path and a profile, or nil when neither
    /// `AWS_PROFILE` is set nor the file exists with the `default` profile.
    public static func selected(by environment: [String: String]) -> SharedCredentialsFile? {
        let explicitPath = environment["AWS_SHARED_CREDENTIALS_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
        guard let path = explicitPath ?? home.map({ $0 + "/.aws/credentials" }) else { return nil }
        if let profile = environment["AWS_PROFILE"], !profile.isEmpty {
            return SharedCredentialsFile(path: path, profile: profile)
        }
        let file = SharedCredentialsFile(path: path, profile: "default")
        return (try? file.read()) == nil ? nil : file
    }

    /// The profile's keys, read from the file now.
    public func credentials() async throws -> AWSCredentials {
        try read()
    }

    /// The profile's keys, read from the file now (synchronously).
    func read() throws -> AWSCredentials {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CredentialError("the AWS shared credentials file \(path) cannot be read")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: Self.maxBytes + 1)) ?? Data()
        guard data.count <= Self.maxBytes else {
            throw CredentialError("the AWS shared credentials file \(path) is larger than \(Self.maxBytes) bytes")
        }
        let sections = Self.parse(String(decoding: data, as: UTF8.self))
        guard let keys = sections[profile] else {
            throw CredentialError("the AWS shared credentials file \(path) has no profile [\(profile)]")
        }
        guard let id = keys["aws_access_key_id"], !id.isEmpty,
              let secret = keys["aws_secret_access_key"], !secret.isEmpty else {
            throw CredentialError("profile [\(profile)] of \(path) lacks aws_access_key_id or aws_secret_access_key")
        }
        let token = keys["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token)
    }

    /// The sections of an INI text: `[name]` headers, `key = value` lines (keys lower-cased),
    /// `#` and `;` comment lines. Lines before the first header and lines without `=` are ignored.
    static func parse(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for raw in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                current = name
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[section]?[key] = value
        }
        return sections
    }
}
