import JaaSArtifacts
import JaaSCore
import JaaSMCP
import JaaSOperatorAPI
import JaaSRenderer
import Jsonnet
import Kubernetes
import Logging
import ServiceLifecycle

/// What the console shows in operator mode: the snippets of the watched
/// namespaces and their published output.
public struct ConsoleOperatorSources: Sendable {
    /// Where the artifacts are stored.
    public var storage: any ArtifactStorage
    /// `--watch-namespaces` (empty = all).
    public var namespaces: [String]
    /// `--runbook-base-url`.
    public var runbookBase: String

    /// The sources of an operator storing in `storage` and watching `namespaces`.
    public init(storage: any ArtifactStorage, namespaces: [String], runbookBase: String = RunbookLinks.defaultBase) {
        self.storage = storage
        self.namespaces = namespaces
        self.runbookBase = runbookBase
    }
}

/// What the console's render form evaluates with: the renderer's snippets, its
/// evaluator (gate, workers, cache) and evaluation settings.
public struct ConsoleRendererSources: Sendable {
    /// `--snippet` and `--snippet-directory`.
    public var resolver: SnippetResolver
    /// The renderer's evaluator.
    public var renderer: FileRenderer
    /// `--jpath`.
    public var libraryPaths: [String]
    /// `--ext-str` and friends (the form's own win).
    public var externalVariables: [String: ExternalValue]
    /// `--max-stack`.
    public var maxStack: Int
    /// `--evaluation-memory-limit`.
    public var memoryLimit: Int?

    /// The form's evaluation settings.
    public init(resolver: SnippetResolver, renderer: FileRenderer, libraryPaths: [String],
                externalVariables: [String: ExternalValue], maxStack: Int, memoryLimit: Int?) {
        self.resolver = resolver
        self.renderer = renderer
        self.libraryPaths = libraryPaths
        self.externalVariables = externalVariables
        self.maxStack = maxStack
        self.memoryLimit = memoryLimit
    }
}

/// Why the console cannot start.
public struct ConsoleStartError: Error, CustomStringConvertible {
    /// What is wrong and what to do.
    public let description: String
}

/// The web console of `--enable-ui` (docs/ui.md): the cluster's snippets when
/// `operatorSources` is given (operator mode), the snippets on disk always. With
/// `--ui-authentication=kubernetes` visitors' tokens are reviewed with TokenReview
/// through the credentials of `kubeconfig` (else KUBECONFIG, else in-cluster), and in
/// operator mode pages read as the visitor.
public func consoleService(_ settings: ConsoleSettings, kubeconfig: String?, operatorSources: ConsoleOperatorSources?,
                           rendererSources: ConsoleRendererSources, logger: Logger) throws -> any Service {
    let client: KubeClient?
    do {
        client = operatorSources != nil || settings.authentication == .kubernetes
            ? try KubeClient(config: try KubeConfig.load(kubeconfigPath: kubeconfig), logger: logger) : nil
    } catch {
        throw ConsoleStartError(description: "--enable-ui: --ui-authentication=kubernetes checks visitors' tokens with the cluster's TokenReview API, and no cluster credentials were found (\(error)); give --kubeconfig, or use --ui-authentication=none with a loopback --ui-bind-address")
    }
    let authenticator: (any MCPAuthenticator)? = switch settings.authentication {
    case .kubernetes: client.map { TokenReviewAuthenticator(client: $0, audiences: settings.audiences) }
    case .none: nil
    }
    let operatorPages = operatorSources.flatMap { sources in
        client.map { client in
            OperatorPages(tools: SnippetTools(client: client, storage: sources.storage, namespaces: sources.namespaces,
                                              allowMutations: false, runbookBase: sources.runbookBase))
        }
    }
    let rendererPages = RendererPages(rendererSources)
    let server = ConsoleServer(access: ConsoleAccess(authenticator: authenticator), operatorPages: operatorPages,
                               rendererPages: rendererPages)
    let mode = settings.authentication.rawValue
    let serve = TaskService {
        try await server.run(host: settings.host, port: settings.port, logger: logger) { port in
            logger.info("web console listening", metadata: ["port": "\(port)", "path": "/ui/", "authentication": "\(mode)",
                                                            "mode": "\(operatorPages == nil ? "renderer" : "operator")"])
        }
    }
    return TaskService {
        do {
            try await serve.run()
        } catch {
            try? await client?.shutdown()
            throw error
        }
        try? await client?.shutdown()
    }
}
