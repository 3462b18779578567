import Logging
import MCP

/// MCP's JSON value, the type of tool arguments and results (Jsonnet has a `Value` too).
typealias Value = MCP.Value

/// The tools one MCP server offers: the render tools always, the snippet tools in
/// operator mode. Each MCP ``Server`` made from it answers `tools/list` and `tools/call`.
public struct MCPToolbox: Sendable {
    let render: RenderTools
    let snippets: SnippetTools?
    let version: String
    /// Per-caller limits on evaluations (nil: only the evaluator's own gate).
    let limits: CallerEvaluationLimits?

    /// Tools evaluating with `evaluator`, plus `snippets` when given; `version` is
    /// what `initialize` reports; `limits` caps each caller's evaluations.
    public init(evaluator: JsonnetEvaluator, snippets: SnippetTools? = nil, version: String,
                limits: CallerEvaluationLimits? = nil) {
        render = RenderTools(evaluator: evaluator)
        self.snippets = snippets
        self.version = version
        self.limits = limits
    }

    /// What `tools/list` answers.
    var tools: [Tool] { RenderTools.tools + (snippets?.tools ?? []) }

    /// Runs one tool call for `caller`; an unknown tool is a protocol error.
    func call(_ name: String, _ arguments: [String: Value]?, caller: MCPCaller = .anonymous) async throws -> CallTool.Result {
        switch name {
        case "render_jsonnet": return await limited(caller) { await render.render(arguments) }
        case "validate_jsonnet": return await limited(caller) { await render.validate(arguments) }
        default:
            if let snippets, let result = await snippets.acting(as: caller.user).call(name, arguments ?? [:]) { return result }
            throw MCPError.invalidParams("unknown tool \"\(name.prefix(100))\"")
        }
    }

    /// Runs an evaluation within `caller`'s limits; over them, a tool error.
    private func limited(_ caller: MCPCaller, _ evaluate: () async -> CallTool.Result) async -> CallTool.Result {
        guard let limits else { return await evaluate() }
        if let refusal = await limits.acquire(caller.limitKey) { return .failure("evaluation refused: \(refusal)") }
        let result = await evaluate()
        await limits.release(caller.limitKey)
        return result
    }

    /// A new MCP server offering these tools to `caller` (not started).
    public func makeServer(caller: MCPCaller = .anonymous) async -> Server {
        let server = Server(name: "jaas", version: version,
                            instructions: "Jsonnet as a Service: render and validate Jsonnet"
                                + (snippets == nil ? "." : ", and inspect the operator's JsonnetSnippets."),
                            capabilities: .init(tools: .init(listChanged: false)))
        let toolbox = self
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: toolbox.tools) }
        await server.withMethodHandler(CallTool.self) { params in try await toolbox.call(params.name, params.arguments, caller: caller) }
        return server
    }

    /// Serves one client over stdin and stdout until stdin ends, then answers the
    /// requests still running (each ends by the evaluation timeout, which also bounds the wait).
    /// Nothing else may write to stdout meanwhile: it carries the protocol.
    public func serveStandardIO(logger: Logger) async throws {
        let server = await makeServer()
        let transport = DrainingTransport(StdioTransport(logger: logger), logger: logger)
        try await server.start(transport: transport)
        await server.waitUntilCompleted()
        await transport.drained(within: (render.evaluator.gate.timeout ?? .seconds(60)) + .seconds(5))
        await server.stop()
    }
}

extension Tool.Content {
    /// Text content without annotations.
    static func plain(_ text: String) -> Self { .text(text: text, annotations: nil, _meta: nil) }
}
