import GoFormats
import Testing

/// Go's spellings, checked against what Go 1.24 prints for the same values.
@Suite struct GoTextTests {
    @Test func durationsReadAsGoPrintsThem() {
        let cases: [(Int64, String)] = [
            (0, "0s"), (1, "1ns"), (999, "999ns"), (1_500, "1.5µs"), (1_000_000, "1ms"), (300_000_000, "300ms"),
            (1_000_000_000, "1s"), (1_500_000_000, "1.5s"), (5_000_000_000, "5s"), (60_000_000_000, "1m0s"),
            (90_000_000_000, "1m30s"), (3_600_000_000_000, "1h0m0s"), (3_723_000_000_001, "1h2m3.000000001s"),
            (-5_000_000_000, "-5s"), (Int64.max, "2562047h47m16.854775807s"), (Int64.min, "-2562047h47m16.854775808s"),
        ]
        for (nanoseconds, text) in cases {
            #expect(GoText.duration(nanoseconds: nanoseconds) == text, "\(nanoseconds)")
        }
        #expect(GoText.duration(.seconds(5)) == "5s")
        #expect(GoText.duration(.milliseconds(300)) == "300ms")
        #expect(GoText.duration(.seconds(Int64.max)) == "2562047h47m16.854775807s")
    }

    @Test func quoteIsStrconvQuote() {
        let cases: [(String, String)] = [
            ("", #""""#), ("nope", #""nope""#), (#"a"b"#, #""a\"b""#), (#"a\b"#, #""a\\b""#), ("\u{7}\u{8}\u{c}\n\r\t\u{b}", #""\a\b\f\n\r\t\v""#),
            ("\u{0}\u{1b}\u{7f}", #""\x00\x1b\x7f""#), ("é日本", "\"é日本\""), ("\u{a0}", #""\u00a0""#),
            ("\u{2028}", #""\u2028""#), ("\u{e000}", #""\ue000""#), ("\u{f0000}", #""\U000f0000""#), ("a b", #""a b""#),
        ]
        for (input, quoted) in cases {
            #expect(GoText.quote(input) == quoted, "\(input)")
        }
    }

    @Test func jsonMarshalEscapesAsEncodingJSON() {
        #expect(GoText.jsonMarshal("<a href=\"x\">&</a>") == #""\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e""#)
        #expect(GoText.jsonMarshal("\u{8}\u{c}\n\r\t\u{0}\u{1f}\u{7f}") == "\"\\b\\f\\n\\r\\t\\u0000\\u001f\u{7f}\"")
        #expect(GoText.jsonMarshal("\u{2028}\u{2029}é\\") == #""\u2028\u2029é\\""#)
    }
}
