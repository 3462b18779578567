import GoFormats
import Testing

/// The one Go-duration parser: what flags, custom resources and CEL accept, and what
/// none of them may (hostile spellings give nil, never a trap).
@Suite struct GoDurationTests {
    static let hundredThousandDigits = String(repeating: "9", count: 100_000) + "s"

    @Test func validSpellingsParse() {
        let cases: [(String, Double)] = [
            ("0", 0), ("0s", 0), ("300ms", 0.3), ("5s", 5), ("1m30s", 90), ("1.5h", 5400), ("2h0m0s", 7200),
            (".5s", 0.5), ("1.s", 1), ("100ns", 1e-7), ("1500us", 0.0015), ("1500µs", 0.0015), ("1500μs", 0.0015),
            ("876000h", 876_000 * 3600), ("1h1m1s1ms1us1ns", 3661.001001001),
        ]
        for (text, expected) in cases {
            let parsed = GoDuration.seconds(text)
            #expect(parsed.map { abs($0 - expected) <= expected * 1e-12 } == true, "\(text): \(String(describing: parsed))")
        }
        #expect(GoDuration.nanoseconds("300ms") == 3e8)
        #expect(GoDuration.nanoseconds("1.5h") == 5400e9)
    }

    @Test func hostileSpellingsAreRefused() {
        let hostile = [
            "", "s", "5", ".", ".s", "1.5.5s", "1e3s", "1e400s", "NaNs", "nan", "infs", "Infinity", "5x", "5 s", " 5s",
            "5s ", "٥s", "5S", "1h-5m", "0x10s", "1_000s", "-5m", "+5m", "5msx", "5mh", "1hh", "ms", "0.", "-",
            "\u{0}5s", "5s\u{0}",
        ]
        for text in hostile {
            #expect(GoDuration.nanoseconds(text) == nil, "\(text)")
        }
    }

    @Test func signsOnlyWhenAllowed() {
        #expect(GoDuration.seconds("-5m", allowingSign: true) == -300)
        #expect(GoDuration.seconds("+5m", allowingSign: true) == 300)
        #expect(GoDuration.seconds("-0", allowingSign: true) == 0)
        #expect(GoDuration.seconds("-", allowingSign: true) == nil)
        #expect(GoDuration.seconds("--5m", allowingSign: true) == nil)
        #expect(GoDuration.seconds("-5m") == nil)
    }

    @Test func hugeValuesAreNumbersNotTraps() {
        // Callers bound the range; the parser only has to answer.
        let huge = GoDuration.seconds(Self.hundredThousandDigits)
        #expect(huge.map { !$0.isFinite || $0 > 1e300 } ?? true)
        let big = GoDuration.nanoseconds("9223372036854775807h")
        #expect(big.map { $0 > 9.2e18 } == true)
        #expect(GoDuration.nanoseconds(String(repeating: "1s", count: 10_000)) == 10_000e9)
    }
}
