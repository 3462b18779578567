#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which addresses the operator may download source artifacts from (SPEC §5's
/// SSRF rules): never loopback (unless `--allow-loopback-sources`), link-local,
/// multicast, unspecified or broadcast addresses, nor cloud metadata endpoints.
public struct AddressPolicy: Sendable, Equatable {
    /// `--allow-loopback-sources`: 127.0.0.0/8 and ::1 are allowed (local development and tests only).
    public var allowLoopback: Bool

    /// The default policy refuses loopback.
    public init(allowLoopback: Bool = false) {
        self.allowLoopback = allowLoopback
    }

    /// Why `host` (a name or a literal) is refused before any resolution, or nil.
    public func refusal(host: String) -> String? {
        let lowered = host.lowercased()
        let name = lowered.hasSuffix(".") ? String(lowered.dropLast()) : lowered
        if name == "metadata.google.internal" || name == "metadata" {
            return "a cloud metadata service"
        }
        if (name == "localhost" || name.hasSuffix(".localhost")) && !allowLoopback {
            return "localhost"
        }
        if let address = IPAddress(parsing: host) { return refusal(address) }
        return nil
    }

    /// Why `address` is refused, or nil when it may be connected to.
    public func refusal(_ address: IPAddress) -> String? {
        switch address.kind {
        case .loopback: return allowLoopback ? nil : "a loopback address"
        case .linkLocal: return "a link-local address"
        case .multicast: return "a multicast address"
        case .unspecified: return "an unspecified address"
        case .broadcast: return "the broadcast address"
        case .metadata: return "a cloud metadata address"
        case .other: return nil
        }
    }
}

/// An IPv4 or IPv6 address as bytes, with the classes the SSRF rules care about.
public struct IPAddress: Sendable, Equatable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6).
    public let bytes: [UInt8]

    /// Parses a literal (`10.0.0.1`, `::1`, `[::1]`); nil when `text` is not one.
    public init?(parsing text: String) {
        var literal = text
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        if let zone = literal.firstIndex(of: "%") { literal = String(literal[..<zone]) }
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, literal, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    /// An address from raw bytes (4 or 16 of them).
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// The class of an address.
    public enum Kind: Sendable, Equatable {
        case loopback, linkLocal, multicast, unspecified, broadcast, metadata, other
    }

    /// The embedded IPv4 address of an IPv4-mapped (`::ffff:a.b.c.d`) or
    /// IPv4-compatible IPv6 address.
    private var embeddedIPv4: [UInt8]? {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }) else { return nil }
        if bytes[10] == 0xff && bytes[11] == 0xff { return Array(bytes[12..<16]) }
        if bytes[10] == 0 && bytes[11] == 0 && !bytes[12..<16].allSatisfy({ $0 == 0 })
            && !(bytes[12..<15].allSatisfy { $0 == 0 } && bytes[15] == 1) {
            return Array(bytes[12..<16])
        }
        return nil
    }

    /// What the address is, for the SSRF rules.
    public var kind: Kind {
        if let v4 = bytes.count == 4 ? bytes : embeddedIPv4 { return Self.kind(v4: v4) }
        let b = bytes
        if b.allSatisfy({ $0 == 0 }) { return .unspecified }
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return .loopback }
        if b[0] == 0xfe && (b[1] & 0xc0) == 0x80 { return .linkLocal }
        if b[0] == 0xff { return .multicast }
        // fd00:ec2::254, the IPv6 instance metadata endpoint of EC2.
        if b == [0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54] { return .metadata }
        return .other
    }

    private static func kind(v4 b: [UInt8]) -> Kind {
        if b[0] == 127 { return .loopback }
        if b[0] == 0 { return .unspecified }
        if b[0] == 169 && b[1] == 254 { return .linkLocal }
        if b[0] >= 224 && b[0] <= 239 { return .multicast }
        if b == [255, 255, 255, 255] { return .broadcast }
        return .other
    }

    /// The literal form (`10.0.0.1`, `::1`).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: 64)
        var copy = bytes
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        guard inet_ntop(family, &copy, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
