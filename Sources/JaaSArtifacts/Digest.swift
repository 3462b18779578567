import Crypto

/// A content digest in Flux's `<algorithm>:<hex>` form.
public struct ArtifactDigest: Equatable, Sendable, CustomStringConvertible {
    /// The algorithm.
    public enum Algorithm: String, Sendable, CaseIterable {
        case sha256, sha384, sha512

        var hexLength: Int {
            switch self {
            case .sha256: 64
            case .sha384: 96
            case .sha512: 128
            }
        }
    }

    /// The algorithm.
    public let algorithm: Algorithm
    /// Lowercase hex.
    public let hex: String

    /// Parses `sha256:<hex>` (also sha384, sha512); the message says what is wrong otherwise.
    public init(parsing text: String) throws {
        guard let colon = text.firstIndex(of: ":") else {
            throw ArtifactError("malformed digest \"\(text)\": expected <algorithm>:<hex>")
        }
        let name = String(text[..<colon])
        guard let algorithm = Algorithm(rawValue: name) else {
            throw ArtifactError("unsupported digest algorithm \"\(name)\" (supported: sha256, sha384, sha512)")
        }
        let hex = String(text[text.index(after: colon)...])
        guard hex.utf8.count == algorithm.hexLength,
              hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            throw ArtifactError("malformed \(name) digest \"\(text)\": expected \(algorithm.hexLength) lowercase hex digits")
        }
        self.algorithm = algorithm
        self.hex = hex
    }

    /// The digest of `bytes` with `algorithm`.
    public init(of bytes: [UInt8], algorithm: Algorithm = .sha256) {
        self.algorithm = algorithm
        switch algorithm {
        case .sha256: hex = hexString(SHA256.hash(data: bytes))
        case .sha384: hex = hexString(SHA384.hash(data: bytes))
        case .sha512: hex = hexString(SHA512.hash(data: bytes))
        }
    }

    /// The digest of the bytes in `buffer` with `algorithm`.
    public init(of buffer: UnsafeRawBufferPointer, algorithm: Algorithm = .sha256) {
        self.algorithm = algorithm
        func digest<H: HashFunction>(_ hash: H.Type) -> String {
            var hasher = H()
            hasher.update(bufferPointer: buffer)
            return hexString(hasher.finalize())
        }
        switch algorithm {
        case .sha256: hex = digest(SHA256.self)
        case .sha384: hex = digest(SHA384.self)
        case .sha512: hex = digest(SHA512.self)
        }
    }

    /// Whether the bytes in `buffer` have this digest.
    public func matches(_ buffer: UnsafeRawBufferPointer) -> Bool {
        ArtifactDigest(of: buffer, algorithm: algorithm) == self
    }

    /// A one-line description.
    public var description: String { "\(algorithm.rawValue):\(hex)" }

    /// Throws `ArtifactError` naming the expected digest when `bytes` do not match;
    /// never the digest of `bytes`, which may be content the caller must not learn.
    public func verify(_ bytes: [UInt8]) throws {
        let actual = ArtifactDigest(of: bytes, algorithm: algorithm)
        if actual != self { throw ArtifactError("digest mismatch: expected \(self)") }
    }
}

private func hexString(_ digest: some Sequence<UInt8>) -> String {
    let table = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    for b in digest {
        out.append(table[Int(b >> 4)])
        out.append(table[Int(b & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}
