import Foundation
import Logging
import Synchronization
import Testing
@testable import JaaSLogging

/// Lines a handler wrote, collected in process.
private final class Lines: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var all: [String] { storage.withLock { $0 } }
}

/// 2026-12-06T23:14:24.123456789Z as seconds and nanoseconds since the epoch.
private let fixedTime = (seconds: 1_796_598_864, nanoseconds: 123_456_789)

private func logger(_ format: LogFormat, level: Logger.Level = .debug, lines: Lines,
                    time: (seconds: Int, nanoseconds: Int) = fixedTime) -> Logger {
    Logger(label: "jaas") { _ in
        SlogLogHandler(format: format, logLevel: level, output: .lines { lines.append($0) }, clock: { time })
    }
}

@Suite struct SlogJSONTests {
    @Test func keysComeInSlogsOrderThenTheAttributes() throws {
        let lines = Lines()
        logger(.json, lines: lines).info("listening", metadata: ["server": "renderer", "address": "[::]:8080"])
        #expect(lines.all == [
            #"{"time":"2026-12-06T23:14:24.123456789Z","level":"INFO","msg":"listening","address":"[::]:8080","server":"renderer"}"#
                + "\n",
        ])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines.all[0].utf8)) as? [String: Any])
        #expect(object["logger"] == nil)
    }

    @Test func levelsAreSlogsFourNames() {
        let lines = Lines()
        let log = logger(.json, level: .trace, lines: lines)
        log.trace("t"); log.debug("d"); log.info("i"); log.notice("n"); log.warning("w"); log.error("e"); log.critical("c")
        let levels = lines.all.map { line in
            String(line.split(separator: ",")[1].dropFirst("\"level\":\"".count).dropLast())
        }
        #expect(levels == ["DEBUG", "DEBUG", "INFO", "INFO", "WARN", "ERROR", "ERROR"])
    }

    @Test func theLevelFilterHolds() {
        let lines = Lines()
        let log = logger(.json, level: .warning, lines: lines)
        log.info("hidden"); log.warning("shown")
        #expect(lines.all.count == 1)
        #expect(lines.all[0].contains(#""level":"WARN","msg":"shown""#))
    }

    @Test func timeIsRFC3339NanoWithTrailingZerosTrimmed() {
        #expect(SlogFormat.rfc3339(seconds: 0, nanoseconds: 0, fraction: .nanosecondsTrimmed) == "1970-01-01T00:00:00Z")
        #expect(SlogFormat.rfc3339(seconds: 1_796_598_864, nanoseconds: 120_000_000, fraction: .nanosecondsTrimmed)
            == "2026-12-06T23:14:24.12Z")
        #expect(SlogFormat.rfc3339(seconds: 1_796_598_864, nanoseconds: 5, fraction: .nanosecondsTrimmed)
            == "2026-12-06T23:14:24.000000005Z")
    }

    @Test func integersAndBooleansAreBareNestedValuesAreJSON() throws {
        let lines = Lines()
        logger(.json, lines: lines).info("m", metadata: [
            "count": .stringConvertible(3), "ok": .stringConvertible(true), "ratio": .stringConvertible(0.5),
            "list": ["a", "b"], "group": ["k": "v"],
        ])
        #expect(lines.all[0].hasSuffix(#""count":3,"group":{"k":"v"},"list":["a","b"],"ok":true,"ratio":0.5}"# + "\n"))
    }

    /// Hostile text in messages, keys and values stays inside its string: one line,
    /// valid JSON, the same escapes as slog (`<>&` and DEL as they are).
    @Test func hostileTextCannotBreakTheLine() throws {
        let lines = Lines()
        let hostile = "a\"b\\c\nd\re\tf\u{0}\u{1b}[31m\u{7f}<&>\u{2028}\u{2029}é"
        logger(.json, lines: lines).error("\(hostile)", metadata: [hostile: .string(hostile)])
        let line = try #require(lines.all.first)
        #expect(line.filter { $0 == "\n" }.count == 1 && line.hasSuffix("\n"))
        let escaped = #""a\"b\\c\nd\re\tf\u0000\u001b[31m"# + "\u{7f}" + #"<&>\u2028\u2029é""#
        #expect(line.contains(#""msg":"# + escaped + "," + escaped + ":" + escaped + "}"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["msg"] as? String == hostile)
        #expect(object[hostile] as? String == hostile)
    }
}

@Suite struct SlogTextTests {
    @Test func timeLevelMsgThenKeyValues() {
        let lines = Lines()
        logger(.text, lines: lines).info("listening", metadata: ["server": "renderer", "address": "[::]:8080"])
        #expect(lines.all == [
            #"time=2026-12-06T23:14:24.123Z level=INFO msg=listening address=[::]:8080 server=renderer"# + "\n",
        ])
    }

    @Test func valuesAreQuotedOnlyWhenSlogQuotesThem() {
        let cases: [(String, String)] = [
            ("plain", "plain"), ("", #""""#), ("two words", #""two words""#), ("a=b", #""a=b""#),
            (#"say "hi""#, #""say \"hi\"""#), (#"back\slash"#, #"back\slash"#), ("tab\there", #""tab\there""#),
            ("line\nbreak", #""line\nbreak""#), ("bell\u{7}", #""bell\a""#), ("esc\u{1b}", #""esc\x1b""#),
            ("del\u{7f}", "del\u{7f}"), ("café", "café"), ("nbsp\u{a0}", #""nbsp\u00a0""#),
            ("zero\u{200b}width", #""zero\u200bwidth""#), ("{\"a\":1}", #""{\"a\":1}""#),
        ]
        for (input, expected) in cases {
            #expect(SlogFormat.textString(input) == expected, "\(input)")
        }
    }

    @Test func messageKeysAndGroupsFollowTheSameRules() {
        let lines = Lines()
        logger(.text, lines: lines).warning("evaluation failed", metadata: [
            "snippet": "a b", "odd key": "x", "request": ["method": "GET", "path": "/x"], "names": ["a", "b"],
        ])
        #expect(lines.all == [
            #"time=2026-12-06T23:14:24.123Z level=WARN msg="evaluation failed" names="[a b]" "odd key"=x "#
                + #"request.method=GET request.path=/x snippet="a b""# + "\n",
        ])
    }

    /// A value cannot forge another key or another line.
    @Test func hostileValuesStayOneValue() {
        let lines = Lines()
        logger(.text, lines: lines).info("m", metadata: ["k": "x level=ERROR msg=forged\ntime=0 level=ERROR"])
        #expect(lines.all == [
            #"time=2026-12-06T23:14:24.123Z level=INFO msg=m k="x level=ERROR msg=forged\ntime=0 level=ERROR""# + "\n",
        ])
    }

    @Test func millisecondsAlwaysThreeDigits() {
        #expect(SlogFormat.rfc3339(seconds: 0, nanoseconds: 0, fraction: .milliseconds) == "1970-01-01T00:00:00.000Z")
        #expect(SlogFormat.rfc3339(seconds: 0, nanoseconds: 999_999_999, fraction: .milliseconds)
            == "1970-01-01T00:00:00.999Z")
    }
}
