import GoFormats
import JaaSArtifacts
import JaaSCore
import JaaSOperatorAPI
import JaaSRenderer
import Jsonnet
import Kubernetes
import Logging
import ServiceLifecycle

/// The `--enable-mcp` flags once checked: where the MCP server listens and how it
/// treats its callers (docs/mcp.md).
public struct MCPHTTPSettings: Sendable, Equatable {
    /// How MCP requests over HTTP authenticate (`--mcp-authentication`).
    public enum Authentication: String, Sendable {
        /// A bearer token reviewed with TokenReview; the tools act as its user.
        case kubernetes
        /// None: the tools act with the operator's rights (loopback binds only).
        case none
    }

    /// The host of `--mcp-bind-address`.
    public var host: String
    /// The port of `--mcp-bind-address`.
    public var port: Int
    /// `--mcp-allow-mutations`.
    public var allowMutations: Bool
    /// `--mcp-authentication`.
    public var authentication: Authentication
    /// `--mcp-token-audience`, without empty ones.
    public var audiences: [String]
    /// `--mcp-max-concurrent-evals-per-caller`.
    public var maxConcurrentEvalsPerCaller: Int
    /// `--mcp-evals-per-minute-per-caller`.
    public var evalsPerMinutePerCaller: Int

    /// Whether `host` only accepts connections from this machine.
    public static func isLoopback(_ host: String) -> Bool {
        ["127.0.0.1", "::1", "localhost"].contains(host.lowercased())
    }

    /// The settings the flags of the same names give; nil when MCP is off
    /// (`operatorMode` is `--enable-flux-integration`). Throws the ``FlagError`` of
    /// the first rule broken: MCP needs operator mode, mutations need MCP, and no
    /// authentication needs a loopback bind address.
    public static func checked(enableMcp: String, mcpBindAddress: String, mcpAllowMutations: String,
                               mcpAuthentication: String, mcpTokenAudience: [String], mcpMaxConcurrentEvalsPerCaller: Int,
                               mcpEvalsPerMinutePerCaller: Int, operatorMode: Bool) throws(FlagError) -> MCPHTTPSettings? {
        let enabled = try FlagValues.checkedBoolean(enableMcp, "--enable-mcp")
        let mutations = try FlagValues.checkedBoolean(mcpAllowMutations, "--mcp-allow-mutations")
        let address = try FlagValues.check(FlagValues.hostAndPort(mcpBindAddress), "--mcp-bind-address", mcpBindAddress,
                                           "must be host:port or :port")
        let authentication = try FlagValues.check(Authentication(rawValue: mcpAuthentication), "--mcp-authentication",
                                                  mcpAuthentication, "must be kubernetes or none")
        guard mcpMaxConcurrentEvalsPerCaller >= 0 else {
            throw FlagError("--mcp-max-concurrent-evals-per-caller \(mcpMaxConcurrentEvalsPerCaller): must not be negative")
        }
        guard mcpEvalsPerMinutePerCaller >= 0 else {
            throw FlagError("--mcp-evals-per-minute-per-caller \(mcpEvalsPerMinutePerCaller): must not be negative")
        }
        if mutations && !enabled { throw FlagError("--mcp-allow-mutations: requires --enable-mcp") }
        guard enabled else { return nil }
        guard operatorMode else { throw FlagError("--enable-mcp: requires --enable-flux-integration") }
        if authentication == .none && !isLoopback(address.host) {
            throw FlagError("--mcp-authentication=none: needs a loopback --mcp-bind-address (127.0.0.1, [::1] or localhost; reach it with kubectl port-forward), not \(mcpBindAddress)")
        }
        return MCPHTTPSettings(host: address.host, port: address.port, allowMutations: mutations,
                               authentication: authentication, audiences: mcpTokenAudience.filter { !$0.isEmpty },
                               maxConcurrentEvalsPerCaller: mcpMaxConcurrentEvalsPerCaller,
                               evalsPerMinutePerCaller: mcpEvalsPerMinutePerCaller)
    }
}

/// The MCP server of `--enable-mcp`: the render tools (evaluating like the operator:
/// in `workers`, importing only the aliases of `libraryPaths`, under `gate`, within
/// per-caller limits) and the snippet tools over `storage` in `namespaces`, acting as
/// each request's caller (TokenReview, then impersonation), or with the operator's
/// credentials (`kubeconfig`) under `--mcp-authentication=none`; `get_snippet`'s
/// `runbookURL` starts with `runbookBase` (`--runbook-base-url`).
public func mcpHTTPService(_ options: MCPHTTPSettings, kubeconfig: String?, storage: any ArtifactStorage,
                           namespaces: [String], libraryPaths: [String], externalVariables: [String: ExternalValue],
                           maxStack: Int, memoryLimit: Int?, evaluationTimeout: Duration?, workers: WorkerPool?,
                           gate: EvaluationGate, version: String, runbookBase: String = RunbookLinks.defaultBase,
                           logger: Logger) throws -> any Service {
    let client = try KubeClient(config: try KubeConfig.load(kubeconfigPath: kubeconfig), logger: logger)
    let evaluator = JsonnetEvaluator(imports: .libraries(try loadLibraryAliases(libraryPaths)),
                                     externalVariables: externalVariables, maxStack: maxStack,
                                     memoryLimit: memoryLimit, gate: gate, workers: workers)
    let snippets = SnippetTools(client: client, storage: storage, namespaces: namespaces,
                                allowMutations: options.allowMutations, runbookBase: runbookBase)
    let limits = CallerEvaluationLimits(maxConcurrent: options.maxConcurrentEvalsPerCaller,
                                        perMinute: options.evalsPerMinutePerCaller)
    let toolbox = MCPToolbox(evaluator: evaluator, snippets: snippets, version: version, limits: limits)
    let authenticator: (any MCPAuthenticator)? = switch options.authentication {
    case .kubernetes: TokenReviewAuthenticator(client: client, audiences: options.audiences)
    case .none: nil
    }
    // Room for the longest evaluation plus the API calls around it.
    let deadline = (evaluationTimeout ?? .seconds(60)) + .seconds(30)
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
