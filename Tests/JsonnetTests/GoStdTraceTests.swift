import Testing

/// Errors raised where go-jsonnet runs its std library's Jsonnet code print go's
/// `<std>` frames (texts recorded from go-jsonnet 0.22 through the gojsonnet binding).
@Suite struct GoStdTraceTests {
    @Test func moduloOperatorTracesThroughStdMod() {
        #expect(diagnostic("42 % 0")
            == "RUNTIME ERROR: Division by zero.\n\t<std>:259:7-23\tfunction <anonymous>\n\tf.jsonnet:1:1-7\t\n\tDuring evaluation\t\n")
        #expect(diagnostic("{} % 1")
            == "RUNTIME ERROR: Operator % cannot be used on types object and number.\n\t<std>:263:7-94\tfunction <anonymous>\n\tf.jsonnet:1:1-7\t\n\tDuring evaluation\t\n")
    }

    @Test func assertEqualFrame() {
        #expect(diagnostic("std.assertEqual(1, 2)")
            == "RUNTIME ERROR: Assertion failed. 1 != 2\n\t<std>:861:7-56\tfunction <anonymous>\n\tf.jsonnet:1:1-22\t$\n\tDuring evaluation\t\n")
    }

    @Test func formatFramesDependOnTheErrorSiteAndValues() {
        #expect(diagnostic("\"x\" % 42")
            == "RUNTIME ERROR: Too many values to format: 1, expected 0\n\t<std>:727:11-86\tfunction <format_codes_arr>\n\t<std>:733:11-59\tfunction <format_codes_arr>\n\t<std>:824:7-48\tfunction <anonymous>\n\t<std>:261:7-23\tfunction <anonymous>\n\tf.jsonnet:1:1-9\t\n\tDuring evaluation\t\n")
        #expect(diagnostic("std.format('%-5d', ['a'])")
            == "RUNTIME ERROR: Format required number at 0, got string\n\t<std>:(638:11)-(639:47)\tfunction <format_code>\n\t<std>:765:15-60\tthunk <s> from <function <format_codes_arr>>\n\t<std>:768:25-26\tthunk from <thunk <s_padded> from <function <format_codes_arr>>>\n\t<std>:527:7-10\tfunction <pad_right>\n\t<std>:768:15-40\tthunk <s_padded> from <function <format_codes_arr>>\n\t<std>:776:55-63\tthunk from <function <format_codes_arr>>\n\t<std>:776:11-64\tfunction <format_codes_arr>\n\t<std>:820:7-46\tfunction <anonymous>\n\tf.jsonnet:1:1-26\t$\n\tDuring evaluation\t\n")
        #expect(diagnostic("std.format('%(a)-5x', {a: 'x'})")
            == "RUNTIME ERROR: Format required number at a, got string\n\t<std>:(651:11)-(652:47)\tfunction <format_code>\n\t<std>:811:15-50\tthunk <s> from <function <format_codes_obj>>\n\t<std>:814:25-26\tthunk from <thunk <s_padded> from <function <format_codes_obj>>>\n\t<std>:527:7-10\tfunction <pad_right>\n\t<std>:814:15-36\tthunk <s_padded> from <function <format_codes_obj>>\n\t<std>:817:51-59\tthunk from <function <format_codes_obj>>\n\t<std>:817:11-60\tfunction <format_codes_obj>\n\t<std>:822:7-43\tfunction <anonymous>\n\tf.jsonnet:1:1-32\t$\n\tDuring evaluation\t\n")
    }

    @Test func leftAlignedStarWidthMissesTheValueFirst() {
        #expect(diagnostic("std.format('%-*d', [])").hasPrefix("RUNTIME ERROR: Not enough values to format: 0, expected more than 1\n\t<std>:760:15-103\t"))
    }

    @Test func errorsFromUserCodeKeepTheirOwnFrames() {
        #expect(diagnostic("std.format('%s', [error 'e'])").hasPrefix("RUNTIME ERROR: e\n\tf.jsonnet:1:19-28\t"))
    }
}
