@testable import JaaSMCP
import MCP
import Testing

/// Which browser origins may drive the HTTP endpoint.
struct SameOriginTests {
    func verdict(origin: String?, host: String = "jaas-mcp.jaas-system:8084") -> Int? {
        var headers = ["Host": host]
        headers["Origin"] = origin
        let request = MCP.HTTPRequest(method: "POST", headers: headers, body: nil, path: "/mcp")
        return SameOriginValidator().validate(request, context: HTTPValidationContext(httpMethod: "POST"))?.statusCode
    }

    @Test func noOriginTheSameOriginAndLoopbackPagesPass() {
        #expect(verdict(origin: nil) == nil, "non-browser clients send no Origin")
        #expect(verdict(origin: "http://jaas-mcp.jaas-system:8084") == nil)
        #expect(verdict(origin: "http://localhost:6274") == nil)
        #expect(verdict(origin: "http://127.0.0.1:3000") == nil)
        #expect(verdict(origin: "http://[::1]:3000") == nil)
    }

    @Test func otherOriginsAreForbidden() {
        #expect(verdict(origin: "https://evil.example") == 403)
        #expect(verdict(origin: "http://localhost.evil.example") == 403)
        #expect(verdict(origin: "http://jaas-mcp.jaas-system:9999") == 403)
        #expect(verdict(origin: "null") == 403)
        #expect(verdict(origin: "") == 403)
    }
}
