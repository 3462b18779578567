#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Token kinds, named as go-jsonnet names them in diagnostics.
enum TokenKind: UInt8 {
    case braceL, braceR, bracketL, bracketR, comma, dollar, dot, parenL, parenR, semicolon
    case identifier, number, stringDouble, stringSingle, stringBlock, verbatimDouble, verbatimSingle
    case `operator`
    case kwAssert, kwElse, kwError, kwFalse, kwFor, kwFunction, kwIf, kwImport, kwImportStr, kwImportBin
    case kwIn, kwLocal, kwNull, kwTailStrict, kwThen, kwSelf, kwSuper, kwTrue
    case eof

    /// go-jsonnet's name for the kind (`IDENTIFIER`, `NUMBER`, `"}"`, ...).
    var displayName: String {
        switch self {
        case .braceL: "\"{\""
        case .braceR: "\"}\""
        case .bracketL: "\"[\""
        case .bracketR: "\"]\""
        case .comma: "\",\""
        case .dollar: "\"$\""
        case .dot: "\".\""
        case .parenL: "\"(\""
        case .parenR: "\")\""
        case .semicolon: "\";\""
        case .identifier: "IDENTIFIER"
        case .number: "NUMBER"
        case .stringDouble: "STRING_DOUBLE"
        case .stringSingle: "STRING_SINGLE"
        case .stringBlock: "STRING_BLOCK"
        case .verbatimDouble: "VERBATIM_STRING_DOUBLE"
        case .verbatimSingle: "VERBATIM_STRING_SINGLE"
        case .operator: "OPERATOR"
        case .eof: "end of file"
        default: "\"\(keywordText)\""
        }
    }

    var keywordText: String {
        switch self {
        case .kwAssert: "assert"
        case .kwElse: "else"
        case .kwError: "error"
        case .kwFalse: "false"
        case .kwFor: "for"
        case .kwFunction: "function"
        case .kwIf: "if"
        case .kwImport: "import"
        case .kwImportStr: "importstr"
        case .kwImportBin: "importbin"
        case .kwIn: "in"
        case .kwLocal: "local"
        case .kwNull: "null"
        case .kwTailStrict: "tailstrict"
        case .kwThen: "then"
        case .kwSelf: "self"
        case .kwSuper: "super"
        case .kwTrue: "true"
        default: ""
        }
    }

    var isString: Bool {
        switch self {
        case .stringDouble, .stringSingle, .stringBlock, .verbatimDouble, .verbatimSingle: true
        default: false
        }
    }
}

let keywords: [String: TokenKind] = [
    "assert": .kwAssert, "else": .kwElse, "error": .kwError, "false": .kwFalse, "for": .kwFor,
    "function": .kwFunction, "if": .kwIf, "import": .kwImport, "importstr": .kwImportStr,
    "importbin": .kwImportBin, "in": .kwIn, "local": .kwLocal, "null": .kwNull,
    "tailstrict": .kwTailStrict, "then": .kwThen, "self": .kwSelf, "super": .kwSuper, "true": .kwTrue,
]

/// One token: its kind, its text (decoded for strings) and where it came from.
struct Token {
    var kind: TokenKind
    var data: String
    var range: SourceRange

    /// go-jsonnet's rendering in "Did not expect" messages: `(IDENTIFIER, "x")`.
    var described: String {
        switch kind {
        case .eof: return "end of file"
        case .identifier, .number, .operator, .stringDouble, .stringSingle, .stringBlock,
             .verbatimDouble, .verbatimSingle:
            return "(\(kind.displayName), \(quoteJSONString(data)))"
        default:
            return kind.displayName
        }
    }
}

/// Splits Jsonnet source into tokens, working on UTF-8 bytes.
struct Lexer {
    private let file: SourceFile
    private let bytes: [UInt8]
    private var pos = 0
    private var line: Int32 = 1
    private var column: Int32 = 1

    init(file: SourceFile) {
        self.file = file
        self.bytes = Array(file.text.utf8)
    }

    private var here: SourcePosition { SourcePosition(line: line, column: column) }

    private func peek(_ offset: Int = 0) -> UInt8 {
        let i = pos + offset
        return i < bytes.count ? bytes[i] : 0
    }

    private mutating func advance() {
        let b = bytes[pos]
        pos += 1
        if b == 0x0A {
            line += 1
            column = 1
        } else {
            column += 1
        }
    }

    private func error(_ message: String, from begin: SourcePosition, to end: SourcePosition? = nil) -> JsonnetError {
        JsonnetError.staticError(message, at: SourceRange(file: file, begin: begin, end: end ?? begin))
    }

    /// The text of the next code point, for "junk after" messages (`\ufffd` at end of input).
    private func describeNext() -> String {
        if pos >= bytes.count { return "'\\ufffd'" }
        var end = pos + 1
        while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
        return "'" + String(decoding: bytes[pos..<end], as: UTF8.self) + "'"
    }

    /// Lexes the whole file.
    mutating func tokenize() throws -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity(bytes.count / 3)
        while true {
            try skipWhitespaceAndComments()
            let begin = here
            guard pos < bytes.count else {
                tokens.append(Token(kind: .eof, data: "", range: SourceRange(file: file, begin: begin, end: begin)))
                return tokens
            }
            let b = peek()
            var kind: TokenKind
            var data = ""
            switch b {
            case UInt8(ascii: "{"): kind = .braceL; advance()
            case UInt8(ascii: "}"): kind = .braceR; advance()
            case UInt8(ascii: "["): kind = .bracketL; advance()
            case UInt8(ascii: "]"): kind = .bracketR; advance()
            case UInt8(ascii: ","): kind = .comma; advance()
            case UInt8(ascii: "."): kind = .dot; advance()
            case UInt8(ascii: "("): kind = .parenL; advance()
            case UInt8(ascii: ")"): kind = .parenR; advance()
            case UInt8(ascii: ";"): kind = .semicolon; advance()
            case UInt8(ascii: "$"): kind = .dollar; advance()
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                kind = .number
                data = try lexNumber()
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                kind = b == UInt8(ascii: "\"") ? .stringDouble : .stringSingle
                data = try lexQuoted(quote: b, begin: begin)
            case UInt8(ascii: "@"):
                let q = peek(1)
                guard q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") else {
                    throw error("Couldn't lex verbatim string, junk after '@': \(q)", from: begin)
                }
                kind = q == UInt8(ascii: "\"") ? .verbatimDouble : .verbatimSingle
                advance()
                data = try lexVerbatim(quote: q, begin: begin)
            case UInt8(ascii: "|") where peek(1) == UInt8(ascii: "|") && peek(2) == UInt8(ascii: "|"):
                kind = .stringBlock
                data = try lexTextBlock(begin: begin)
            default:
                if isIdentifierStart(b) {
                    let start = pos
                    while pos < bytes.count && isIdentifierPart(bytes[pos]) { advance() }
                    data = String(decoding: bytes[start..<pos], as: UTF8.self)
                    kind = keywords[data] ?? .identifier
                } else if isOperatorChar(b) {
                    kind = .operator
                    data = lexOperator()
                } else {
                    var end = pos + 1
                    while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
                    let ch = String(decoding: bytes[pos..<end], as: UTF8.self)
                    throw error("Could not lex the character \(goQuotedRune(ch.unicodeScalars.first ?? "?"))", from: begin)
                }
            }
            tokens.append(Token(kind: kind, data: data, range: SourceRange(file: file, begin: begin, end: here)))
        }
    }

    private func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || b == UInt8(ascii: "_")
    }

    private func isIdentifierPart(_ b: UInt8) -> Bool {
        isIdentifierStart(b) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }

    private func isOperatorChar(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "!"), UInt8(ascii: ":"), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "-"),
             UInt8(ascii: "&"), UInt8(ascii: "|"), UInt8(ascii: "^"), UInt8(ascii: "="), UInt8(ascii: "<"),
             UInt8(ascii: ">"), UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "%"):
            return true
        default:
            return false
        }
    }

    private mutating func skipWhitespaceAndComments() throws {
        while pos < bytes.count {
            let b = bytes[pos]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                advance()
            } else if b == UInt8(ascii: "#") || (b == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "/")) {
                while pos < bytes.count && bytes[pos] != 0x0A { advance() }
            } else if b == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "*") {
                let begin = here
                advance()
                advance()
                while true {
                    guard pos < bytes.count else { throw error("Multi-line comment has no terminating */", from: begin) }
                    if bytes[pos] == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/") {
                        advance()
                        advance()
                        break
                    }
                    advance()
                }
            } else {
                return
            }
        }
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// Digits with `_` separators between them; returns the digits without separators.
    private mutating func lexDigits(into out: inout [UInt8]) throws {
        while pos < bytes.count {
            let b = bytes[pos]
            if isDigit(b) {
                out.append(b)
                advance()
            } else if b == UInt8(ascii: "_") {
                advance()
                guard pos < bytes.count, isDigit(bytes[pos]) else {
                    throw error("Couldn't lex number, junk after '_': \(describeNext())", from: here)
                }
            } else {
                return
            }
        }
    }

    private mutating func lexNumber() throws -> String {
        var out: [UInt8] = []
        if peek() == UInt8(ascii: "0") {
            out.append(UInt8(ascii: "0"))
            advance()
            if peek() == UInt8(ascii: "_") {
                advance()
                throw error("Couldn't lex number, junk after '_': \(describeNext())", from: here)
            }
        } else {
            try lexDigits(into: &out)
        }
        if peek() == UInt8(ascii: ".") {
            out.append(UInt8(ascii: "."))
            advance()
            guard isDigit(peek()) else {
                throw error("Couldn't lex number, junk after decimal point: \(describeNext())", from: here)
            }
            try lexDigits(into: &out)
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            out.append(UInt8(ascii: "e"))
            advance()
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") {
                out.append(peek())
                advance()
            }
            guard isDigit(peek()) else {
                throw error("Couldn't lex number, junk after 'E': \(describeNext())", from: here)
            }
            try lexDigits(into: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func lexQuoted(quote: UInt8, begin: SourcePosition) throws -> String {
        advance()
        var out: [UInt8] = []
        let escapeBegin = begin
        while true {
            guard pos < bytes.count else { throw error("Unterminated String", from: begin) }
            let b = bytes[pos]
            if b == quote {
                advance()
                break
            }
            if b == UInt8(ascii: "\\") {
                advance()
                guard pos < bytes.count else { throw error("Unterminated String", from: begin) }
                let e = bytes[pos]
                advance()
                if let byte = jsonEscapedByte(e) {
                    out.append(byte)
                    continue
                }
                switch e {
                case UInt8(ascii: "'"): out.append(UInt8(ascii: "'"))
                case UInt8(ascii: "u"):
                    var code = try hex4(escapeBegin)
                    if code >= 0xD800 && code < 0xDC00 && peek() == UInt8(ascii: "\\") && peek(1) == UInt8(ascii: "u") {
                        let save = (pos, line, column)
                        advance()
                        advance()
                        let low = try hex4(escapeBegin)
                        if low >= 0xDC00 && low < 0xE000 {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            (pos, line, column) = save
                        }
                    }
                    let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                    out.append(contentsOf: String(Character(scalar)).utf8)
                default:
                    let endPos = SourcePosition(line: line, column: column)
                    throw error("Unknown escape sequence in string literal: \\\(Character(Unicode.Scalar(e)))",
                                from: begin, to: endPos)
                }
                continue
            }
            out.append(b)
            advance()
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func hex4(_ begin: SourcePosition) throws -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = peek()
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("Unterminated String", from: begin)
            }
            v = v * 16 + d
            advance()
        }
        return v
    }

    private mutating func lexVerbatim(quote: UInt8, begin: SourcePosition) throws -> String {
        advance()
        var out: [UInt8] = []
        while true {
            guard pos < bytes.count else { throw error("Unterminated String", from: begin) }
            let b = bytes[pos]
            if b == quote {
                if peek(1) == quote {
                    out.append(quote)
                    advance()
                    advance()
                    continue
                }
                advance()
                break
            }
            out.append(b)
            advance()
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func lexTextBlock(begin: SourcePosition) throws -> String {
        advance()
        advance()
        advance()
        var chomp = false
        if peek() == UInt8(ascii: "-") {
            chomp = true
            advance()
        }
        while peek() == 0x20 || peek() == 0x09 || peek() == 0x0D { advance() }
        guard peek() == 0x0A else { throw error("Text block requires new line after |||.", from: begin) }
        advance()
        var out: [UInt8] = []
        // Leading blank lines are kept as newlines.
        while peek() == 0x0A {
            out.append(0x0A)
            advance()
        }
        var indent: [UInt8] = []
        while pos + indent.count < bytes.count {
            let b = bytes[pos + indent.count]
            guard b == 0x20 || b == 0x09 else { break }
            indent.append(b)
        }
        if indent.isEmpty { throw error("Text block's first line must start with whitespace", from: begin) }
        while true {
            // Consume the indent and the rest of the line.
            for _ in 0..<indent.count { advance() }
            // The line, through its newline, in one piece.
            let start = pos
            let newline = bytes.withUnsafeBufferPointer { buf -> Int? in
                guard let base = buf.baseAddress, start < buf.count else { return nil }
                guard let hit = memchr(base + start, 0x0A, buf.count - start) else { return nil }
                return UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
            }
            // go-jsonnet's wording when the input ends inside a line.
            guard let newline else { throw error("Unexpected EOF", from: begin) }
            out.append(contentsOf: bytes[start...newline])
            pos = newline + 1
            line += 1
            column = 1
            while peek() == 0x0A {
                out.append(0x0A)
                advance()
            }
            if pos >= bytes.count { throw error("Text block not terminated with |||", from: begin) }
            var matches = pos + indent.count <= bytes.count
            if matches {
                for i in 0..<indent.count where bytes[pos + i] != indent[i] {
                    matches = false
                    break
                }
            }
            if !matches {
                while peek() == 0x20 || peek() == 0x09 { advance() }
                guard peek() == UInt8(ascii: "|") && peek(1) == UInt8(ascii: "|") && peek(2) == UInt8(ascii: "|") else {
                    throw error("Text block not terminated with |||", from: begin)
                }
                advance()
                advance()
                advance()
                break
            }
        }
        if chomp && out.last == 0x0A { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func lexOperator() -> String {
        let start = pos
        var end = pos
        while end < bytes.count && isOperatorChar(bytes[end]) {
            // A comment or text block start ends the operator.
            if end > start {
                if bytes[end] == UInt8(ascii: "/") && end + 1 < bytes.count
                    && (bytes[end + 1] == UInt8(ascii: "/") || bytes[end + 1] == UInt8(ascii: "*")) { break }
                if bytes[end] == UInt8(ascii: "|") && end + 2 < bytes.count
                    && bytes[end + 1] == UInt8(ascii: "|") && bytes[end + 2] == UInt8(ascii: "|") { break }
            }
            end += 1
        }
        // An operator longer than one character may not end in + - ~ !. Like
        // go-jsonnet, such a run keeps only its first character (so `a+-b` is
        // `+` `-`, and `{a::-1}` is `:` `:` `-` `1`, a static error).
        if end - start > 1 {
            let last = bytes[end - 1]
            if last == UInt8(ascii: "+") || last == UInt8(ascii: "-") || last == UInt8(ascii: "~") || last == UInt8(ascii: "!") {
                end = start + 1
            }
        }
        while pos < end { advance() }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}

/// A character as Go's `%+q` prints a rune: in single quotes, printable ASCII
/// as is, C escapes, `\xNN` for other ASCII, `\uXXXX` / `\UXXXXXXXX` beyond.
func goQuotedRune(_ c: Unicode.Scalar) -> String {
    let hex = String(c.value, radix: 16)
    let body: String
    switch c {
    case "'": body = "\\'"
    case "\\": body = "\\\\"
    case "\u{7}": body = "\\a"
    case "\u{8}": body = "\\b"
    case "\u{C}": body = "\\f"
    case "\n": body = "\\n"
    case "\r": body = "\\r"
    case "\t": body = "\\t"
    case "\u{B}": body = "\\v"
    default:
        if c.value >= 0x20 && c.value < 0x7F {
            body = String(c)
        } else if c.value < 0x80 {
            body = "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
        } else if c.value < 0x10000 {
            body = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
            body = "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
        }
    }
    return "'" + body + "'"
}

/// The byte a one-letter JSON escape stands for (`\" \\ \/ \b \f \n \r \t`); nil for any
/// other letter. Jsonnet string literals and `std.parseJson` share these.
@inline(__always)
func jsonEscapedByte(_ letter: UInt8) -> UInt8? {
    switch letter {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): letter
    case UInt8(ascii: "b"): 0x08
    case UInt8(ascii: "f"): 0x0C
    case UInt8(ascii: "n"): 0x0A
    case UInt8(ascii: "r"): 0x0D
    case UInt8(ascii: "t"): 0x09
    default: nil
    }
}
