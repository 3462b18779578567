/// A Jsonnet source file as the lexer saw it: the name used in diagnostics
/// and the text, kept so stack traces can quote the offending line.
public final class SourceFile: Sendable {
    /// The name printed in diagnostics (e.g. `testdata/foo.jsonnet`, `<cmdline>`).
    public let name: String
    /// The whole text of the file.
    public let text: String

    /// Creates one from the given values.
    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}

extension SourceFile {
    /// The 1-based `lines` of the text without their terminators; a line past the
    /// end of the text is empty (an error at end of file points there).
    public func lines(_ lines: ClosedRange<Int>) -> [Substring] {
        let utf8 = text.utf8
        var out: [Substring] = []
        var current = 1
        var start = utf8.startIndex
        while current <= lines.upperBound {
            let end = utf8[start...].firstIndex(of: UInt8(ascii: "\n")) ?? utf8.endIndex
            if current >= lines.lowerBound { out.append(Substring(utf8[start..<end])) }
            start = end < utf8.endIndex ? utf8.index(after: end) : utf8.endIndex
            current += 1
        }
        return out
    }
}

/// A 1-based line/column position (columns count UTF-8 bytes, as go-jsonnet does).
public struct SourcePosition: Equatable, Sendable {
    /// The line.
    public var line: Int32
    /// The column.
    public var column: Int32

    /// Creates one from the given values.
    public init(line: Int32, column: Int32) {
        self.line = line
        self.column = column
    }
}

/// The span of source text a node or token came from.
///
/// `end` is exclusive in columns, matching go-jsonnet's `file:1:1-11` output
/// for a 10-character expression starting at column 1.
public struct SourceRange: Sendable {
    /// The file.
    public var file: SourceFile?
    /// The begin.
    public var begin: SourcePosition
    /// The end.
    public var end: SourcePosition

    /// Creates one from the given values.
    public init(file: SourceFile?, begin: SourcePosition, end: SourcePosition) {
        self.file = file
        self.begin = begin
        self.end = end
    }

    /// A range that points nowhere (for synthesized nodes).
    public static let none = SourceRange(file: nil, begin: .init(line: 0, column: 0), end: .init(line: 0, column: 0))

    /// True when this range points at real source text.
    public var isKnown: Bool { file != nil && begin.line > 0 }

    /// go-jsonnet's rendering: `name:L:C-C2`, `name:(L1:C1)-(L2:C2)` or `name:L:C` for an empty span.
    public var description: String {
        let name = file?.name ?? ""
        if begin.line == end.line {
            if end.column <= begin.column + 0 && end.column <= begin.column {
                return "\(name):\(begin.line):\(begin.column)"
            }
            return "\(name):\(begin.line):\(begin.column)-\(end.column)"
        }
        return "\(name):(\(begin.line):\(begin.column))-(\(end.line):\(end.column))"
    }
}
