import ArgumentParser
import JaaSMCP

/// The operator's MCP flags (issue 14): streamable HTTP at `/mcp`.
struct MCPOptions: ParsableArguments {
    @Option(help: "Serve the MCP tools over streamable HTTP at /mcp on --mcp-bind-address (needs --enable-flux-integration; bare, or =true/false).")
    var enableMcp = "false"

    @Option(help: "host:port of the MCP server (':port' = every interface).")
    var mcpBindAddress = ":8084"

    @Option(help: "Also offer reconcile_snippet, suspend_snippet and resume_snippet, each recorded as an Event (needs --enable-mcp; bare, or =true/false).")
    var mcpAllowMutations = "false"

    @Option(help: "How MCP requests over HTTP authenticate: kubernetes (a bearer token checked with TokenReview; the tools act with the caller's RBAC through impersonation) or none (the operator's rights; only with a loopback --mcp-bind-address, for kubectl port-forward).")
    var mcpAuthentication = "kubernetes"

    @Option(help: "An audience bearer tokens must be valid for (repeatable; default: the API server's own audiences).")
    var mcpTokenAudience: [String] = []

    @Option(help: "render_jsonnet and validate_jsonnet evaluations one caller may run at once (0 = no cap).")
    var mcpMaxConcurrentEvalsPerCaller = 2

    @Option(help: "render_jsonnet and validate_jsonnet evaluations one caller may start a minute, in bursts of up to a third of that (0 = no cap).")
    var mcpEvalsPerMinutePerCaller = 60

    /// The boolean flags, for ``BooleanFlags``.
    static let booleanFlags: Set<String> = ["enable-mcp", "mcp-allow-mutations"]

    /// nil when MCP is off; `operatorMode` is `--enable-flux-integration` (the rules are ``MCPHTTPSettings``').
    func checked(operatorMode: Bool) throws -> MCPHTTPSettings? {
        try MCPHTTPSettings.checked(
            enableMcp: enableMcp, mcpBindAddress: mcpBindAddress, mcpAllowMutations: mcpAllowMutations,
            mcpAuthentication: mcpAuthentication, mcpTokenAudience: mcpTokenAudience,
            mcpMaxConcurrentEvalsPerCaller: mcpMaxConcurrentEvalsPerCaller,
            mcpEvalsPerMinutePerCaller: mcpEvalsPerMinutePerCaller, operatorMode: operatorMode)
    }
}
