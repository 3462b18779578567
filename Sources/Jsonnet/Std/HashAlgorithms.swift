/// Message digests for std.md5, std.sha1, std.sha256, std.sha512 and std.sha3,
/// written from the published specifications (RFC 1321, FIPS 180-4, FIPS 202).
/// Each takes the message bytes and returns the digest bytes.
enum Digest {
    /// MD5 (RFC 1321).
    static func md5(_ data: UnsafeRawBufferPointer) -> [UInt8] { MD5.digest(of: data) }

    /// SHA-1 (FIPS 180-4).
    static func sha1(_ data: UnsafeRawBufferPointer) -> [UInt8] { SHA1.digest(of: data) }

    /// SHA-256 (FIPS 180-4).
    static func sha256(_ data: UnsafeRawBufferPointer) -> [UInt8] { SHA256.digest(of: data) }

    /// SHA-512 (FIPS 180-4).
    static func sha512(_ data: UnsafeRawBufferPointer) -> [UInt8] { SHA512.digest(of: data) }

    /// SHA3-512 (FIPS 202): Keccak-f[1600] sponge, rate 72 bytes, domain suffix 0b01.
    static func sha3_512(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        let rate = 72
        var state = [UInt64](repeating: 0, count: 25)
        state.withUnsafeMutableBufferPointer { a in
            var off = 0
            if let base = data.baseAddress {
                while off + rate <= data.count {
                    absorb(a, base + off, rate)
                    keccakF1600(a)
                    off += rate
                }
            }
            var last = [UInt8](repeating: 0, count: rate)
            for i in 0..<(data.count - off) { last[i] = data[off + i] }
            last[data.count - off] ^= 0x06
            last[rate - 1] ^= 0x80
            last.withUnsafeBytes { absorb(a, $0.baseAddress!, rate) }
            keccakF1600(a)
        }
        var out = [UInt8]()
        out.reserveCapacity(64)
        for i in 0..<8 {
            let lane = state[i]
            for b in 0..<8 { out.append(UInt8(truncatingIfNeeded: lane >> (8 * UInt64(b)))) }
        }
        return out
    }

    /// Lowercase hexadecimal.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: bytes.count * 2) { buf in
            let d = digits.utf8Start
            var i = 0
            for b in bytes {
                buf[i] = d[Int(b >> 4)]
                buf[i + 1] = d[Int(b & 15)]
                i += 2
            }
            return i
        }
    }

    private static func absorb(_ a: UnsafeMutableBufferPointer<UInt64>, _ p: UnsafeRawPointer, _ rate: Int) {
        for i in 0..<(rate / 8) {
            a[i] ^= UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
        }
    }

    /// The ι step's round constants (FIPS 202 §3.2.5): bit 2^j − 1 of round r's constant is
    /// bit 7r + j of the output of the LFSR x^8 + x^6 + x^5 + x^4 + 1 started at 1.
    private static let keccakRoundConstants: [UInt64] = {
        var register: UInt8 = 1
        return (0..<24).map { _ in
            var constant: UInt64 = 0
            for j in 0..<7 {
                if register & 1 != 0 { constant |= 1 << ((1 << j) - 1) }
                register = register & 0x80 != 0 ? (register << 1) ^ 0x71 : register << 1
            }
            return constant
        }
    }()

    /// Rotation offsets of the ρ step, for lane x + 5y.
    private static let keccakRotations: [UInt64] = [
        0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
    ]

    /// The Keccak-f[1600] permutation on lanes indexed x + 5y.
    private static func keccakF1600(_ a: UnsafeMutableBufferPointer<UInt64>) {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 30) { tmp in
            let b = UnsafeMutableBufferPointer(rebasing: tmp[0..<25])
            let c = UnsafeMutableBufferPointer(rebasing: tmp[25..<30])
            keccakRotations.withUnsafeBufferPointer { rot in
                for round in 0..<24 {
                    // θ
                    for x in 0..<5 { c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] }
                    for x in 0..<5 {
                        let d = c[(x + 4) % 5] ^ rotl64(c[(x + 1) % 5], 1)
                        for y in stride(from: 0, to: 25, by: 5) { a[x + y] ^= d }
                    }
                    // ρ and π: B[y, 2x + 3y] = rot(A[x, y])
                    for y in 0..<5 {
                        for x in 0..<5 {
                            let i = x + 5 * y
                            b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl64(a[i], rot[i])
                        }
                    }
                    // χ
                    for y in stride(from: 0, to: 25, by: 5) {
                        for x in 0..<5 {
                            a[x + y] = b[x + y] ^ (~b[(x + 1) % 5 + y] & b[(x + 2) % 5 + y])
                        }
                    }
                    // ι
                    a[0] ^= keccakRoundConstants[round]
                }
            }
        }
    }
}

@inline(__always) private func rotl32(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &<< n) | (x &>> (32 &- n)) }
@inline(__always) private func rotl64(_ x: UInt64, _ n: UInt64) -> UInt64 { (x &<< n) | (x &>> (64 &- n)) }

/// The word of a SHA-2 function (FIPS 180-4): 32 bits for SHA-256, 64 for SHA-512,
/// with the rotations and round count of each.
private protocol SHA2Word: FixedWidthInteger, UnsignedInteger, BitwiseCopyable {
    /// Rounds per block (64 or 80).
    static var rounds: Int { get }
    /// The rotations of Σ0 and Σ1, and the two rotations and the shift of σ0 and σ1 (§4.1.2, §4.1.3).
    static var sigmas: SHA2Sigmas { get }
}

/// The amounts of a SHA-2 word's Σ and σ functions.
struct SHA2Sigmas {
    var big0: (Int, Int, Int)
    var big1: (Int, Int, Int)
    var small0: (Int, Int, Int)
    var small1: (Int, Int, Int)
}

extension UInt32: SHA2Word {
    static var rounds: Int { 64 }
    static var sigmas: SHA2Sigmas { SHA2Sigmas(big0: (2, 13, 22), big1: (6, 11, 25), small0: (7, 18, 3), small1: (17, 19, 10)) }
}

extension UInt64: SHA2Word {
    static var rounds: Int { 80 }
    static var sigmas: SHA2Sigmas { SHA2Sigmas(big0: (28, 34, 39), big1: (14, 18, 41), small0: (1, 8, 7), small1: (19, 61, 6)) }
}

extension SHA2Word {
    @inline(__always) private static func rotr(_ x: Self, _ n: Int) -> Self { (x &>> n) | (x &<< (bitWidth &- n)) }
    /// Σ: three rotations.
    @inline(__always) static func big(_ x: Self, _ r: (Int, Int, Int)) -> Self { rotr(x, r.0) ^ rotr(x, r.1) ^ rotr(x, r.2) }
    /// σ: two rotations and a shift.
    @inline(__always) static func small(_ x: Self, _ r: (Int, Int, Int)) -> Self { rotr(x, r.0) ^ rotr(x, r.1) ^ (x &>> r.2) }
}

/// One SHA-2 block at `p` folded into the state `h` with the round constants `k`.
@inline(__always)
private func sha2Compress<W: SHA2Word>(_ h: inout [W], _ k: [W], _ p: UnsafeRawPointer) {
    var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7]
    withUnsafeTemporaryAllocation(of: W.self, capacity: W.rounds) { w in
        for t in 0..<16 { w[t] = W(bigEndian: p.loadUnaligned(fromByteOffset: MemoryLayout<W>.size * t, as: W.self)) }
        for t in 16..<W.rounds {
            w[t] = W.small(w[t - 2], W.sigmas.small1) &+ w[t - 7] &+ W.small(w[t - 15], W.sigmas.small0) &+ w[t - 16]
        }
        k.withUnsafeBufferPointer { k in
            for t in 0..<W.rounds {
                let t1 = hh &+ W.big(e, W.sigmas.big1) &+ ((e & f) ^ (~e & g)) &+ k[t] &+ w[t]
                let t2 = W.big(a, W.sigmas.big0) &+ ((a & b) ^ (a & c) ^ (b & c))
                hh = g
                g = f
                f = e
                e = d &+ t1
                d = c
                c = b
                b = a
                a = t1 &+ t2
            }
        }
    }
    h[0] = h[0] &+ a
    h[1] = h[1] &+ b
    h[2] = h[2] &+ c
    h[3] = h[3] &+ d
    h[4] = h[4] &+ e
    h[5] = h[5] &+ f
    h[6] = h[6] &+ g
    h[7] = h[7] &+ hh
}

/// A Merkle–Damgård hash: fixed-size blocks, `0x80` padding and a trailing bit length.
private protocol BlockHash {
    /// Block size in bytes.
    static var blockSize: Int { get }
    /// Size of the trailing length field in bytes (8 or 16).
    static var lengthSize: Int { get }
    /// Whether the length field (and the words) are big-endian.
    static var bigEndian: Bool { get }
    /// The initial state.
    init()
    mutating func compress(_ block: UnsafeRawPointer)
    var digest: [UInt8] { get }
}

extension BlockHash {
    /// The digest of `data` from the initial state.
    static func digest(of data: UnsafeRawBufferPointer) -> [UInt8] {
        var h = Self()
        return h.hash(data)
    }

    mutating func hash(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        let bs = Self.blockSize
        let n = data.count
        var off = 0
        if let base = data.baseAddress {
            while off + bs <= n {
                compress(base + off)
                off += bs
            }
        }
        let rem = n - off
        var tail = [UInt8](repeating: 0, count: 2 * bs)
        for i in 0..<rem { tail[i] = data[off + i] }
        tail[rem] = 0x80
        let total = rem + 1 + Self.lengthSize <= bs ? bs : 2 * bs
        let bits = UInt64(n) &* 8
        for i in 0..<8 {
            let byte = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i)))
            if Self.bigEndian { tail[total - 1 - i] = byte } else { tail[total - 8 + i] = byte }
        }
        if Self.lengthSize == 16 { tail[total - 9] = UInt8(truncatingIfNeeded: UInt64(n) >> 61) }
        tail.withUnsafeBytes { p in
            var o = 0
            while o < total {
                compress(p.baseAddress! + o)
                o += bs
            }
        }
        return digest
    }
}

private struct MD5: BlockHash {
    static var blockSize: Int { 64 }
    static var lengthSize: Int { 8 }
    static var bigEndian: Bool { false }
    var h: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476)

    /// RFC 1321's table: `k[i] = floor(2^32 × |sin(i + 1)|)`, i in radians.
    static let k: [UInt32] = (1...64).map { UInt32(abs(GoMath.sin(Double($0))) * 4_294_967_296) }
    static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]

    mutating func compress(_ p: UnsafeRawPointer) {
        var (a, b, c, d) = h
        MD5.k.withUnsafeBufferPointer { k in
            MD5.shifts.withUnsafeBufferPointer { s in
                for i in 0..<64 {
                    var f: UInt32
                    let g: Int
                    switch i >> 4 {
                    case 0:
                        f = (b & c) | (~b & d)
                        g = i
                    case 1:
                        f = (d & b) | (~d & c)
                        g = (5 * i + 1) & 15
                    case 2:
                        f = b ^ c ^ d
                        g = (3 * i + 5) & 15
                    default:
                        f = c ^ (b | ~d)
                        g = (7 * i) & 15
                    }
                    let m = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4 * g, as: UInt32.self))
                    f = f &+ a &+ k[i] &+ m
                    a = d
                    d = c
                    c = b
                    b = b &+ rotl32(f, s[i])
                }
            }
        }
        h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d)
    }

    var digest: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(16)
        for w in [h.0, h.1, h.2, h.3] {
            for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: w >> (8 * UInt32(i)))) }
        }
        return out
    }
}

/// Big-endian bytes of 32-bit words.
private func bigEndianBytes(_ words: [UInt32]) -> [UInt8] {
    var out = [UInt8]()
    out.reserveCapacity(words.count * 4)
    for w in words {
        for i in (0..<4).reversed() { out.append(UInt8(truncatingIfNeeded: w >> (8 * UInt32(i)))) }
    }
    return out
}

private struct SHA1: BlockHash {
    static var blockSize: Int { 64 }
    static var lengthSize: Int { 8 }
    static var bigEndian: Bool { true }
    var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]

    mutating func compress(_ p: UnsafeRawPointer) {
        var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4]
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
            for t in 0..<16 { w[t] = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self)) }
            for t in 16..<80 { w[t] = rotl32(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1) }
            for t in 0..<80 {
                let f: UInt32
                let k: UInt32
                switch t {
                case 0..<20:
                    f = (b & c) | (~b & d)
                    k = 0x5A82_7999
                case 20..<40:
                    f = b ^ c ^ d
                    k = 0x6ED9_EBA1
                case 40..<60:
                    f = (b & c) | (b & d) | (c & d)
                    k = 0x8F1B_BCDC
                default:
                    f = b ^ c ^ d
                    k = 0xCA62_C1D6
                }
                let temp = rotl32(a, 5) &+ f &+ e &+ k &+ w[t]
                e = d
                d = c
                c = rotl32(b, 30)
                b = a
                a = temp
            }
        }
        h[0] = h[0] &+ a
        h[1] = h[1] &+ b
        h[2] = h[2] &+ c
        h[3] = h[3] &+ d
        h[4] = h[4] &+ e
    }

    var digest: [UInt8] { bigEndianBytes(h) }
}

private struct SHA256: BlockHash {
    static var blockSize: Int { 64 }
    static var lengthSize: Int { 8 }
    static var bigEndian: Bool { true }
    /// The first 32 bits of SHA-512's initial words (fractional parts of square roots, FIPS 180-4 §5.3).
    var h: [UInt32] = SHA512.initial.map { UInt32(truncatingIfNeeded: $0 >> 32) }

    /// The first 32 bits of SHA-512's constants (both are the fractional parts of the cube
    /// roots of the first primes, FIPS 180-4 §4.2).
    static let k: [UInt32] = SHA512.k.prefix(64).map { UInt32(truncatingIfNeeded: $0 >> 32) }

    mutating func compress(_ p: UnsafeRawPointer) { sha2Compress(&h, SHA256.k, p) }

    var digest: [UInt8] { bigEndianBytes(h) }
}

private struct SHA512: BlockHash {
    static var blockSize: Int { 128 }
    static var lengthSize: Int { 16 }
    static var bigEndian: Bool { true }
    var h: [UInt64] = SHA512.initial

    static let initial: [UInt64] = [
        0x6A09_E667_F3BC_C908, 0xBB67_AE85_84CA_A73B, 0x3C6E_F372_FE94_F82B, 0xA54F_F53A_5F1D_36F1,
        0x510E_527F_ADE6_82D1, 0x9B05_688C_2B3E_6C1F, 0x1F83_D9AB_FB41_BD6B, 0x5BE0_CD19_137E_2179,
    ]

    static let k: [UInt64] = [
        0x428A_2F98_D728_AE22, 0x7137_4491_23EF_65CD, 0xB5C0_FBCF_EC4D_3B2F, 0xE9B5_DBA5_8189_DBBC,
        0x3956_C25B_F348_B538, 0x59F1_11F1_B605_D019, 0x923F_82A4_AF19_4F9B, 0xAB1C_5ED5_DA6D_8118,
        0xD807_AA98_A303_0242, 0x1283_5B01_4570_6FBE, 0x2431_85BE_4EE4_B28C, 0x550C_7DC3_D5FF_B4E2,
        0x72BE_5D74_F27B_896F, 0x80DE_B1FE_3B16_96B1, 0x9BDC_06A7_25C7_1235, 0xC19B_F174_CF69_2694,
        0xE49B_69C1_9EF1_4AD2, 0xEFBE_4786_384F_25E3, 0x0FC1_9DC6_8B8C_D5B5, 0x240C_A1CC_77AC_9C65,
        0x2DE9_2C6F_592B_0275, 0x4A74_84AA_6EA6_E483, 0x5CB0_A9DC_BD41_FBD4, 0x76F9_88DA_8311_53B5,
        0x983E_5152_EE66_DFAB, 0xA831_C66D_2DB4_3210, 0xB003_27C8_98FB_213F, 0xBF59_7FC7_BEEF_0EE4,
        0xC6E0_0BF3_3DA8_8FC2, 0xD5A7_9147_930A_A725, 0x06CA_6351_E003_826F, 0x1429_2967_0A0E_6E70,
        0x27B7_0A85_46D2_2FFC, 0x2E1B_2138_5C26_C926, 0x4D2C_6DFC_5AC4_2AED, 0x5338_0D13_9D95_B3DF,
        0x650A_7354_8BAF_63DE, 0x766A_0ABB_3C77_B2A8, 0x81C2_C92E_47ED_AEE6, 0x9272_2C85_1482_353B,
        0xA2BF_E8A1_4CF1_0364, 0xA81A_664B_BC42_3001, 0xC24B_8B70_D0F8_9791, 0xC76C_51A3_0654_BE30,
        0xD192_E819_D6EF_5218, 0xD699_0624_5565_A910, 0xF40E_3585_5771_202A, 0x106A_A070_32BB_D1B8,
        0x19A4_C116_B8D2_D0C8, 0x1E37_6C08_5141_AB53, 0x2748_774C_DF8E_EB99, 0x34B0_BCB5_E19B_48A8,
        0x391C_0CB3_C5C9_5A63, 0x4ED8_AA4A_E341_8ACB, 0x5B9C_CA4F_7763_E373, 0x682E_6FF3_D6B2_B8A3,
        0x748F_82EE_5DEF_B2FC, 0x78A5_636F_4317_2F60, 0x84C8_7814_A1F0_AB72, 0x8CC7_0208_1A64_39EC,
        0x90BE_FFFA_2363_1E28, 0xA450_6CEB_DE82_BDE9, 0xBEF9_A3F7_B2C6_7915, 0xC671_78F2_E372_532B,
        0xCA27_3ECE_EA26_619C, 0xD186_B8C7_21C0_C207, 0xEADA_7DD6_CDE0_EB1E, 0xF57D_4F7F_EE6E_D178,
        0x06F0_67AA_7217_6FBA, 0x0A63_7DC5_A2C8_98A6, 0x113F_9804_BEF9_0DAE, 0x1B71_0B35_131C_471B,
        0x28DB_77F5_2304_7D84, 0x32CA_AB7B_40C7_2493, 0x3C9E_BE0A_15C9_BEBC, 0x431D_67C4_9C10_0D4C,
        0x4CC5_D4BE_CB3E_42B6, 0x597F_299C_FC65_7E2A, 0x5FCB_6FAB_3AD6_FAEC, 0x6C44_198C_4A47_5817,
    ]

    mutating func compress(_ p: UnsafeRawPointer) { sha2Compress(&h, SHA512.k, p) }

    var digest: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(64)
        for w in h {
            for i in (0..<8).reversed() { out.append(UInt8(truncatingIfNeeded: w >> (8 * UInt64(i)))) }
        }
        return out
    }
}
