/// The byte encoding of the evaluation-worker protocol: frames of
/// `"JWRK"`, a 4-byte big-endian body length, then the body, whose fields are
/// written in a fixed order (integers big-endian, strings and byte strings
/// length-prefixed). Every read is checked against what is left, so a short or
/// lying frame is an error, never a trap.
enum Wire {
    /// The 4 bytes every frame starts with.
    static let magic: [UInt8] = Array("JWRK".utf8)
    /// Bytes before a frame's body.
    static let headerSize = 8
    /// The largest body either side accepts (a request carries whole file trees,
    /// a reply the rendered output).
    static let maxBodyBytes = 1 << 30

    /// The header of a frame whose body has `length` bytes (at most ``maxBodyBytes``).
    static func header(length: Int) -> [UInt8] {
        let n = UInt32(clamping: length)
        return magic + [UInt8(n >> 24), UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8),
                        UInt8(truncatingIfNeeded: n)]
    }

    /// A whole frame for `body`.
    static func frame(_ body: [UInt8]) -> [UInt8] {
        var out = magic
        out.reserveCapacity(headerSize + body.count)
        let n = UInt32(clamping: body.count)
        out += [UInt8(n >> 24), UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8),
                UInt8(truncatingIfNeeded: n)]
        return out + body
    }

    /// The body length a frame header announces; throws on a bad magic or an oversize length.
    static func bodyLength(header: ArraySlice<UInt8>) throws(WireError) -> Int {
        guard header.count == headerSize, header.prefix(4).elementsEqual(magic) else {
            throw WireError("bad frame header")
        }
        let n = header.dropFirst(4).reduce(0) { $0 << 8 | Int($1) }
        guard n <= maxBodyBytes else { throw WireError("frame of \(n) bytes is over the \(maxBodyBytes)-byte limit") }
        return n
    }
}

/// A malformed or truncated frame.
struct WireError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Builds a frame body.
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    init() {}

    /// A writer whose buffer is sized for `capacity` bytes up front (no regrowth).
    init(capacity: Int) { bytes.reserveCapacity(min(max(0, capacity), Wire.maxBodyBytes + Wire.headerSize)) }

    mutating func int(_ value: Int) {
        let v = UInt64(bitPattern: Int64(value))
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
    }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func data(_ value: [UInt8]) {
        int(value.count)
        bytes += value
    }

    mutating func string(_ value: String) { data(Array(value.utf8)) }

    mutating func strings(_ values: [String]) {
        int(values.count)
        for v in values { string(v) }
    }

    mutating func tree(_ files: [String: [UInt8]]) {
        int(files.count)
        for (path, contents) in files.sorted(by: { $0.key < $1.key }) {
            string(path)
            data(contents)
        }
    }
}

/// Reads a frame body written by ``WireWriter``, checking every length.
struct WireReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Whether everything was read.
    var isAtEnd: Bool { offset == bytes.count }

    mutating func int() throws(WireError) -> Int {
        guard bytes.count - offset >= 8 else { throw WireError("truncated frame") }
        var v: UInt64 = 0
        for b in bytes[offset..<offset + 8] { v = v << 8 | UInt64(b) }
        offset += 8
        return Int(Int64(bitPattern: v))
    }

    /// A count or length: not negative and at most what is left of the frame.
    mutating func count() throws(WireError) -> Int {
        let n = try int()
        guard n >= 0, n <= bytes.count - offset else { throw WireError("length \(n) runs past the frame") }
        return n
    }

    mutating func byte() throws(WireError) -> UInt8 {
        guard offset < bytes.count else { throw WireError("truncated frame") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func data() throws(WireError) -> [UInt8] {
        let n = try count()
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }

    mutating func string() throws(WireError) -> String { String(decoding: try data(), as: UTF8.self) }

    mutating func strings() throws(WireError) -> [String] {
        var out: [String] = []
        for _ in 0..<(try count()) { out.append(try string()) }
        return out
    }

    mutating func tree() throws(WireError) -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for _ in 0..<(try count()) {
            let path = try string()
            out[path] = try data()
        }
        return out
    }
}
