import Testing

@testable import KubeTestServer
import Kubernetes

@Suite("CEL subset evaluator")
struct CELEvaluatorTests {
    @Test(arguments: [
        ("has(self.a) != has(self.b)", true),
        ("has(self.a) && has(self.b)", false),
        ("self.n >= 3 && self.n < 4", true),
        ("self.list.all(x, self.list.exists_one(y, y == x))", true),
        ("self.list.exists(x, x == 'b')", true),
        ("size(self.list) == 3 && self.list.size() == 3", true),
        ("self.list.filter(x, x != 'a').map(x, x + '!') == ['b!', 'c!']", true),
        ("'b' in self.list", true),
        ("duration(self.d) >= duration('30s') && duration(self.d) <= duration('24h')", true),
        ("duration('1h30m') == duration('90m')", true),
        ("self.s.matches('^[a-z]+$') && self.s.startsWith('ab') && self.s.endsWith('c') && self.s.contains('b')", true),
        ("!self.p.split('/').exists(s, s == '..')", false),
        ("has(self.a) ? self.a == 1 : false", true),
        ("-self.n + 1 == -2", true),
    ])
    func evaluates(_ expression: String, _ expected: Bool) throws {
        let value: JSONValue = ["a": 1, "n": 3, "list": ["a", "b", "c"], "d": "5m", "s": "abc", "p": "x/../y"]
        #expect(try CELEvaluator.evaluate(expression, self: value) == expected)
    }

    @Test func errorsAreReported() {
        #expect(throws: (any Error).self) { try CELEvaluator.evaluate("self.missing == 1", self: [:]) }
        #expect(throws: (any Error).self) { try CELEvaluator.evaluate("self.a +", self: ["a": 1]) }
        #expect(throws: (any Error).self) { try CELEvaluator.evaluate("duration('soon') > duration('1s')", self: [:]) }
    }

    @Test func goDurations() {
        #expect(parseGoDuration("1h30m") == 5400)
        #expect(parseGoDuration("250ms") == 0.25)
        #expect(parseGoDuration("1.5h") == 5400)
        #expect(parseGoDuration("0") == 0)
        #expect(parseGoDuration("10") == nil)
        #expect(parseGoDuration("") == nil)
    }
}
