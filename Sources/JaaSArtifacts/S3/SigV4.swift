import Crypto
import Foundation

/// AWS credentials: an access key pair, and a session token for temporary ones.
public struct AWSCredentials: Sendable, Equatable {
    /// The access key ID.
    public var accessKeyID: String
    /// The secret access key.
    public var secretAccessKey: String
    /// The session token.
    public var sessionToken: String?
    /// When temporary credentials stop working (nil: never).
    public var expiration: Date?

    /// Creates one from the given values.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }
}

/// AWS Signature Version 4 (header-based): the canonical request, the string to
/// sign, the derived key and the `Authorization` header.
public struct SigV4Signer: Sendable {
    /// The region.
    public var region: String
    /// The service.
    public var service: String

    /// Creates one from the given values.
    public init(region: String, service: String = "s3") {
        self.region = region
        self.service = service
    }

    /// The hex SHA-256 of `bytes`, the payload hash of a request.
    public static func hash(_ bytes: some Sequence<UInt8>) -> String {
        hex(SHA256.hash(data: Array(bytes)))
    }

    /// The headers to add to a request: `x-amz-date`, `x-amz-security-token` (temporary
    /// credentials) and `authorization`, which signs every header in `headers` plus those.
    ///
    /// `path` is the unencoded path (each segment is URI-encoded here, as S3 expects and as
    /// the request URL must be built with `encodePath`); `query` holds unencoded pairs;
    /// `headers` must include `host`.
    public func sign(method: String, path: String, query: [(String, String)], headers: [String: String],
                     payloadHash: String, credentials: AWSCredentials, date: Date) -> [String: String] {
        let amzDate = Self.timestamp(date)
        let day = String(amzDate.prefix(8))
        var all: [String: String] = [:]
        for (name, value) in headers { all[name.lowercased()] = value }
        var added = ["x-amz-date": amzDate]
        if let token = credentials.sessionToken { added["x-amz-security-token"] = token }
        for (name, value) in added { all[name] = value }
        let names = all.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(Self.trim(all[$0]!))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let encoded: [(name: String, value: String)] = query.map {
            (Self.encode($0.0, keepSlash: false), Self.encode($0.1, keepSlash: false))
        }
        let sorted = encoded.sorted { (a, b) -> Bool in a.name == b.name ? a.value < b.value : a.name < b.name }
        let canonicalQuery = sorted.map { pair -> String in pair.name + "=" + pair.value }.joined(separator: "&")
        let canonicalRequest = [method, Self.encodePath(path), canonicalQuery, canonicalHeaders, signedHeaders, payloadHash]
            .joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.hash(Array(canonicalRequest.utf8))]
            .joined(separator: "\n")
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        added["authorization"] = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return added
    }

    /// `path` with every segment URI-encoded and `/` kept; always starts with `/`.
    public static func encodePath(_ path: String) -> String {
        let encoded = encode(path, keepSlash: true)
        return encoded.hasPrefix("/") ? encoded : "/" + encoded
    }

    /// RFC 3986 percent-encoding of everything but unreserved characters (and `/` when kept).
    public static func encode(_ text: String, keepSlash: Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { String(n ?? 0).leftPadded(to: 2) }
        return String(c.year ?? 1970).leftPadded(to: 4) + two(c.month) + two(c.day) + "T" + two(c.hour) + two(c.minute)
            + two(c.second) + "Z"
    }

    /// A header value with surrounding blanks removed and inner runs of spaces collapsed.
    private static func trim(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

extension String {
    /// `self` with leading zeros up to `width` characters.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
