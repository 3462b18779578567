import ArgumentParser
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

    /// The boolean flags, for ``BooleanFlags``.
    static let booleanFlags: Set<String> = ["enable-mcp", "mcp-allow-mutations"]

    /// What the flags mean once checked.
    struct Checked {
        var host: String
        var port: Int
        var allowMutations: Bool
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
        if mutations && !enabled { throw ValidationError("--mcp-allow-mutations: requires --enable-mcp") }
        guard enabled else { return nil }
        guard operatorMode else { throw ValidationError("--enable-mcp: requires --enable-flux-integration") }
        return Checked(host: address.host, port: address.port, allowMutations: mutations)
    }
}

/// The MCP server of `--enable-mcp`: the render tools (evaluating like the
/// operator: in `workers`, importing only the `--library-path` aliases, under
/// `gate`) and the snippet tools, acting with the operator's credentials.
func mcpService(_ options: MCPOptions.Checked, operator op: OperatorConfiguration, renderer: RendererConfiguration,
                workers: WorkerPool?, gate: EvaluationGate, logger: Logger) throws -> any Service {
    let client = try KubeClient(config: try KubeConfig.load(kubeconfigPath: op.kubeconfig), logger: logger)
    let evaluator = JsonnetEvaluator(imports: .libraries(try loadLibraryAliases(op.libraryPaths)),
                                     externalVariables: renderer.externalVariables, maxStack: renderer.maxStack,
                                     memoryLimit: renderer.evaluationMemoryLimit, gate: gate, workers: workers)
    let snippets = SnippetTools(client: client, storage: op.storage, namespaces: op.controller.namespaces,
                                allowMutations: options.allowMutations)
    let toolbox = MCPToolbox(evaluator: evaluator, snippets: snippets, version: BuildInfo.version)
    // Room for the longest evaluation plus the API calls around it.
    let deadline = (renderer.evaluationTimeout ?? .seconds(60)) + .seconds(30)
    let server = MCPHTTPServer(toolbox: toolbox, host: options.host, port: options.port, requestDeadline: deadline) {
        [ConnectionDeadlineHandler(readTimeout: .seconds(30), writeTimeout: deadline + .seconds(5))]
    }
    let mutations = options.allowMutations
    let serve = TaskService {
        try await server.run(logger: logger) { port in
            logger.info("MCP server listening", metadata: ["port": "\(port)", "path": "\(MCPHTTPServer.path)",
                                                           "mutations": "\(mutations)"])
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
