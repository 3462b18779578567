import GoFormats
import JaaSMCP

/// The `--enable-ui` flags once checked: where the web console listens and how it
/// knows who is looking (docs/ui.md).
public struct ConsoleSettings: Sendable, Equatable {
    /// How the console authenticates its visitors (`--ui-authentication`).
    public enum Authentication: String, Sendable {
        /// A Kubernetes bearer token (header or sign-in cookie) reviewed with
        /// TokenReview; in operator mode every page reads as that user (impersonation).
        case kubernetes
        /// None: pages read with the operator's rights (loopback binds only).
        case none
    }

    /// The host of `--ui-bind-address`.
    public var host: String
    /// The port of `--ui-bind-address`.
    public var port: Int
    /// `--ui-authentication`.
    public var authentication: Authentication
    /// `--ui-token-audience`, without empty ones.
    public var audiences: [String]

    /// The settings the flags of the same names give; nil when the console is off.
    /// Throws the ``FlagError`` of the first rule broken: a well-formed address, a
    /// known authentication, and no authentication only on a loopback address.
    public static func checked(enableUi: String, uiBindAddress: String, uiAuthentication: String,
                               uiTokenAudience: [String]) throws(FlagError) -> ConsoleSettings? {
        let enabled = try FlagValues.checkedBoolean(enableUi, "--enable-ui")
        let address = try FlagValues.check(FlagValues.hostAndPort(uiBindAddress), "--ui-bind-address", uiBindAddress,
                                           "must be host:port or :port")
        let authentication = try FlagValues.check(Authentication(rawValue: uiAuthentication), "--ui-authentication",
                                                  uiAuthentication, "must be kubernetes or none")
        guard enabled else { return nil }
        if authentication == .none && !MCPHTTPSettings.isLoopback(address.host) {
            throw FlagError("--ui-authentication=none: needs a loopback --ui-bind-address (127.0.0.1, [::1] or localhost; reach it with kubectl port-forward), not \(uiBindAddress)")
        }
        return ConsoleSettings(host: address.host, port: address.port, authentication: authentication,
                               audiences: uiTokenAudience.filter { !$0.isEmpty })
    }
}
