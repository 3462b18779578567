// std.parseYaml, imitating go-jsonnet: the text is cut into documents at lines
// starting with `---` + whitespace, each document is read like go-yaml v2's
// `Unmarshal` into `interface{}` (YAML 1.1 scalar resolution, merge keys,
// aliases), then converted to JSON like sigs.k8s.io/yaml (map keys become
// strings; infinities and NaN are refused).
//
// Events come straight from libyaml (the C library inside Yams), so duplicate
// keys (last wins), anchors and error positions behave as in go-yaml, which is
// a port of the same library.

import CYaml

/// `std.parseYaml(text)`: one value, or an array when the text has `---` separators.
func parseYAMLStream(_ text: String, _ ev: Interpreter) throws -> Value {
    // Lines as Go's line reader returns them: each ends in "\n" (also the
    // last one), "\r\n" endings become "\n".
    let src = Array(text.utf8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(src.count + 1)
    var chunks: [Range<Int>] = []
    var isStream = false
    var chunkStart = 0
    var lineStart = 0
    let n = src.count
    while lineStart < n {
        var lineEnd = lineStart
        while lineEnd < n && src[lineEnd] != 0x0A { lineEnd += 1 }
        var contentEnd = lineEnd
        if lineEnd < n && contentEnd > lineStart && src[contentEnd - 1] == 0x0D { contentEnd -= 1 }
        if contentEnd - lineStart >= 3 && src[lineStart] == UInt8(ascii: "-") && src[lineStart + 1] == UInt8(ascii: "-")
            && src[lineStart + 2] == UInt8(ascii: "-") {
            let after: UInt8 = lineStart + 3 < contentEnd ? src[lineStart + 3] : 0x0A
            if after == 0x20 || (after >= 0x09 && after <= 0x0D) {
                isStream = true
                if bytes.count > chunkStart {
                    chunks.append(chunkStart..<bytes.count)
                    chunkStart = bytes.count
                }
            }
        }
        bytes.append(contentsOf: src[lineStart..<contentEnd])
        bytes.append(0x0A)
        lineStart = lineEnd + 1
    }
    if chunkStart < bytes.count { chunks.append(chunkStart..<bytes.count) }
    var docs: [Value] = []
    docs.reserveCapacity(chunks.count)
    do {
        for chunk in chunks {
            let text = try goEscapeFixups(bytes[chunk])
            let go = try text.withUnsafeBufferPointer { buf in
                var decoder = YAMLDocumentDecoder(ev: ev)
                return try decoder.decode(buf)
            }
            var converter = YAMLJSONConverter(ev: ev)
            docs.append(try converter.convert(go))
            if let e = converter.marshalError { throw YAMLError(message: e) }
        }
    } catch let e as YAMLError {
        throw ev.makeError("failed to parse YAML: error converting YAML to JSON: " + e.message)
    }
    if isStream { return .array(JArray(values: docs)) }
    return docs.first ?? .null
}

/// Aligns libyaml's double-quoted escapes with go-yaml's: `\'` is accepted
/// (rewritten as `\x27`, which keeps line numbers) and `\/` is refused. Only
/// chunks containing either sequence pay for the extra token scan.
private func goEscapeFixups(_ chunk: ArraySlice<UInt8>) throws -> [UInt8] {
    var buf = Array(chunk)
    var candidate = false
    if buf.count >= 2 {
        for k in 0..<(buf.count - 1) where buf[k] == UInt8(ascii: "\\")
            && (buf[k + 1] == UInt8(ascii: "'") || buf[k + 1] == UInt8(ascii: "/")) {
            candidate = true
            break
        }
    }
    if !candidate { return buf }
    rescan: while true {
        // Byte offset of each character (libyaml marks count characters).
        var starts: [Int] = []
        starts.reserveCapacity(buf.count + 1)
        for (k, c) in buf.enumerated() where c & 0xC0 != 0x80 { starts.append(k) }
        starts.append(buf.count)
        func byteOffset(_ index: Int) -> Int { index < starts.count ? starts[index] : buf.count }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) != 0 else { return buf }
        defer { yaml_parser_delete(&parser) }
        let done: Bool = try buf.withUnsafeBufferPointer { p in
            yaml_parser_set_input_string(&parser, p.baseAddress, p.count)
            var token = yaml_token_t()
            defer { yaml_token_delete(&token) }
            while true {
                yaml_token_delete(&token)
                if yaml_parser_scan(&parser, &token) == 0 {
                    let at = byteOffset(Int(parser.problem_mark.index))
                    if let problem = parser.problem, String(cString: problem) == "found unknown escape character",
                       at + 1 < p.count, p[at] == UInt8(ascii: "\\"), p[at + 1] == UInt8(ascii: "'") {
                        buf.replaceSubrange(at..<(at + 2), with: Array("\\x27".utf8))
                        return false
                    }
                    return true  // the real parse reports this error
                }
                if token.type == YAML_STREAM_END_TOKEN { return true }
                guard token.type == YAML_SCALAR_TOKEN, token.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE else {
                    continue
                }
                var k = byteOffset(Int(token.start_mark.index)) + 1
                let end = byteOffset(Int(token.end_mark.index))
                while k < end - 1 {
                    if p[k] == UInt8(ascii: "\\") {
                        if p[k + 1] == UInt8(ascii: "/") {
                            var line = 0
                            for q in 0..<k where p[q] == 0x0A { line += 1 }
                            throw YAMLError(message: "yaml: " + (line != 0 ? "line \(line + 1): " : "")
                                + "found unknown escape character")
                        }
                        k += 2
                    } else {
                        k += 1
                    }
                }
            }
        }
        if done { return buf }
        continue rescan
    }
}
