/// std builtins: hashes. Each hashes the UTF-8 bytes of its string argument
/// and returns the digest as lowercase hex (`std.sha3` is SHA3-512, as in go-jsonnet).
let stdHashes: [Builtin] = [
    Builtin("md5", "s") { s, ev in try hashBuiltin(s, ev, Digest.md5) },
    Builtin("sha1", "s") { s, ev in try hashBuiltin(s, ev, Digest.sha1) },
    Builtin("sha256", "s") { s, ev in try hashBuiltin(s, ev, Digest.sha256) },
    Builtin("sha512", "s") { s, ev in try hashBuiltin(s, ev, Digest.sha512) },
    Builtin("sha3", "s") { s, ev in try hashBuiltin(s, ev, Digest.sha3_512) },
]

private func hashBuiltin(_ v: Value, _ ev: Interpreter,
                         _ digest: (UnsafeRawBufferPointer) -> [UInt8]) throws -> Value {
    guard case .string(let js) = v else { throw ev.typeError(v, expected: "string") }
    var s = js.string
    let bytes = s.withUTF8 { digest(UnsafeRawBufferPointer($0)) }
    let hex = Digest.hex(bytes)
    return .string(JString(hex, count: bytes.count * 2, isASCII: true))
}
