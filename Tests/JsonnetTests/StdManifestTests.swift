import Jsonnet
import Testing

/// Expectations taken from go-jsonnet 0.22 (generated, then reviewed).
@Suite struct StdManifestTests {
    /// Evaluates `code`, whose result must be a string, and returns it raw.
    func str(_ code: String) -> String { run(code, mode: .string) }

    @Test func manifestJsonEx() {
        #expect(str("std.manifestJsonEx({a: [1, [], {}], b: {}}, \"  \")") == "{\n  \"a\": [\n    1,\n    [\n\n    ],\n    {\n\n    }\n  ],\n  \"b\": {\n\n  }\n}")
        #expect(str("std.manifestJsonEx({a: [], b: {c: {}}}, \"\\t\", \"\\r\\n\", \" = \")") == "{\r\n\t\"a\" = [\r\n\r\n\t],\r\n\t\"b\" = {\r\n\t\t\"c\" = {\r\n\r\n\t\t}\r\n\t}\r\n}")
        #expect(str("std.manifestJsonEx([1, 2], \"  \", \"\")") == "[  1,  2]")
        #expect(str("std.manifestJsonEx([], \"  \")") == "[\n\n]")
        #expect(str("std.manifestJsonEx({}, \"  \")") == "{\n\n}")
        #expect(str("std.manifestJsonEx(\"x\", \"  \")") == "\"x\"")
        #expect(str("std.manifestJsonEx({a: [1, {b: [2, {}]}], c: \"x\"}, \"  \", key_val_sep=\" => \")") == "{\n  \"a\" => [\n    1,\n    {\n      \"b\" => [\n        2,\n        {\n\n        }\n      ]\n    }\n  ],\n  \"c\" => \"x\"\n}")
        #expect(str("std.manifestJsonEx({\"é\": \"😀\\u0001\\u007f\\u0080\\u2028\\u2029<>&\\\"\\\\\\b\\f\"}, \"\")") == "{\n\"é\": \"😀\\u0001\u{7f}\u{80}\\u2028\\u2029<>&\\\"\\\\\\b\\f\"\n}")
        #expect(str("std.manifestJsonEx([0.1, 1e300, 1e-7, -0, 1/3, 123456789012345678, 9007199254740993, 5e-324, -1234.5], \"\")") == "[\n0.1,\n1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000,\n0.0000001,\n-0,\n0.3333333333333333,\n123456789012345680,\n9007199254740992,\n0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000005,\n-1234.5\n]")
        #expect(str("std.manifestJsonEx({a: 1} + {a+: 2, b:: 3}, \" \")") == "{\n \"a\": 3\n}")
        #expect(str("std.manifestJsonEx(1)") == "ERROR: RUNTIME ERROR: Missing argument: indent")
        #expect(str("std.manifestJsonEx(1, 1)") == "ERROR: RUNTIME ERROR: Unexpected type number, expected string")
        #expect(str("std.manifestJsonEx(1, \" \", 1)") == "ERROR: RUNTIME ERROR: Unexpected type number, expected string")
        #expect(str("std.manifestJsonEx(1, \" \", \"\\n\", 1)") == "ERROR: RUNTIME ERROR: Unexpected type number, expected string")
        #expect(str("std.manifestJsonEx(std.length, 1)") == "ERROR: RUNTIME ERROR: Unexpected type number, expected string")
        #expect(str("std.manifestJsonEx(1, \" \", bad=1)") == "ERROR: RUNTIME ERROR: function has no parameter bad")
        #expect(str("std.manifestJsonEx({a: [{b: function(x) x}]}, \"  \")") == "ERROR: RUNTIME ERROR: tried to manifest function at [a 0 b]")
        #expect(str("std.manifestJsonEx(std.length, \"  \")") == "ERROR: RUNTIME ERROR: tried to manifest function at []")
        #expect(str("std.manifestJsonEx({\"a b\": {\"c\\\"\": [function(x) x]}}, \"  \")") == "ERROR: RUNTIME ERROR: tried to manifest function at [a b c\" 0]")
        #expect(str("std.manifestJsonEx({a: [{b: error \"boom\"}]}, \"  \")") == "ERROR: RUNTIME ERROR: boom")
        #expect(str("std.manifestJsonEx({assert false, a: 1}, \" \")") == "ERROR: RUNTIME ERROR: Object assertion failed.")
    }

    @Test func manifestJsonAndMinified() {
        #expect(str("std.manifestJson({a: [1, 2], b: {c: []}, d: \"é\"})") == "{\n    \"a\": [\n        1,\n        2\n    ],\n    \"b\": {\n        \"c\": [\n\n        ]\n    },\n    \"d\": \"é\"\n}")
        #expect(str("std.manifestJson([])") == "[\n\n]")
        #expect(str("std.manifestJsonMinified({a: [], b: {}, c: [[]], d: [1, 2.5, null, true], e: {f: \"x\\ny\"}})") == "{\"a\":[],\"b\":{},\"c\":[[]],\"d\":[1,2.5,null,true],\"e\":{\"f\":\"x\\ny\"}}")
        #expect(str("std.manifestJsonMinified(1e21)") == "1000000000000000000000")
        #expect(str("std.manifestJsonMinified(function(x) x)") == "ERROR: RUNTIME ERROR: tried to manifest function at []")
        #expect(str("std.manifestJson(value=[1])") == "[\n    1\n]")
    }

    @Test func manifestYamlDoc() {
        #expect(str("std.manifestYamlDoc({a: [1, [], {}, [1, 2], {x: 1, y: [3]}, \"s\", \"m\\nl\\n\", \"m\\nl\", \"\"], b: {}, c: {d: {}}, e: [[1, [2]]], f: 0.1, g: 1e300, h: -0, i: null, j: true, k: \"a\\n\\nb\\n\\n\"})") == "\"a\":\n- 1\n- []\n- {}\n-\n  - 1\n  - 2\n- \"x\": 1\n  \"y\":\n  - 3\n- \"s\"\n- |\n  m\n  l\n- \"m\\nl\"\n- \"\"\n\"b\": {}\n\"c\":\n  \"d\": {}\n\"e\":\n-\n  - 1\n  -\n    - 2\n\"f\": 0.1\n\"g\": 1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\n\"h\": -0\n\"i\": null\n\"j\": true\n\"k\": |\n  a\n  \n  b\n  ")
        #expect(str("std.manifestYamlDoc({a: [1, [], {}, [1, 2], {x: 1, y: [3]}, \"s\", \"m\\nl\\n\"], b: {c: [1]}}, true)") == "\"a\":\n  - 1\n  - []\n  - {}\n  -\n    - 1\n    - 2\n  - \"x\": 1\n    \"y\":\n      - 3\n  - \"s\"\n  - |\n    m\n    l\n\"b\":\n  \"c\":\n    - 1")
        #expect(str("std.manifestYamlDoc([\"\\u007f\\u2028é\\u0001\\\"\\\\\", \"a\\n\", \"\\n\", \"\\n\\n\", \" x\\n\", [[\"x\\ny\\n\"]], {a: {b: \"x\\ny\\n\"}}, {a: [\"p\\n\"]}])") == "- \"\\u007f\u{2028}é\\u0001\\\"\\\\\"\n- |\n  a\n- |\n  \n- |\n  \n  \n- |\n   x\n-\n  -\n    - |\n      x\n      y\n- \"a\":\n    \"b\": |\n      x\n      y\n- \"a\":\n  - |\n    p")
        #expect(str("std.manifestYamlDoc({a: [\"p\\n\", {b: \"q\\n\"}]}, indent_array_in_object=true)") == "\"a\":\n  - |\n    p\n  - \"b\": |\n      q")
        #expect(str("std.manifestYamlDoc(\"x\\n\")") == "|\n  x")
        #expect(str("std.manifestYamlDoc([])") == "[]")
        #expect(str("std.manifestYamlDoc({})") == "{}")
        #expect(str("std.manifestYamlDoc([[]])") == "- []")
        #expect(str("std.manifestYamlDoc([[[]]])") == "-\n  - []")
        #expect(str("std.manifestYamlDoc(1e-7)") == "0.0000001")
        #expect(str("std.manifestYamlDoc({a:: 1, b: 2})") == "\"b\": 2")
        #expect(str("std.manifestYamlDoc([function(x) x, 1])") == "- \n- 1")
        #expect(str("std.manifestYamlDoc({a: {b: function(x) x}, c: 1})") == "\"a\":\n  \"b\": \n\"c\": 1")
        #expect(str("std.manifestYamlDoc({a: error \"boom\"})") == "ERROR: RUNTIME ERROR: boom")
        #expect(str("std.manifestYamlDoc(1, 1)") == "ERROR: RUNTIME ERROR: Unexpected type number, expected boolean")
        #expect(str("std.manifestYamlDoc(1, false, 1)") == "ERROR: RUNTIME ERROR: Unexpected type number, expected boolean")
        #expect(str("std.manifestYamlDoc({}, quote_keys=1)") == "ERROR: RUNTIME ERROR: Unexpected type number, expected boolean")
    }

    @Test func manifestYamlDocBareKeys() {
        #expect(str("std.manifestYamlDoc({\"1\": 1, \"true\": 1, \"a b\": 1, \"-x\": 1, \"\": 1, \"é\": 1, \"x-y\": 1, \"a_b\": 1, \"yes\": 1, \"YES\": 1, \"null\": 1, \"1e3\": 1, \"0x10\": 1, \"~\": 1, \"a:b\": 1, \"a#\": 1, \".inf\": 1, \"A\": 1, \"a.b\": 1, \"a/b\": 1}, quote_keys=false)") == "\"\": 1\n-x: 1\n\".inf\": 1\n\"0x10\": 1\n\"1\": 1\n\"1e3\": 1\nA: 1\n\"YES\": 1\n\"a b\": 1\n\"a#\": 1\na.b: 1\na/b: 1\n\"a:b\": 1\na_b: 1\n\"null\": 1\n\"true\": 1\nx-y: 1\n\"yes\": 1\n\"~\": 1\n\"é\": 1")
        #expect(str("std.manifestYamlDoc({\"1e400\": 1, \"0X1p4\": 2, \"0X1\": 3, \"-1e400\": 4, \"1e-400\": 5, \"0X1P-1_0\": 6, \"-Infinity\": 8, \"-nan\": 9, \"infin\": 10, \"InFiNiTy\": 11, \"0x\": 12, \"x0x1\": 13, \"0b1_\": 14, \"-0b1\": 15, \"-0b\": 16, \"1_2.3_4e5_6\": 17, \"1e_5\": 18, \"1_e5\": 19, \"1.e5\": 20, \"1e5.\": 21}, quote_keys=false)") == "-0b: 16\n\"-0b1\": 15\n-1e400: 4\n\"-Infinity\": 8\n-nan: 9\n0X1: 3\n\"0X1P-1_0\": 6\n\"0X1p4\": 2\n\"0b1_\": 14\n0x: 12\n\"1.e5\": 20\n\"1_2.3_4e5_6\": 17\n1_e5: 19\n\"1e-400\": 5\n1e400: 1\n1e5.: 21\n1e_5: 18\n\"InFiNiTy\": 11\ninfin: 10\n\"x0x1\": 13")
        #expect(str("std.manifestYamlDoc({\"2001-12-14\": 1, \"1-2\": 2, \"1--\": 3, \"--\": 4, \"----\": 5, \"0b_\": 6, \"a0x0\": 7, \"0xg\": 8, \"nan\": 9, \"Null\": 10, \"n\": 11, \"on\": 12, \"off\": 13, \"0o17\": 14, \"1_000\": 15, \"1_\": 16, \"010\": 17, \".5\": 18, \"5.\": 19}, quote_keys=false)") == "\"--\": 4\n----: 5\n\".5\": 18\n\"010\": 17\n\"0b_\": 6\n0o17: 14\n0xg: 8\n\"1--\": 3\n1-2: 2\n1_: 16\n\"1_000\": 15\n\"2001-12-14\": 1\n\"5.\": 19\n\"Null\": 10\n\"a0x0\": 7\n\"n\": 11\n\"nan\": 9\n\"off\": 13\n\"on\": 12")
        #expect(str("std.manifestYamlDoc({a: {\"b c\": [1, {\"d e\": 2, f: 3}]}}, quote_keys=false)") == "a:\n  \"b c\":\n  - 1\n  - \"d e\": 2\n    f: 3")
    }

    @Test func manifestYamlStream() {
        #expect(str("std.manifestYamlStream([1, 2])") == "---\n1\n---\n2\n...\n")
        #expect(str("std.manifestYamlStream([1, 2], false, false)") == "---\n1\n---\n2\n")
        #expect(str("std.manifestYamlStream([])") == "---\n\n...\n")
        #expect(str("std.manifestYamlStream([], false, false)") == "---\n\n")
        #expect(str("std.manifestYamlStream([{a: [1]}, \"x\\n\"], true, false, false)") == "---\na:\n  - 1\n---\n|\n  x\n")
        #expect(str("std.manifestYamlStream([{\"a b\": 1, c: 2}], quote_keys=false)") == "---\n\"a b\": 1\nc: 2\n...\n")
        #expect(str("std.manifestYamlStream([function(x) x], true)") == "---\n\n...\n")
        #expect(str("std.manifestYamlStream(1)") == "ERROR: RUNTIME ERROR: manifestYamlStream only takes arrays, got number")
        #expect(str("std.manifestYamlStream(1, c_document_end=1)") == "ERROR: RUNTIME ERROR: manifestYamlStream only takes arrays, got number")
        #expect(str("std.manifestYamlStream([1], c_document_end=1)") == "ERROR: RUNTIME ERROR: Unexpected type number, expected boolean")
        #expect(str("std.manifestYamlStream([1], 1)") == "ERROR: RUNTIME ERROR: Unexpected type number, expected boolean")
        #expect(str("std.manifestYamlStream([], 1)") == "---\n\n...\n")
        #expect(str("std.manifestYamlStream([1], quote_keys=1)") == "ERROR: RUNTIME ERROR: Unexpected type number, expected boolean")
    }

    @Test func manifestPython() {
        #expect(str("std.manifestPython({a: [1, 0.1, 1e300, -0, null, true, false, \"é\\u007f\\\"\", {}, []], \"b c\": {x:: 1}})") == "{\"a\": [1, 0.10000000000000001, 1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160, -0, None, True, False, \"é\\u007f\\\"\", {}, []], \"b c\": {}}")
        #expect(str("std.manifestPython(\"x\\ny\")") == "\"x\\ny\"")
        #expect(str("std.manifestPython(1e-7)") == "9.9999999999999995e-08")
        #expect(str("std.manifestPython([function(x) x])") == "ERROR: RUNTIME ERROR: cannot manifest function")
        #expect(str("std.manifestPython({a: error \"e\"})") == "ERROR: RUNTIME ERROR: e")
        #expect(str("std.manifestPythonVars({a: [1, 0.1], \"b c\": \"x\", c: {d: null}, e:: 1})") == "a = [1, 0.10000000000000001]\nb c = \"x\"\nc = {\"d\": None}\n")
        #expect(str("std.manifestPythonVars({})") == "")
        #expect(str("std.manifestPythonVars(1)") == "ERROR: RUNTIME ERROR: Unexpected type number, expected object")
        #expect(str("std.manifestPythonVars({a: std.length})") == "ERROR: RUNTIME ERROR: cannot manifest function")
    }

    @Test func manifestIni() {
        #expect(str("std.manifestIni({main: {a: 1, b: [1, \"x\", 0.1], c: null, d: {x: 1}, e: \"é\", f: true, g: [], h: [[1]]}, sections: {s1: {k: \"v\"}, \"s 2\": {}, s0: {z: [1, 2]}}})") == "a = 1\nb = 1\nb = x\nb = 0.10000000000000001\nc = null\nd = {\"x\": 1}\ne = é\nf = true\nh = [1]\n[s 2]\n[s0]\nz = 1\nz = 2\n[s1]\nk = v\n")
        #expect(str("std.manifestIni({sections: {}})") == "")
        #expect(str("std.manifestIni({main:: {a: 1}, sections:: {b: {c: 2}}})") == "[b]\nc = 2\n")
        #expect(str("std.manifestIni({main: {a:: 1, b: \"x\\ny\"}, sections: {s: {c:: 2}}})") == "b = x\ny\n[s]\n")
        #expect(str("std.manifestIni({sections: {s: {x: [{a: 1}, 1e300]}}})") == "[s]\nx = {\"a\": 1}\nx = 1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160\n")
        #expect(str("std.manifestIni({main: {a: 1}})") == "ERROR: RUNTIME ERROR: Field does not exist: sections")
        #expect(str("std.manifestIni(1)") == "ERROR: RUNTIME ERROR: Unexpected type number, expected object")
        #expect(str("std.manifestIni({sections: {a: 1}})") == "ERROR: RUNTIME ERROR: Unexpected type number, expected object")
        #expect(str("std.manifestIni({main: 1, sections: {}})") == "ERROR: RUNTIME ERROR: Unexpected type number, expected object")
        #expect(str("std.manifestIni({main: {a: function(x) x}, sections: {}})") == "ERROR: RUNTIME ERROR: couldn't manifest function as JSON")
        #expect(str("std.manifestIni({sections: 1})") == "ERROR: RUNTIME ERROR: Unexpected type number, expected object")
    }

    @Test func manifestXmlJsonml() {
        #expect(str("std.manifestXmlJsonml([\"a\", {b: \"<&\\\"x\", c: 1, d: null, e: [1], f: 0.1}, \"t<&>\", [\"c\"], [\"d\", {}], [\"e\", \"x\", [\"f\", {g: true}, \"y\"]]])") == "<a b=\"<&\"x\" c=\"1\" d=\"null\" e=\"[1]\" f=\"0.10000000000000001\">t<&><c></c><d></d><e>x<f g=\"true\">y</f></e></a>")
        #expect(str("std.manifestXmlJsonml([\"é\", {\"x y\": \"é\", h:: 1}])") == "<é x y=\"é\"></é>")
        #expect(str("std.manifestXmlJsonml([[\"a\", [\"b\"]], {x: 1}, \"c\"])") == "<ab x=\"1\">c</ab>")
        #expect(str("std.manifestXmlJsonml(\"x\")") == "ERROR: RUNTIME ERROR: Expected a JSONML value (an array), got string")
        #expect(str("std.manifestXmlJsonml([])") == "ERROR: RUNTIME ERROR: Index 0 out of bounds, not within [0, 0)")
        #expect(str("std.manifestXmlJsonml([\"a\", 1])") == "ERROR: RUNTIME ERROR: Value non indexable: *jsonnet.valueNumber")
        #expect(str("std.manifestXmlJsonml([1])") == "ERROR: RUNTIME ERROR: Expected string or array, got number")
        #expect(str("std.manifestXmlJsonml([\"a\", {}, {}])") == "ERROR: RUNTIME ERROR: Unexpected type number, expected string")
        #expect(str("std.manifestXmlJsonml([\"a\", null])") == "ERROR: RUNTIME ERROR: Value non indexable: *jsonnet.valueNull")
        #expect(str("std.manifestXmlJsonml([{}])") == "ERROR: RUNTIME ERROR: Expected string or array, got object")
        #expect(str("std.manifestXmlJsonml([\"a\", {b: std.length}])") == "ERROR: RUNTIME ERROR: couldn't manifest function as JSON")
        #expect(str("std.manifestXmlJsonml([\"a\", std.length])") == "ERROR: RUNTIME ERROR: Value non indexable: *jsonnet.valueFunction")
        #expect(str("std.manifestXmlJsonml([\"a\", []])") == "ERROR: RUNTIME ERROR: Index 0 out of bounds, not within [0, 0)")
    }

    @Test func manifestToml() {
        #expect(str("std.manifestToml({a: 1, b: \"x\\ny\", c: [1, [2, 3], {x: 1, y: [4]}, []], d: {e: 1, f: {g: 2}, h: [{i: 1}, {}], j: {}}, \"k l\": true, \"é\": 0.1, m: [{n: 1, o: {p: 2}, q: [{r: 3}]}], s: {}, t: [], u: 1e300, v: -0})") == "a = 1\nb = \"x\\ny\"\nc = [\n  1,\n  [ 2, 3 ],\n  { x = 1, y = [ 4 ] },\n  []\n]\n\"k l\" = true\nt = []\nu = 1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160\nv = -0\n\"é\" = 0.10000000000000001\n\n[d]\n  e = 1\n\n  [d.f]\n    g = 2\n\n  [[d.h]]\n    i = 1\n\n  [[d.h]]\n\n  [d.j]\n\n[[m]]\n  n = 1\n\n  [m.o]\n    p = 2\n\n  [[m.q]]\n    r = 3\n\n[s]")
        #expect(str("std.manifestTomlEx({a: {b: {c: [1, {d: [1, 2]}]}}, x: [[1]], y: [{z: [{w: 1}]}]}, \"    \")") == "x = [\n    [ 1 ]\n]\n\n[a]\n\n\n    [a.b]\n        c = [\n            1,\n            { d = [ 1, 2 ] }\n        ]\n\n[[y]]\n\n\n    [[y.z]]\n        w = 1")
        #expect(str("std.manifestTomlEx({a: [1, [2, [3, {}]]], b: {c: [[1, 2], {d: []}]}}, \"\\t\")") == "a = [\n\t1,\n\t[ 2, [ 3, {  } ] ]\n]\n\n[b]\n\tc = [\n\t\t[ 1, 2 ],\n\t\t{ d = [] }\n\t]")
        #expect(str("std.manifestToml({\"\": 1, \"a.b\": 2, \"1\": 3, \"A-_z\": 4, \"a\\\"b\": 5, \"\\u0001\": 6, \"é\": 7})") == "'' = 1\n\"\\u0001\" = 6\n1 = 3\nA-_z = 4\n\"a\\\"b\" = 5\n\"a.b\" = 2\n\"é\" = 7")
        #expect(str("std.manifestToml({a: [{}], b: {c: {}}, d: [1, {}], e: [[], {}], f: [{x:: 1}]})") == "d = [\n  1,\n  {  }\n]\ne = [\n  [],\n  {  }\n]\n\n[[a]]\n\n[b]\n\n\n  [b.c]\n\n[[f]]")
        #expect(str("std.manifestToml({\"a b\": [{\"c.d\": {\"\": 1}}]})") == "\n\n[[\"a b\"]]\n\n\n  [\"a b\".\"c.d\"]\n    '' = 1")
        #expect(str("std.manifestToml({})") == "")
        #expect(str("std.manifestToml({a: {}})") == "\n\n[a]")
        #expect(str("std.manifestToml({a: 1, b:: 2})") == "a = 1")
        #expect(str("std.manifestToml({a: null})") == "ERROR: RUNTIME ERROR: Tried to manifest \"null\" at [a]")
        #expect(str("std.manifestToml({a: [[{b: [{c: null}]}]]})") == "ERROR: RUNTIME ERROR: Tried to manifest \"null\" at [a 0 0 b 0 c]")
        #expect(str("std.manifestToml({a: {b: [1, {c: function(x) x}]}})") == "ERROR: RUNTIME ERROR: Tried to manifest function at [a b 1 c]")
        #expect(str("std.manifestToml({m: [{n: 1}, {o: [{p: function(x) x}]}]})") == "ERROR: RUNTIME ERROR: Tried to manifest function at [m 1 o 0 p]")
        #expect(str("std.manifestToml({\"\": {\"x\": {\"y\": null}}, b: [{c: null}]})") == "ERROR: RUNTIME ERROR: Tried to manifest \"null\" at [ x y]")
        #expect(str("std.manifestToml([])") == "ERROR: RUNTIME ERROR: TOML body must be an object. Got array")
        #expect(str("std.manifestTomlEx(1, \" \")") == "ERROR: RUNTIME ERROR: TOML body must be an object. Got number")
        #expect(str("std.manifestTomlEx({a: 1}, 1)") == "ERROR: RUNTIME ERROR: Unexpected type number, expected string")
    }
}
