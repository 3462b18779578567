import ArgumentParser
import JaaSArtifacts
import JaaSCore
import JaaSMCP
import JaaSRenderer
import Kubernetes
import Logging
import ServiceLifecycle

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

    /// How MCP requests over HTTP authenticate (`--mcp-authentication`).
    enum Authentication: String {
        /// A bearer token reviewed with TokenReview; the tools act as its user.
        case kubernetes
        /// None: the tools act with the operator's rights (loopback binds only).
        case none
    }

    /// What the flags mean once checked.
    struct Checked {
        var host: String
        var port: Int
        var allowMutations: Bool
        var authentication: Authentication
        var audiences: [String]
        var maxConcurrentEvalsPerCaller: Int
        var evalsPerMinutePerCaller: Int
    }

    /// Whether `host` only accepts connections from this machine.
    static func isLoopback(_ host: String) -> Bool {
        ["127.0.0.1", "::1", "localhost"].contains(host.lowercased())
    }

    /// nil when MCP is off; `operatorMode` is `--enable-flux-integration`.
    func checked(operatorMode: Bool) throws -> Checked? {
        guard let enabled = FlagValues.boolean(enableMcp) else {
            throw ValidationError("--enable-mcp \(enableMcp): must be true or false")
        }
        guard let mutations = FlagValues.boolean(mcpAllowMutations) else {
            throw ValidationError("--mcp-allow-mutations \(mcpAllowMutations): must be true or false")
        }
        guard let address = FlagValues.hostAndPort(mcpBindAddress) else {
            throw ValidationError("--mcp-bind-address \(mcpBindAddress): must be host:port or :port")
        }
        guard let authentication = Authentication(rawValue: mcpAuthentication) else {
            throw ValidationError("--mcp-authentication \(mcpAuthentication): must be kubernetes or none")
        }
        guard mcpMaxConcurrentEvalsPerCaller >= 0 else {
            throw ValidationError("--mcp-max-concurrent-evals-per-caller \(mcpMaxConcurrentEvalsPerCaller): must not be negative")
        }
        guard mcpEvalsPerMinutePerCaller >= 0 else {
            throw ValidationError("--mcp-evals-per-minute-per-caller \(mcpEvalsPerMinutePerCaller): must not be negative")
        }
        if mutations && !enabled { throw ValidationError("--mcp-allow-mutations: requires --enable-mcp") }
        guard enabled else { return nil }
        guard operatorMode else { throw ValidationError("--enable-mcp: requires --enable-flux-integration") }
        if authentication == .none && !Self.isLoopback(address.host) {
            throw ValidationError("--mcp-authentication=none: needs a loopback --mcp-bind-address (127.0.0.1, [::1] or localhost; reach it with kubectl port-forward), not \(mcpBindAddress)")
        }
        return Checked(host: address.host, port: address.port, allowMutations: mutations, authentication: authentication,
                       audiences: mcpTokenAudience.filter { !$0.isEmpty },
                       maxConcurrentEvalsPerCaller: mcpMaxConcurrentEvalsPerCaller,
                       evalsPerMinutePerCaller: mcpEvalsPerMinutePerCaller)
    }
}

/// The MCP server of `--enable-mcp`: the render tools (evaluating like the
/// operator: in `workers`, importing only the `--library-path` aliases, under
/// `gate`, within per-caller limits) and the snippet tools, acting as each request's
/// caller (TokenReview, then impersonation), or with the operator's credentials
/// under `--mcp-authentication=none`.
func mcpService(_ options: MCPOptions.Checked, operator op: OperatorConfiguration, renderer: RendererConfiguration,
                workers: WorkerPool?, gate: EvaluationGate, logger: Logger) throws -> any Service {
    let client = try KubeClient(config: try KubeConfig.load(kubeconfigPath: op.kubeconfig), logger: logger)
    let evaluator = JsonnetEvaluator(imports: .libraries(try loadLibraryAliases(op.libraryPaths)),
                                     externalVariables: renderer.externalVariables, maxStack: renderer.maxStack,
                                     memoryLimit: renderer.evaluationMemoryLimit, gate: gate, workers: workers)
    let snippets = SnippetTools(client: client, storage: op.storage, namespaces: op.controller.namespaces,
                                allowMutations: options.allowMutations, runbookBase: op.runbookBaseURL)
    let limits = CallerEvaluationLimits(maxConcurrent: options.maxConcurrentEvalsPerCaller,
                                        perMinute: options.evalsPerMinutePerCaller)
    let toolbox = MCPToolbox(evaluator: evaluator, snippets: snippets, version: BuildInfo.version, limits: limits)
    let authenticator: (any MCPAuthenticator)? = switch options.authentication {
    case .kubernetes: TokenReviewAuthenticator(client: client, audiences: options.audiences)
    case .none: nil
    }
    // Room for the longest evaluation plus the API calls around it.
    let deadline = (renderer.evaluationTimeout ?? .seconds(60)) + .seconds(30)
    let server = MCPHTTPServer(toolbox: toolbox, host: options.host, port: options.port, requestDeadline: deadline,
                               authenticator: authenticator) {
        [ConnectionDeadlineHandler(readTimeout: .seconds(30), writeTimeout: deadline + .seconds(5))]
    }
    let mutations = options.allowMutations
    let mode = options.authentication.rawValue
    let serve = TaskService {
        try await server.run(logger: logger) { port in
            logger.info("MCP server listening", metadata: ["port": "\(port)", "path": "\(MCPHTTPServer.path)",
                                                           "mutations": "\(mutations)", "authentication": "\(mode)"])
        }
    }
    return TaskService {
        // The client outlives the server that uses it, however the server ends.
        do {
            try await serve.run()
        } catch {
            try? await client.shutdown()
            throw error
        }
        try? await client.shutdown()
    }
}
