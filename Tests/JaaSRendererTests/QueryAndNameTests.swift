import Testing
@testable import JaaSRenderer

@Suite struct QueryArgumentsTests {
    @Test func splitsLikeGo() {
        let arguments = QueryArguments.parse("a=1&b&c=x+y%21&t=1&t=2&=skipped&bad=%zz&semi=1;2")
        #expect(arguments["a"] == .string("1"))
        #expect(arguments["b"] == .string(""))
        #expect(arguments["c"] == .string("x y!"))
        #expect(arguments["t"] == .code("[\"1\", \"2\"]"))
        #expect(arguments[""] == nil)
        #expect(arguments["bad"] == nil)
        #expect(arguments["semi"] == nil)
        #expect(QueryArguments.parse(nil).isEmpty)
    }

    @Test func pathDecodingKeepsPlusSigns() {
        #expect(percentDecode("a+b%2Fc", plusAsSpace: false) == "a+b/c")
        #expect(percentDecode("%4", plusAsSpace: false) == nil)
    }
}

@Suite struct SnippetNameTests {
    @Test func onlyRelativeNamesWithoutDotSegmentsAreConfined() {
        for name in ["a", "a/b", "a.b/c-d", "..data"] { #expect(SnippetResolver.isConfinedName(name), "\(name)") }
        for name in ["", "/a", "a/", "a//b", ".", "..", "a/../b", "./a", "a/.", "a\u{0}b"] {
            #expect(!SnippetResolver.isConfinedName(name), "\(name)")
        }
    }

    @Test func snippetFilesAreServedUnderTheirNormalizedPath() {
        #expect(SnippetResolver.requestName(forFile: "./examples/a.jsonnet") == "examples/a.jsonnet")
        #expect(SnippetResolver.requestName(forFile: "/srv//x.jsonnet") == "srv/x.jsonnet")
    }
}
