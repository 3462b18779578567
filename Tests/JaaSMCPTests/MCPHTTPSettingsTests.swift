import GoFormats
import JaaSMCP
import Testing

/// The rules of the `--enable-mcp` flags, in process.
@Suite struct MCPHTTPSettingsTests {
    func settings(enable: String = "true", bind: String = ":8084", mutations: String = "false",
                  authentication: String = "kubernetes", audiences: [String] = [], perCaller: Int = 2,
                  perMinute: Int = 60, operatorMode: Bool = true) throws(FlagError) -> MCPHTTPSettings? {
        try MCPHTTPSettings.checked(enableMcp: enable, mcpBindAddress: bind, mcpAllowMutations: mutations,
                                    mcpAuthentication: authentication, mcpTokenAudience: audiences,
                                    mcpMaxConcurrentEvalsPerCaller: perCaller, mcpEvalsPerMinutePerCaller: perMinute,
                                    operatorMode: operatorMode)
    }

    @Test func offUnlessEnabled() throws {
        #expect(try settings(enable: "false") == nil)
        #expect(try settings(enable: "false", operatorMode: false) == nil)
        let on = try #require(try settings(audiences: ["", "api"]))
        // `:8084` is every interface, IPv6 and IPv4, as Go listens.
        #expect(on.host == GoListen.wildcardHost && on.port == 8084 && on.audiences == ["api"] && on.authentication == .kubernetes)
    }

    @Test func theRulesBetweenFlags() {
        #expect(throws: FlagError("--enable-mcp: requires --enable-flux-integration")) {
            try settings(operatorMode: false)
        }
        #expect(throws: FlagError("--mcp-allow-mutations: requires --enable-mcp")) {
            try settings(enable: "false", mutations: "true")
        }
        #expect(throws: (any Error).self) { try settings(bind: ":8084", authentication: "none") }
        #expect(throws: FlagError("--mcp-authentication token: must be kubernetes or none")) {
            try settings(authentication: "token")
        }
        #expect(throws: FlagError("--mcp-evals-per-minute-per-caller -1: must not be negative")) {
            try settings(perMinute: -1)
        }
    }

    @Test func noAuthenticationOnlyOnLoopback() throws {
        #expect(try settings(bind: "127.0.0.1:9", authentication: "none")?.authentication == MCPHTTPSettings.Authentication.none)
        #expect(try settings(bind: "[::1]:9", authentication: "none")?.host == "::1")
        #expect(MCPHTTPSettings.isLoopback("LOCALHOST"))
        #expect(!MCPHTTPSettings.isLoopback("0.0.0.0"))
    }
}
