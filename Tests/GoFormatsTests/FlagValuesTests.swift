import GoFormats
import Testing

/// The flag value parsers, in process.
@Suite struct FlagValuesTests {
    @Test func durationsAreGoDurations() {
        let cases: [(String, Duration)] = [
            ("0", .zero), ("0s", .zero), ("300ms", .milliseconds(300)), ("5s", .seconds(5)), ("1m30s", .seconds(90)),
            ("1.5h", .seconds(5400)), (".5s", .milliseconds(500)), ("1500µs", .microseconds(1500)),
            ("1500μs", .microseconds(1500)), ("2555555h", .seconds(2_555_555 * 3600)),
        ]
        for (text, expected) in cases {
            #expect(FlagValues.duration(text) == expected, "\(text)")
        }
    }

    @Test func hostileDurationsAreRefused() {
        let hostile = ["", "5", "-1s", "+1s", "5 seconds", "1e3s", "1e400s", "NaNs", "soon", "1x", "٥s", "1.5.5s",
                       "2555556h", "9223372036854775807h", String(repeating: "9", count: 100_000) + "s"]
        for text in hostile {
            #expect(FlagValues.duration(text) == nil, "\(text.prefix(30))")
        }
    }
}
