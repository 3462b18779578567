/// Elementary functions that round exactly like go-jsonnet's.
///
/// go-jsonnet calls Go's `math` package, whose results differ from the C
/// library's in the last bit for a large share of inputs (Go evaluates the
/// classic Cephes / FreeBSD polynomials in plain double arithmetic; on x86-64
/// `Exp` and `Log` are hand-written assembly, `Exp` using fused multiply-adds on
/// CPUs that have them). Since output must be byte-identical, these functions
/// evaluate the same published polynomials with the same operation order.
/// Square root, floor, ceil, round, fmod and frexp are exact in both worlds and
/// are not repeated here.
enum GoMath {
    /// Go's math.Log(2) and math.Log(10), used by log2/log10 and the format conversions.
    static let ln2 = log(2)
    static let ln10 = log(10)

    // MARK: Helpers

    /// Go's `math.Frexp`: `x = frac × 2^exp` with `0.5 ≤ |frac| < 1`.
    static func frexp(_ x: Double) -> (Double, Int) {
        if x == 0 || !x.isFinite { return (x, 0) }
        var f = x
        var e = 0
        if f.magnitude < Double.leastNormalMagnitude {
            f *= 4503599627370496.0 // 2^52
            e = -52
        }
        var bits = f.bitPattern
        e += Int((bits >> 52) & 0x7FF) - 1022
        bits &= ~(UInt64(0x7FF) << 52)
        bits |= UInt64(1022) << 52
        return (Double(bitPattern: bits), e)
    }

    /// Go's `math.Ldexp`: `frac × 2^exp`, correctly rounded, saturating to ±0 / ±Inf.
    static func ldexp(_ frac: Double, _ exp: Int) -> Double {
        if frac == 0 || !frac.isFinite { return frac }
        var (f, e) = frexp(frac)
        e += exp
        // frexp's fraction has biased exponent 1022, so the value is f' × 2^e with f' = 2f in [1, 2).
        e -= 1
        if e < -1075 { return frac < 0 ? -0.0 : 0.0 }
        if e > 1023 { return frac < 0 ? -.infinity : .infinity }
        var scale = 1.0
        if e < -1022 {
            e += 53
            scale = 1.0 / 9007199254740992.0 // 2^-53
        }
        var bits = (f * 2).bitPattern
        bits &= ~(UInt64(0x7FF) << 52)
        bits |= UInt64(e + 1023) << 52
        f = Double(bitPattern: bits)
        return scale * f
    }

    // MARK: Exp and Log (x86-64 assembly versions)

    private static let expOverflow = Double(bitPattern: 0x4086_2E42_FEFA_39EF)
    private static let log2e = Double(bitPattern: 0x3FF7_1547_652B_82FE)
    private static let ln2Upper = Double(bitPattern: 0x3FE6_2E42_FEFA_3000)
    private static let ln2Lower = Double(bitPattern: 0x3D53_DE6A_F278_ECE6)

    /// `e^x`: reduces by `k·ln 2`, evaluates the Taylor series of `e^(r/16) − 1`,
    /// squares four times and scales by `2^k`. This is the variant Go runs on
    /// CPUs with FMA (as the reference machine has); without FMA Go rounds a few
    /// results differently.
    static func exp(_ x: Double) -> Double {
        let bits = x.bitPattern
        if bits & 0x7FFF_FFFF_FFFF_FFFF >= 0x7FF0_0000_0000_0000 {
            return bits == 0xFFF0_0000_0000_0000 ? 0 : x
        }
        if x > expOverflow { return .infinity }
        // CVTSD2SI: round to nearest even; out of range gives the "integer indefinite" value.
        let t = (log2e * x).rounded(.toNearestOrEven)
        let k = (t >= -2147483648.0 && t <= 2147483647.0) ? Int(t) : Int(Int32.min)
        let kd = Double(k)
        var r = x.addingProduct(-kd, ln2Upper)
        r = r.addingProduct(-kd, ln2Lower)
        r *= 0.0625
        var p = 2.4801587301587301587e-5
        p = (1.9841269841269841270e-4).addingProduct(p, r)
        p = (1.3888888888888888889e-3).addingProduct(p, r)
        p = (8.3333333333333333333e-3).addingProduct(p, r)
        p = (4.1666666666666666667e-2).addingProduct(p, r)
        p = (1.6666666666666666667e-1).addingProduct(p, r)
        p = (0.5).addingProduct(p, r)
        p = (1.0).addingProduct(p, r)
        var e = r * p
        e *= e + 2
        e *= e + 2
        e *= e + 2
        e = (1.0).addingProduct(e, e + 2)
        var biased = k + 0x3FF
        if biased <= 0 {
            if biased < -52 { return 0 }
            biased += 0x3FE
            e *= Double(bitPattern: UInt64(biased) << 52)
            return e * Double(bitPattern: UInt64(1) << 52)
        }
        if biased >= 0x7FF { return .infinity }
        return e * Double(bitPattern: UInt64(biased) << 52)
    }

    private static let ln2Hi = Double(bitPattern: 0x3FE6_2E42_FEE0_0000)
    private static let ln2Lo = Double(bitPattern: 0x3DEA_39EF_3579_3C76)
    private static let halfSqrt2 = Double(bitPattern: 0x3FE6_A09E_667F_3BCD)
    private static let lg1 = Double(bitPattern: 0x3FE5_5555_5555_5593)
    private static let lg2 = Double(bitPattern: 0x3FD9_9999_9997_FA04)
    private static let lg3 = Double(bitPattern: 0x3FD2_4924_9422_9359)
    private static let lg4 = Double(bitPattern: 0x3FCC_71C5_1D8E_78AF)
    private static let lg5 = Double(bitPattern: 0x3FC7_4664_96CB_03DE)
    private static let lg6 = Double(bitPattern: 0x3FC3_9A09_D078_C69F)
    private static let lg7 = Double(bitPattern: 0x3FC2_F112_DF3E_5244)

    /// Natural logarithm. The exponent and fraction are split from the bits
    /// directly, so subnormal inputs are treated as Go's assembly treats them.
    static func log(_ x: Double) -> Double {
        let bits = x.bitPattern
        if bits & 0x7FFF_FFFF_FFFF_FFFF == 0 { return -.infinity }
        if Int64(bitPattern: bits) < 0 { return .nan }
        if bits >= 0x7FF0_0000_0000_0000 { return x }
        let f1 = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FE0_0000_0000_0000)
        var k = Double(Int((bits >> 52) & 0x7FF) - 0x3FE)
        var m = 1.0
        if !(halfSqrt2 < f1) {
            k -= 1
            m = 2
        }
        let f = f1 * m - 1
        let s = f / (2 + f)
        let s2 = s * s
        let s4 = s2 * s2
        let t1 = s2 * (lg1 + s4 * (lg3 + s4 * (lg5 + s4 * lg7)))
        let t2 = s4 * (lg2 + s4 * (lg4 + s4 * lg6))
        let r = t1 + t2
        let hfsq = 0.5 * f * f
        return k * ln2Hi - ((hfsq - (s * (hfsq + r) + k * ln2Lo)) - f)
    }

    // MARK: Pow

    private static func isOddInt(_ x: Double) -> Bool {
        if x.magnitude >= 9007199254740992.0 { return false }
        let xi = x.rounded(.towardZero)
        return x - xi == 0 && Int64(xi) & 1 == 1
    }

    /// `x^y`: integer part of `y` by repeated squaring on the frexp fraction,
    /// fractional part through `exp(yf · log x)`.
    static func pow(_ x: Double, _ y: Double) -> Double {
        if y == 0 || x == 1 { return 1 }
        if y == 1 { return x }
        if x.isNaN || y.isNaN { return .nan }
        if x == 0 {
            if y < 0 {
                return (x.sign == .minus && isOddInt(y)) ? -.infinity : .infinity
            }
            return (x.sign == .minus && isOddInt(y)) ? x : 0
        }
        if y.isInfinite {
            if x == -1 { return 1 }
            return (x.magnitude < 1) == (y > 0) ? 0 : .infinity
        }
        if x.isInfinite {
            if x < 0 { return pow(1 / x, -y) }
            return y < 0 ? 0 : .infinity
        }
        if y == 0.5 { return x.squareRoot() }
        if y == -0.5 { return 1 / x.squareRoot() }

        let ay = y.magnitude
        var yi = ay.rounded(.towardZero)
        var yf = ay - yi
        if yf != 0 && x < 0 { return .nan }
        if yi >= 9223372036854775808.0 {
            if x == -1 { return 1 }
            return (x.magnitude < 1) == (y > 0) ? 0 : .infinity
        }
        var a1 = 1.0
        var ae = 0
        if yf != 0 {
            if yf > 0.5 {
                yf -= 1
                yi += 1
            }
            a1 = exp(yf * log(x))
        }
        var (x1, xe) = frexp(x)
        var i = Int64(yi)
        while i != 0 {
            if xe < -(1 << 12) || (1 << 12) < xe {
                ae += xe
                break
            }
            if i & 1 == 1 {
                a1 *= x1
                ae += xe
            }
            x1 *= x1
            xe <<= 1
            if x1 < 0.5 {
                x1 += x1
                xe -= 1
            }
            i >>= 1
        }
        if y < 0 {
            a1 = 1 / a1
            ae = -ae
        }
        return ldexp(a1, ae)
    }

    // MARK: Trigonometry

    private static let pi4A = Double(bitPattern: 0x3FE9_21FB_4000_0000)
    private static let pi4B = Double(bitPattern: 0x3E64_442D_0000_0000)
    private static let pi4C = Double(bitPattern: 0x3CE8_4698_98CC_5170)
    /// 4/π rounded to double.
    private static let fourOverPi = Double(bitPattern: 0x3FF4_5F30_6DC9_C883)
    /// Above this, arguments are reduced with the bits of 4/π (Payne–Hanek).
    private static let reduceThreshold = 536870912.0 // 2^29

    private static let sinCoefficients: [Double] = [
        Double(bitPattern: 0x3DE5_D8FD_1FD1_9CCD), Double(bitPattern: 0xBE5A_E5E5_A929_1F5D),
        Double(bitPattern: 0x3EC7_1DE3_567D_48A1), Double(bitPattern: 0xBF2A_01A0_19BF_DF03),
        Double(bitPattern: 0x3F81_1111_1110_F7D0), Double(bitPattern: 0xBFC5_5555_5555_5548),
    ]
    private static let cosCoefficients: [Double] = [
        Double(bitPattern: 0xBDA8_FA49_A086_1A9B), Double(bitPattern: 0x3E21_EE9D_7B4E_3F05),
        Double(bitPattern: 0xBE92_7E4F_7EAC_4BC6), Double(bitPattern: 0x3EFA_01A0_19C8_44F5),
        Double(bitPattern: 0xBF56_C16C_16C1_4F91), Double(bitPattern: 0x3FA5_5555_5555_554B),
    ]
    private static let tanP: [Double] = [
        Double(bitPattern: 0xC0C9_92D8_D24F_3F38), Double(bitPattern: 0x4131_99EC_A5FC_9DDD),
        Double(bitPattern: 0xC171_1FEA_D329_9176),
    ]
    private static let tanQ: [Double] = [
        1.0,
        Double(bitPattern: 0x40CA_B8A5_EEB3_6572), Double(bitPattern: 0xC134_27BC_582A_BC96),
        Double(bitPattern: 0x4177_D98F_C2EA_D8EF), Double(bitPattern: 0xC189_AFE0_3CBE_5A31),
    ]

    /// The binary digits of 4/π: 4/π = Σ fourOverPiBits[i] · 2^(−64·i).
    private static let fourOverPiBits: [UInt64] = [
        0x0000_0000_0000_0001, 0x45F3_06DC_9C88_2A53, 0xF84E_AFA3_EA69_BB81, 0xB6C5_2B32_7887_2083,
        0xFCA2_C757_BD77_8AC3, 0x6E48_DC74_849B_A5C0, 0x0C92_5DD4_13A3_2439, 0xFC3B_D639_6253_4E7D,
        0xD104_6BEA_5D76_8909, 0xD338_E04D_68BE_FC82, 0x7323_AC73_06A6_73E9, 0x3908_BF17_7BF2_5076,
        0x3FF1_2FFF_BC0B_301F, 0xDE5E_2316_B414_DA3E, 0xDA6C_FD9E_4F96_136E, 0x9E8C_7ECD_3CBF_D45A,
        0xEA4F_758F_D7CB_E2F6, 0x7A0E_73EF_14A5_25D4, 0xD7F6_BF62_3F1A_BA10, 0xAC06_608D_F8F6_D757,
    ]

    /// Shifts with Go's semantics: counts of 64 or more give 0.
    @inline(__always) private static func shl(_ x: UInt64, _ n: UInt) -> UInt64 { n >= 64 ? 0 : x << n }
    @inline(__always) private static func shr(_ x: UInt64, _ n: UInt) -> UInt64 { n >= 64 ? 0 : x >> n }

    /// Reduces a large positive `x` to an octant `j` and a remainder in [−π/4, π/4].
    private static func trigReduce(_ x: Double) -> (UInt64, Double) {
        let pi4 = Double.pi / 4
        if x < pi4 { return (0, x) }
        var ix = x.bitPattern
        let exp = Int((ix >> 52) & 0x7FF) - 1023 - 52
        ix &= ~(UInt64(0x7FF) << 52)
        ix |= UInt64(1) << 52
        let digit = (exp + 61) / 64
        let bitshift = UInt((exp + 61) % 64)
        let b = fourOverPiBits
        let z0 = shl(b[digit], bitshift) | shr(b[digit + 1], 64 &- bitshift)
        let z1 = shl(b[digit + 1], bitshift) | shr(b[digit + 2], 64 &- bitshift)
        let z2 = shl(b[digit + 2], bitshift) | shr(b[digit + 3], 64 &- bitshift)
        let z2hi = z2.multipliedFullWidth(by: ix).high
        let (z1hi, z1lo) = z1.multipliedFullWidth(by: ix)
        let z0lo = z0 &* ix
        let (lo, carry) = z1lo.addingReportingOverflow(z2hi)
        var hi = z0lo &+ z1hi &+ (carry ? 1 : 0)
        var j = hi >> 61
        hi = hi << 3 | lo >> 61
        let lz = UInt(hi.leadingZeroBitCount)
        let e = UInt64(bitPattern: Int64(1023) - Int64(lz + 1))
        hi = shl(hi, lz + 1) | shr(lo, 64 &- (lz + 1))
        hi >>= 64 - 52
        hi |= e << 52
        var z = Double(bitPattern: hi)
        if j & 1 == 1 {
            j += 1
            j &= 7
            z -= 1
        }
        return (j, z * pi4)
    }

    /// Octant and remainder of a non-negative finite `x`, zeros mapped to the origin.
    @inline(__always)
    private static func reduce(_ x: Double) -> (UInt64, Double) {
        if x >= reduceThreshold { return trigReduce(x) }
        var j = UInt64(x * fourOverPi)
        var y = Double(j)
        if j & 1 == 1 {
            j += 1
            y += 1
        }
        j &= 7
        return (j, ((x - y * pi4A) - y * pi4B) - y * pi4C)
    }

    @inline(__always)
    private static func sinPoly(_ z: Double, _ zz: Double) -> Double {
        let s = sinCoefficients
        return z + z * zz * ((((((s[0] * zz) + s[1]) * zz + s[2]) * zz + s[3]) * zz + s[4]) * zz + s[5])
    }

    @inline(__always)
    private static func cosPoly(_ zz: Double) -> Double {
        let c = cosCoefficients
        return 1.0 - 0.5 * zz + zz * zz * ((((((c[0] * zz) + c[1]) * zz + c[2]) * zz + c[3]) * zz + c[4]) * zz + c[5])
    }

    /// Sine (Cephes polynomials after reduction to an octant).
    static func sin(_ x: Double) -> Double {
        if x == 0 || x.isNaN { return x }
        if x.isInfinite { return .nan }
        var sign = x < 0
        var (j, z) = reduce(x.magnitude)
        if j > 3 {
            sign.toggle()
            j -= 4
        }
        let zz = z * z
        let y = (j == 1 || j == 2) ? cosPoly(zz) : sinPoly(z, zz)
        return sign ? -y : y
    }

    /// Cosine (Cephes polynomials after reduction to an octant).
    static func cos(_ x: Double) -> Double {
        if !x.isFinite { return .nan }
        var sign = false
        var (j, z) = reduce(x.magnitude)
        if j > 3 {
            j -= 4
            sign.toggle()
        }
        if j > 1 { sign.toggle() }
        let zz = z * z
        let y = (j == 1 || j == 2) ? sinPoly(z, zz) : cosPoly(zz)
        return sign ? -y : y
    }

    /// Tangent (Cephes rational function after reduction to an octant).
    static func tan(_ x: Double) -> Double {
        if x == 0 || x.isNaN { return x }
        if x.isInfinite { return .nan }
        let (j, z) = reduce(x.magnitude)
        let zz = z * z
        var y: Double
        if zz > 1e-14 {
            let p = tanP
            let q = tanQ
            y = z + z * (zz * (((p[0] * zz) + p[1]) * zz + p[2]) / ((((zz + q[1]) * zz + q[2]) * zz + q[3]) * zz + q[4]))
        } else {
            y = z
        }
        if j & 2 == 2 { y = -1 / y }
        return x < 0 ? -y : y
    }

    /// Rational approximation of atan on [0, 0.66].
    private static func xatan(_ x: Double) -> Double {
        let p0 = -8.750608600031904122785e-01
        let p1 = -1.615753718733365076637e+01
        let p2 = -7.500855792314704667340e+01
        let p3 = -1.228866684490136173410e+02
        let p4 = -6.485021904942025371773e+01
        let q0 = +2.485846490142306297962e+01
        let q1 = +1.650270098316988542046e+02
        let q2 = +4.328810604912902668951e+02
        let q3 = +4.853903996359136964868e+02
        let q4 = +1.945506571482613964425e+02
        var z = x * x
        z = z * ((((p0 * z + p1) * z + p2) * z + p3) * z + p4) / (((((z + q0) * z + q1) * z + q2) * z + q3) * z + q4)
        return x * z + x
    }

    /// atan of a positive argument, reduced to xatan's range.
    private static func satan(_ x: Double) -> Double {
        let moreBits = 6.123233995736765886130e-17 // π/2 = Double.pi/2 + moreBits
        let tan3pio8 = 2.41421356237309504880
        if x <= 0.66 { return xatan(x) }
        if x > tan3pio8 { return Double.pi / 2 - xatan(1 / x) + moreBits }
        return Double.pi / 4 + xatan((x - 1) / (x + 1)) + 0.5 * moreBits
    }

    /// Arctangent.
    static func atan(_ x: Double) -> Double {
        if x == 0 { return x }
        return x > 0 ? satan(x) : -satan(-x)
    }

    /// Arcsine, through atan of x / sqrt(1 − x²).
    static func asin(_ x: Double) -> Double {
        if x == 0 { return x }
        let a = x.magnitude
        if a > 1 { return .nan }
        var t = (1 - a * a).squareRoot()
        if a > 0.7 {
            t = Double.pi / 2 - satan(t / a)
        } else {
            t = satan(a / t)
        }
        return x < 0 ? -t : t
    }

    /// Arccosine as π/2 − asin(x).
    static func acos(_ x: Double) -> Double {
        Double.pi / 2 - asin(x)
    }

    /// Two-argument arctangent with Go's special cases for zeros and infinities.
    static func atan2(_ y: Double, _ x: Double) -> Double {
        if y.isNaN || x.isNaN { return .nan }
        if y == 0 {
            if x >= 0 && x.sign == .plus { return Double(signOf: y, magnitudeOf: 0) }
            return Double(signOf: y, magnitudeOf: .pi)
        }
        if x == 0 { return Double(signOf: y, magnitudeOf: .pi / 2) }
        if x.isInfinite {
            if x > 0 { return Double(signOf: y, magnitudeOf: y.isInfinite ? .pi / 4 : 0) }
            return Double(signOf: y, magnitudeOf: y.isInfinite ? 3 * Double.pi / 4 : .pi)
        }
        if y.isInfinite { return Double(signOf: y, magnitudeOf: .pi / 2) }
        let q = atan(y / x)
        if x < 0 { return q <= 0 ? q + .pi : q - .pi }
        return q
    }

    /// `sqrt(x² + y²)` scaled by the larger magnitude, as Go computes it.
    static func hypot(_ x: Double, _ y: Double) -> Double {
        var p = x.magnitude
        var q = y.magnitude
        if p.isInfinite || q.isInfinite { return .infinity }
        if p.isNaN || q.isNaN { return .nan }
        if p < q { swap(&p, &q) }
        if p == 0 { return 0 }
        q = q / p
        return p * (q * q + 1).squareRoot()
    }
}
