import Jsonnet
import Testing

/// std.base64, base64Decode, base64DecodeBytes, encodeUTF8 and decodeUTF8. Expectations checked against go-jsonnet 0.22.
@Suite struct StdEncodingTests {
    @Test func base64() {
        #expect(compact(#"std.base64('hello')"#) == #"aGVsbG8="#)
        #expect(compact(#"std.base64('')"#) == #""#)
        #expect(compact(#"std.base64('a')"#) == #"YQ=="#)
        #expect(compact(#"std.base64('ab')"#) == #"YWI="#)
        #expect(compact(#"std.base64('abc')"#) == #"YWJj"#)
        #expect(compact(#"std.base64('é')"#) == #"w6k="#)
        #expect(compact(#"std.base64('aÿb')"#) == #"YcO/Yg=="#)
        #expect(compact(#"std.base64([104, 105])"#) == #"aGk="#)
        #expect(compact(#"std.base64([])"#) == #""#)
        #expect(compact(#"std.base64([255, 0, 128])"#) == #"/wCA"#)
        #expect(compact(#"std.base64([255.0])"#) == #"/w=="#)
        #expect(compact(#"std.base64(input='hi')"#) == #"aGk="#)
    }

    @Test func base64Errors() {
        #expect(run(#"std.base64('é€😀')"#) == #"ERROR: RUNTIME ERROR: base64 encountered invalid codepoint value in the array (must be 0 <= X <= 255), got 8364"#)
        #expect(run(#"std.base64('a\u0100')"#) == #"ERROR: RUNTIME ERROR: base64 encountered invalid codepoint value in the array (must be 0 <= X <= 255), got 256"#)
        #expect(run(#"std.base64([256])"#) == #"ERROR: RUNTIME ERROR: base64 encountered invalid codepoint value in the array (must be 0 <= X <= 255), got 256"#)
        #expect(run(#"std.base64([-1])"#) == #"ERROR: RUNTIME ERROR: base64 encountered invalid codepoint value in the array (must be 0 <= X <= 255), got -1"#)
        #expect(run(#"std.base64([1.5])"#) == #"ERROR: RUNTIME ERROR: base64 encountered a non-integer value in the array, got number"#)
        #expect(run(#"std.base64(['a'])"#) == #"ERROR: RUNTIME ERROR: base64 encountered a non-integer value in the array, got string"#)
        #expect(run(#"std.base64([null])"#) == #"ERROR: RUNTIME ERROR: base64 encountered a non-integer value in the array, got null"#)
        #expect(run(#"std.base64([2147483648])"#) == #"ERROR: RUNTIME ERROR: base64 encountered a non-integer value in the array, got number"#)
        #expect(run(#"std.base64([-2147483648])"#) == #"ERROR: RUNTIME ERROR: base64 encountered invalid codepoint value in the array (must be 0 <= X <= 255), got -2147483648"#)
        #expect(run(#"std.base64([1, 'a', 256])"#) == #"ERROR: RUNTIME ERROR: base64 encountered a non-integer value in the array, got string"#)
        #expect(run(#"std.base64([1, 256, 'a'])"#) == #"ERROR: RUNTIME ERROR: base64 encountered invalid codepoint value in the array (must be 0 <= X <= 255), got 256"#)
        #expect(run(#"std.base64(1)"#) == #"ERROR: RUNTIME ERROR: base64 can only base64 encode strings / arrays of single bytes, got number"#)
        #expect(run(#"std.base64(null)"#) == #"ERROR: RUNTIME ERROR: base64 can only base64 encode strings / arrays of single bytes, got null"#)
        #expect(run(#"std.base64({})"#) == #"ERROR: RUNTIME ERROR: base64 can only base64 encode strings / arrays of single bytes, got object"#)
        #expect(run(#"std.base64()"#) == #"ERROR: RUNTIME ERROR: Missing argument: input"#)
    }

    @Test func base64Decode() {
        #expect(compact(#"std.base64Decode('aGVsbG8=')"#) == #"hello"#)
        #expect(compact(#"std.base64Decode('')"#) == #""#)
        #expect(compact(#"std.base64Decode('w6k=')"#) == #"é"#)
        #expect(compact(#"std.base64Decode('4oKs8J+YgA==')"#) == #"€😀"#)
        #expect(compact(#"std.base64Decode('aGl=')"#) == #"hi"#)
        #expect(compact(#"std.base64Decode('aGVs\r\n\r\nbG8h')"#) == #"hello!"#)
        #expect(compact(#"std.base64Decode('/w==')"#) == #"�"#)
        #expect(compact(#"std.length(std.base64Decode('4oI='))"#) == #"2"#)
        #expect(compact(#"std.base64Decode(str='aGk=')"#) == #"hi"#)
        #expect(compact(#"std.base64Decode(std.base64('round trip ÿ'))"#) == #"round trip ÿ"#)
        // Decoded text is scanned for ASCII 8 bytes at a time: non-ASCII past the first words,
        // and an invalid byte between ASCII runs.
        #expect(compact(#"std.base64Decode(std.base64('abcdefghijklmnopé'))"#) == #"abcdefghijklmnopé"#)
        #expect(compact(#"std.base64Decode(std.base64([97, 97, 97, 97, 97, 97, 97, 97, 97, 255, 98]))"#) == "aaaaaaaaa\u{FFFD}b")
        // The output buffer is sized 3 bytes per 4 symbols: a long input fills it exactly.
        #expect(compact(#"std.length(std.base64Decode(std.join('', std.makeArray(1000, function(i) 'aGVs'))))"#) == #"3000"#)
        #expect(compact(#"std.length(std.base64Decode(std.join('\r\n\r\n', std.makeArray(1000, function(i) 'aGVs')) + 'aA=='))"#) == #"3001"#)
    }

    @Test func base64DecodeBytes() {
        #expect(compact(#"std.base64DecodeBytes('aGVsbG8=')"#) == #"[104, 101, 108, 108, 111]"#)
        #expect(compact(#"std.base64DecodeBytes('/w==')"#) == #"[255]"#)
        #expect(compact(#"std.base64DecodeBytes('')"#) == #"[ ]"#)
        #expect(compact(#"std.base64DecodeBytes('aG==')"#) == #"[104]"#)
        #expect(compact(#"std.base64DecodeBytes('YWJ=')"#) == #"[97, 98]"#)
        #expect(compact(#"std.base64DecodeBytes('aG\n=\n=\n\n')"#) == #"[104]"#)
        #expect(compact(#"std.base64DecodeBytes('aGk=\n\n\n\n')"#) == #"[104, 105]"#)
        #expect(compact(#"std.base64DecodeBytes(std.base64([0, 1, 2, 253, 254, 255]))"#) == #"[0, 1, 2, 253, 254, 255]"#)
    }

    @Test func base64DecodeErrors() {
        #expect(run(#"std.base64Decode('aGVsbG8')"#) == #"ERROR: RUNTIME ERROR: input string appears not to be a base64 encoded string. Wrong length found (7)"#)
        #expect(run(#"std.base64Decode('aGk=\n')"#) == #"ERROR: RUNTIME ERROR: input string appears not to be a base64 encoded string. Wrong length found (5)"#)
        #expect(run(#"std.base64Decode('é===')"#) == #"ERROR: RUNTIME ERROR: input string appears not to be a base64 encoded string. Wrong length found (5)"#)
        #expect(run(#"std.base64Decode('!!!!')"#) == #"ERROR: RUNTIME ERROR: failed to decode: illegal base64 data at input byte 0"#)
        #expect(run(#"std.base64Decode('aGk=aGk=')"#) == #"ERROR: RUNTIME ERROR: failed to decode: illegal base64 data at input byte 4"#)
        #expect(run(#"std.base64Decode(1)"#) == #"ERROR: RUNTIME ERROR: base64DecodeBytes requires a string, got number"#)
        #expect(run(#"std.base64DecodeBytes([1])"#) == #"ERROR: RUNTIME ERROR: base64DecodeBytes requires a string, got array"#)
        #expect(run(#"std.base64DecodeBytes('a===')"#) == #"ERROR: RUNTIME ERROR: failed to decode: illegal base64 data at input byte 1"#)
        #expect(run(#"std.base64DecodeBytes('YW=j')"#) == #"ERROR: RUNTIME ERROR: failed to decode: illegal base64 data at input byte 2"#)
        #expect(run(#"std.base64DecodeBytes('-_8=')"#) == #"ERROR: RUNTIME ERROR: failed to decode: illegal base64 data at input byte 0"#)
        #expect(run(#"std.base64DecodeBytes('aGk=\n\n\nx')"#) == #"ERROR: RUNTIME ERROR: failed to decode: illegal base64 data at input byte 7"#)
        #expect(run(#"std.base64DecodeBytes('aG\n\n')"#) == #"ERROR: RUNTIME ERROR: failed to decode: illegal base64 data at input byte 2"#)
        #expect(run(#"std.base64DecodeBytes('a\n\n\n')"#) == #"ERROR: RUNTIME ERROR: failed to decode: illegal base64 data at input byte 3"#)
        #expect(run(#"std.base64DecodeBytes('aGVsbG8hIQ==!!!!')"#) == #"ERROR: RUNTIME ERROR: failed to decode: illegal base64 data at input byte 12"#)
        #expect(run(#"std.base64DecodeBytes('aGVsbG8h!Q==')"#) == #"ERROR: RUNTIME ERROR: failed to decode: illegal base64 data at input byte 8"#)
        #expect(run(#"std.base64DecodeBytes('ab\u0000d')"#) == #"ERROR: RUNTIME ERROR: failed to decode: illegal base64 data at input byte 2"#)
        #expect(run(#"std.base64DecodeBytes('aG==\n\n')"#) == #"ERROR: RUNTIME ERROR: input string appears not to be a base64 encoded string. Wrong length found (6)"#)
    }

    @Test func encodeUTF8() {
        #expect(compact(#"std.encodeUTF8('aé€😀')"#) == #"[97, 195, 169, 226, 130, 172, 240, 159, 152, 128]"#)
        #expect(compact(#"std.encodeUTF8('')"#) == #"[ ]"#)
        #expect(compact(#"std.encodeUTF8('\u0000\u007f\u0080\u07ff\u0800\uffff')"#) == #"[0, 127, 194, 128, 223, 191, 224, 160, 128, 239, 191, 191]"#)
        #expect(compact(#"std.encodeUTF8(str='hi')"#) == #"[104, 105]"#)
        #expect(run(#"std.encodeUTF8(1)"#) == #"ERROR: RUNTIME ERROR: Unexpected type number, expected string"#)
        #expect(run(#"std.encodeUTF8(null)"#) == #"ERROR: RUNTIME ERROR: Unexpected type null, expected string"#)
    }

    @Test func decodeUTF8() {
        #expect(compact(#"std.decodeUTF8([104, 105])"#) == #"hi"#)
        #expect(compact(#"std.decodeUTF8([])"#) == #""#)
        #expect(compact(#"std.decodeUTF8([0]) == '\u0000'"#) == #"true"#)
        #expect(compact(#"std.decodeUTF8([195, 169, 226, 130, 172, 240, 159, 152, 128])"#) == #"é€😀"#)
        #expect(compact(#"std.decodeUTF8([255])"#) == #"�"#)
        #expect(compact(#"std.decodeUTF8([195])"#) == #"�"#)
        #expect(compact(#"std.decodeUTF8([226, 130])"#) == #"��"#)
        #expect(compact(#"std.decodeUTF8([226, 130, 65])"#) == #"��A"#)
        #expect(compact(#"std.length(std.decodeUTF8([237, 160, 128]))"#) == #"3"#)
        #expect(compact(#"std.length(std.decodeUTF8([192, 128]))"#) == #"2"#)
        #expect(compact(#"std.length(std.decodeUTF8([244, 144, 128, 128]))"#) == #"4"#)
        #expect(compact(#"std.length(std.decodeUTF8([240, 159, 152]))"#) == #"3"#)
        #expect(compact(#"std.decodeUTF8([255.0, 65])"#) == #"�A"#)
        #expect(compact(#"std.decodeUTF8(arr=[111, 107])"#) == #"ok"#)
        #expect(compact(#"std.decodeUTF8(std.encodeUTF8('round ✓ trip 😀'))"#) == #"round ✓ trip 😀"#)
    }

    @Test func decodeUTF8Errors() {
        #expect(run(#"std.decodeUTF8([256])"#) == #"ERROR: RUNTIME ERROR: Bytes must be integers in range [0, 255], got 256"#)
        #expect(run(#"std.decodeUTF8([-1])"#) == #"ERROR: RUNTIME ERROR: Bytes must be integers in range [0, 255], got -1"#)
        #expect(run(#"std.decodeUTF8([1.5])"#) == #"ERROR: RUNTIME ERROR: Expected an integer, but got 1.5"#)
        #expect(run(#"std.decodeUTF8([1e10])"#) == #"ERROR: RUNTIME ERROR: Expected an integer, but got 1e+10"#)
        #expect(run(#"std.decodeUTF8([2147483648])"#) == #"ERROR: RUNTIME ERROR: Expected an integer, but got 2.147483648e+09"#)
        #expect(run(#"std.decodeUTF8([1234567.5])"#) == #"ERROR: RUNTIME ERROR: Expected an integer, but got 1.2345675e+06"#)
        #expect(run(#"std.decodeUTF8([0.00001])"#) == #"ERROR: RUNTIME ERROR: Expected an integer, but got 1e-05"#)
        #expect(run(#"std.decodeUTF8([2147483647])"#) == #"ERROR: RUNTIME ERROR: Bytes must be integers in range [0, 255], got 2147483647"#)
        #expect(run(#"std.decodeUTF8(['a'])"#) == #"ERROR: RUNTIME ERROR: Unexpected type string, expected number"#)
        #expect(run(#"std.decodeUTF8([1, 'a', 300])"#) == #"ERROR: RUNTIME ERROR: Unexpected type string, expected number"#)
        #expect(run(#"std.decodeUTF8([1, 300, 'a'])"#) == #"ERROR: RUNTIME ERROR: Bytes must be integers in range [0, 255], got 300"#)
        #expect(run(#"std.decodeUTF8('a')"#) == #"ERROR: RUNTIME ERROR: Unexpected type string, expected array"#)
        #expect(run(#"std.decodeUTF8(1)"#) == #"ERROR: RUNTIME ERROR: Unexpected type number, expected array"#)
    }
}
