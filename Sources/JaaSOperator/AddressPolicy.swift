#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which addresses the operator may download source artifacts from (docs/limits-and-security.md,
/// "Address policy"): never loopback (unless `--allow-loopback-sources`), link-local,
/// multicast, unspecified or broadcast addresses, nor cloud metadata endpoints —
/// also when an IPv6 address embeds such an IPv4 address (IPv4-mapped, -compatible
/// or -translated, NAT64, 6to4, Teredo) — nor IPv4 literals in the legacy spellings
/// `inet_aton` accepts (`2852039166`, `0251.0376.0251.0376`, `0xa9.0xfe.0xa9.0xfe`,
/// `169.254.43518`). Private (RFC 1918, ULA) addresses are allowed: sources are
/// usually in the cluster.
public struct AddressPolicy: Sendable, Equatable {
    /// `--allow-loopback-sources`: 127.0.0.0/8 and ::1 are allowed (local development and tests only).
    public var allowLoopback: Bool

    /// Host names of cloud metadata services (their addresses are refused as well).
    public static let metadataNames: Set<String> = [
        "metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal", "metadata.tencentyun.com",
    ]

    /// The default policy refuses loopback.
    public init(allowLoopback: Bool = false) {
        self.allowLoopback = allowLoopback
    }

    /// Why `host` (a name or a literal) is refused before any resolution, or nil.
    public func refusal(host: String) -> String? {
        let lowered = host.lowercased()
        let name = lowered.hasSuffix(".") ? String(lowered.dropLast()) : lowered
        if Self.metadataNames.contains(name) {
            return "a cloud metadata service"
        }
        if (name == "localhost" || name.hasSuffix(".localhost")) && !allowLoopback {
            return "localhost"
        }
        if let address = IPAddress(parsing: host) { return refusal(address) }
        // A name whose last label is a number is an IPv4 literal to inet_aton, getaddrinfo
        // and browsers (WHATWG URL): only the canonical a.b.c.d spelling is accepted.
        if let last = name.split(separator: ".", omittingEmptySubsequences: false).last, IPAddress.isNumericLabel(last) {
            guard let legacy = IPAddress(legacyIPv4: name) else { return "a malformed IPv4 literal" }
            let why = refusal(legacy).map { ", \($0)" } ?? ""
            return "a non-canonical IPv4 literal (\(legacy)\(why)); write the address as a.b.c.d"
        }
        return nil
    }

    /// Why `address` is refused, or nil when it may be connected to.
    public func refusal(_ address: IPAddress) -> String? {
        let (kind, embedded) = address.classification
        let what: String
        switch kind {
        case .loopback:
            if allowLoopback { return nil }
            what = "a loopback address"
        case .linkLocal: what = "a link-local address"
        case .multicast: what = "a multicast address"
        case .unspecified: what = "an unspecified address"
        case .broadcast: what = "the broadcast address"
        case .metadata: what = "a cloud metadata address"
        case .other: return nil
        }
        guard let embedded else { return what }
        return "an IPv6 address embedding \(embedded), \(what)"
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

    /// What the address is, for the SSRF rules.
    public var kind: Kind { classification.kind }

    /// The class of the address and, when an embedded IPv4 address decided it, that address.
    public var classification: (kind: Kind, embedded: IPAddress?) {
        let b = bytes
        if b.count == 4 { return (Self.kind(v4: b), nil) }
        if b.allSatisfy({ $0 == 0 }) { return (.unspecified, nil) }
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return (.loopback, nil) }
        if b[0] == 0xfe && (b[1] & 0xc0) == 0x80 { return (.linkLocal, nil) }
        if b[0] == 0xff { return (.multicast, nil) }
        if Self.metadataV6.contains(b) { return (.metadata, nil) }
        let localNAT64 = b[0..<6] == [0, 0x64, 0xff, 0x9b, 0, 1]
        for v4 in embeddedIPv4 {
            let kind = Self.kind(v4: v4)
            // In 64:ff9b:1::/48 a reading at the wrong prefix length often gives 0.x.x.x,
            // the zero padding of the right one: not a reason to refuse.
            if kind == .unspecified && localNAT64 { continue }
            if kind != .other { return (kind, IPAddress(bytes: v4)) }
        }
        return (.other, nil)
    }

    /// Instance metadata endpoints reached over IPv6: EC2's `fd00:ec2::254`, Compute
    /// Engine's `fd20:ce::254`, and Oracle Cloud's `fd00:c1::a9fe:a9fe`.
    private static let metadataV6: [[UInt8]] = [
        [0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54],
        [0xfd, 0x20, 0, 0xce, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54],
        [0xfd, 0, 0, 0xc1, 0, 0, 0, 0, 0, 0, 0, 0, 0xa9, 0xfe, 0xa9, 0xfe],
    ]

    /// Every IPv4 address this IPv6 address may stand for: IPv4-mapped (`::ffff:0:0/96`),
    /// IPv4-compatible (`::/96`), IPv4-translated (`::ffff:0:0:0/96`), NAT64 (`64:ff9b::/96`;
    /// `64:ff9b:1::/48` at each RFC 6052 prefix length from /48 to /96, since the
    /// length is the network's choice), 6to4 (`2002::/16`,
    /// bits 16–48) and Teredo (`2001::/32`: the server, and the client obfuscated in the
    /// last 32 bits).
    var embeddedIPv4: [[UInt8]] {
        let b = bytes
        guard b.count == 16 else { return [] }
        var out: [[UInt8]] = []
        let last = Array(b[12..<16])
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { out.append(last) }
        if b[0..<12].allSatisfy({ $0 == 0 }) { out.append(last) }
        if b[0..<8].allSatisfy({ $0 == 0 }) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0 { out.append(last) }
        if b[0..<12] == [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0] { out.append(last) }
        if b[0..<6] == [0, 0x64, 0xff, 0x9b, 0, 1] {
            out += [[b[6], b[7], b[9], b[10]], [b[7], b[9], b[10], b[11]], Array(b[9..<13]), last]
        }
        if b[0] == 0x20 && b[1] == 0x02 { out.append(Array(b[2..<6])) }
        if b[0..<4] == [0x20, 0x01, 0, 0] {
            out.append(Array(b[4..<8]))
            out.append(last.map { $0 ^ 0xff })
        }
        return out
    }

    private static func kind(v4 b: [UInt8]) -> Kind {
        if b[0] == 127 { return .loopback }
        if b[0] == 0 { return .unspecified }
        if b[0] == 169 && b[1] == 254 { return .linkLocal }
        if b[0] >= 224 && b[0] <= 239 { return .multicast }
        if b == [255, 255, 255, 255] { return .broadcast }
        // Alibaba Cloud's metadata service, Azure's WireServer, Oracle Cloud's legacy endpoint.
        if b == [100, 100, 100, 200] || b == [168, 63, 129, 16] || b == [192, 0, 0, 192] { return .metadata }
        return .other
    }

    /// Whether `label` is a number to `inet_aton` (and a WHATWG URL parser): decimal
    /// digits, or `0x` and hexadecimal digits (also none).
    public static func isNumericLabel(_ label: Substring) -> Bool {
        let u = Array(label.utf8)
        if u.count >= 2, u[0] == UInt8(ascii: "0"), u[1] | 0x20 == UInt8(ascii: "x") {
            return u[2...].allSatisfy { hexValue($0) != nil }
        }
        return !u.isEmpty && u.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// An IPv4 literal in any spelling `inet_aton` accepts: one to four dot-separated
    /// parts, each decimal, octal (a leading `0`) or hexadecimal (`0x`), the last one
    /// filling the remaining bytes (`2852039166`, `169.254.43518`, `0xa9.0xfe.0xa9.0xfe`,
    /// `0251.0376.0251.0376`); nil when `text` is not one or a part is out of range.
    public init?(legacyIPv4 text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt32] = []
        for part in parts {
            guard let value = Self.legacyNumber(part) else { return nil }
            values.append(value)
        }
        var result: UInt32 = 0
        for (i, value) in values.dropLast().enumerated() {
            guard value <= 0xff else { return nil }
            result |= value << (24 - 8 * UInt32(i))
        }
        let lastBits = 32 - 8 * (values.count - 1)
        let last = values[values.count - 1]
        guard lastBits == 32 || last < (UInt32(1) << UInt32(lastBits)) else { return nil }
        result |= last
        bytes = [UInt8(result >> 24), UInt8((result >> 16) & 0xff), UInt8((result >> 8) & 0xff), UInt8(result & 0xff)]
    }

    /// One part of a legacy IPv4 literal; nil when malformed or above 2³²−1 (however many digits).
    private static func legacyNumber(_ part: Substring) -> UInt32? {
        var u = Array(part.utf8)[...]
        guard !u.isEmpty else { return nil }
        var radix: UInt64 = 10
        if u.count >= 2, u[u.startIndex] == UInt8(ascii: "0"), u[u.startIndex + 1] | 0x20 == UInt8(ascii: "x") {
            radix = 16
            u = u.dropFirst(2)
        } else if u.count >= 2, u[u.startIndex] == UInt8(ascii: "0") {
            radix = 8
            u = u.dropFirst()
        }
        var value: UInt64 = 0
        for c in u {
            guard let digit = hexValue(c), UInt64(digit) < radix else { return nil }
            value = value * radix + UInt64(digit)
            guard value <= UInt64(UInt32.max) else { return nil }
        }
        return UInt32(value)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
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
