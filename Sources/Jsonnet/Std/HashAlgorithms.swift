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

    private static let keccakRoundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]

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
@inline(__always) private func rotr32(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &>> n) | (x &<< (32 &- n)) }
@inline(__always) private func rotl64(_ x: UInt64, _ n: UInt64) -> UInt64 { (x &<< n) | (x &>> (64 &- n)) }
@inline(__always) private func rotr64(_ x: UInt64, _ n: UInt64) -> UInt64 { (x &>> n) | (x &<< (64 &- n)) }

/// The word of a SHA-2 function (FIPS 180-4): 32 bits for SHA-256, 64 for SHA-512,
/// with the rotations and round count of each.
private protocol SHA2Word: FixedWidthInteger, UnsignedInteger, BitwiseCopyable {
    /// Rounds per block (64 or 80).
    static var rounds: Int { get }
    /// Σ0 of the round function.
    static func bigSigma0(_ x: Self) -> Self
    /// Σ1 of the round function.
    static func bigSigma1(_ x: Self) -> Self
    /// σ0 of the message schedule.
    static func smallSigma0(_ x: Self) -> Self
    /// σ1 of the message schedule.
    static func smallSigma1(_ x: Self) -> Self
}

extension UInt32: SHA2Word {
    static var rounds: Int { 64 }
    @inline(__always) static func bigSigma0(_ x: UInt32) -> UInt32 { rotr32(x, 2) ^ rotr32(x, 13) ^ rotr32(x, 22) }
    @inline(__always) static func bigSigma1(_ x: UInt32) -> UInt32 { rotr32(x, 6) ^ rotr32(x, 11) ^ rotr32(x, 25) }
    @inline(__always) static func smallSigma0(_ x: UInt32) -> UInt32 { rotr32(x, 7) ^ rotr32(x, 18) ^ (x >> 3) }
    @inline(__always) static func smallSigma1(_ x: UInt32) -> UInt32 { rotr32(x, 17) ^ rotr32(x, 19) ^ (x >> 10) }
}

extension UInt64: SHA2Word {
    static var rounds: Int { 80 }
    @inline(__always) static func bigSigma0(_ x: UInt64) -> UInt64 { rotr64(x, 28) ^ rotr64(x, 34) ^ rotr64(x, 39) }
    @inline(__always) static func bigSigma1(_ x: UInt64) -> UInt64 { rotr64(x, 14) ^ rotr64(x, 18) ^ rotr64(x, 41) }
    @inline(__always) static func smallSigma0(_ x: UInt64) -> UInt64 { rotr64(x, 1) ^ rotr64(x, 8) ^ (x >> 7) }
    @inline(__always) static func smallSigma1(_ x: UInt64) -> UInt64 { rotr64(x, 19) ^ rotr64(x, 61) ^ (x >> 6) }
}

/// One SHA-2 block at `p` folded into the state `h` with the round constants `k`.
@inline(__always)
private func sha2Compress<W: SHA2Word>(_ h: inout [W], _ k: [W], _ p: UnsafeRawPointer) {
    var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7]
    withUnsafeTemporaryAllocation(of: W.self, capacity: W.rounds) { w in
        for t in 0..<16 { w[t] = W(bigEndian: p.loadUnaligned(fromByteOffset: MemoryLayout<W>.size * t, as: W.self)) }
        for t in 16..<W.rounds {
            w[t] = W.smallSigma1(w[t - 2]) &+ w[t - 7] &+ W.smallSigma0(w[t - 15]) &+ w[t - 16]
        }
        k.withUnsafeBufferPointer { k in
            for t in 0..<W.rounds {
                let t1 = hh &+ W.bigSigma1(e) &+ ((e & f) ^ (~e & g)) &+ k[t] &+ w[t]
                let t2 = W.bigSigma0(a) &+ ((a & b) ^ (a & c) ^ (b & c))
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

    static let k: [UInt32] = [
        0xD76A_A478, 0xE8C7_B756, 0x2420_70DB, 0xC1BD_CEEE, 0xF57C_0FAF, 0x4787_C62A, 0xA830_4613, 0xFD46_9501,
        0x6980_98D8, 0x8B44_F7AF, 0xFFFF_5BB1, 0x895C_D7BE, 0x6B90_1122, 0xFD98_7193, 0xA679_438E, 0x49B4_0821,
        0xF61E_2562, 0xC040_B340, 0x265E_5A51, 0xE9B6_C7AA, 0xD62F_105D, 0x0244_1453, 0xD8A1_E681, 0xE7D3_FBC8,
        0x21E1_CDE6, 0xC337_07D6, 0xF4D5_0D87, 0x455A_14ED, 0xA9E3_E905, 0xFCEF_A3F8, 0x676F_02D9, 0x8D2A_4C8A,
        0xFFFA_3942, 0x8771_F681, 0x6D9D_6122, 0xFDE5_380C, 0xA4BE_EA44, 0x4BDE_CFA9, 0xF6BB_4B60, 0xBEBF_BC70,
        0x289B_7EC6, 0xEAA1_27FA, 0xD4EF_3085, 0x0488_1D05, 0xD9D4_D039, 0xE6DB_99E5, 0x1FA2_7CF8, 0xC4AC_5665,
        0xF429_2244, 0x432A_FF97, 0xAB94_23A7, 0xFC93_A039, 0x655B_59C3, 0x8F0C_CC92, 0xFFEF_F47D, 0x8584_5DD1,
        0x6FA8_7E4F, 0xFE2C_E6E0, 0xA301_4314, 0x4E08_11A1, 0xF753_7E82, 0xBD3A_F235, 0x2AD7_D2BB, 0xEB86_D391,
    ]
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
    var h: [UInt32] = [
        0x6A09_E667, 0xBB67_AE85, 0x3C6E_F372, 0xA54F_F53A, 0x510E_527F, 0x9B05_688C, 0x1F83_D9AB, 0x5BE0_CD19,
    ]

    static let k: [UInt32] = [
        0x428A_2F98, 0x7137_4491, 0xB5C0_FBCF, 0xE9B5_DBA5, 0x3956_C25B, 0x59F1_11F1, 0x923F_82A4, 0xAB1C_5ED5,
        0xD807_AA98, 0x1283_5B01, 0x2431_85BE, 0x550C_7DC3, 0x72BE_5D74, 0x80DE_B1FE, 0x9BDC_06A7, 0xC19B_F174,
        0xE49B_69C1, 0xEFBE_4786, 0x0FC1_9DC6, 0x240C_A1CC, 0x2DE9_2C6F, 0x4A74_84AA, 0x5CB0_A9DC, 0x76F9_88DA,
        0x983E_5152, 0xA831_C66D, 0xB003_27C8, 0xBF59_7FC7, 0xC6E0_0BF3, 0xD5A7_9147, 0x06CA_6351, 0x1429_2967,
        0x27B7_0A85, 0x2E1B_2138, 0x4D2C_6DFC, 0x5338_0D13, 0x650A_7354, 0x766A_0ABB, 0x81C2_C92E, 0x9272_2C85,
        0xA2BF_E8A1, 0xA81A_664B, 0xC24B_8B70, 0xC76C_51A3, 0xD192_E819, 0xD699_0624, 0xF40E_3585, 0x106A_A070,
        0x19A4_C116, 0x1E37_6C08, 0x2748_774C, 0x34B0_BCB5, 0x391C_0CB3, 0x4ED8_AA4A, 0x5B9C_CA4F, 0x682E_6FF3,
        0x748F_82EE, 0x78A5_636F, 0x84C8_7814, 0x8CC7_0208, 0x90BE_FFFA, 0xA450_6CEB, 0xBEF9_A3F7, 0xC671_78F2,
    ]

    mutating func compress(_ p: UnsafeRawPointer) { sha2Compress(&h, SHA256.k, p) }

    var digest: [UInt8] { bigEndianBytes(h) }
}

private struct SHA512: BlockHash {
    static var blockSize: Int { 128 }
    static var lengthSize: Int { 16 }
    static var bigEndian: Bool { true }
    var h: [UInt64] = [
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
