import ArgumentParser
import JaaSConsole

/// The web console's flags (docs/ui.md): server-rendered pages under `/ui/`.
struct UIOptions: ParsableArguments {
    @Option(help: "Serve the web console under /ui/ on --ui-bind-address: the cluster's snippets in operator mode, the snippets on disk in both modes (bare, or =true/false).")
    var enableUi = "false"

    @Option(help: "host:port of the web console (':port' = every interface).")
    var uiBindAddress = ":8085"

    @Option(help: "How console visitors authenticate: kubernetes (a bearer token, from the Authorization header or the sign-in form's cookie, checked with TokenReview; operator-mode pages read with the visitor's RBAC through impersonation) or none (the operator's rights; only with a loopback --ui-bind-address, for kubectl port-forward).")
    var uiAuthentication = "kubernetes"

    @Option(help: "An audience console tokens must be valid for (repeatable; default: the API server's own audiences).")
    var uiTokenAudience: [String] = []

    /// The boolean flags, for ``BooleanFlags``.
    static let booleanFlags: Set<String> = ["enable-ui"]

    /// nil when the console is off (the rules are ``ConsoleSettings``').
    func checked() throws -> ConsoleSettings? {
        try ConsoleSettings.checked(enableUi: enableUi, uiBindAddress: uiBindAddress, uiAuthentication: uiAuthentication,
                                    uiTokenAudience: uiTokenAudience)
    }
}
