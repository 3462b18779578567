import Foundation
import HTTPTypes
import Hummingbird
import JaaSArtifacts
import JaaSMCP
import Kubernetes
import Logging

/// Who may see the console and how a visitor proves it: a Kubernetes bearer token,
/// sent as `Authorization: Bearer <token>` or kept by the browser in an HttpOnly,
/// SameSite=Strict cookie after the sign-in form, reviewed with TokenReview (the
/// MCP server's authenticator). Without an authenticator (`--ui-authentication=none`,
/// loopback only) every visitor is let in and pages read with the operator's rights.
///
/// Every POST (sign-in, sign-out) must come from the console's own pages: its
/// `Origin` and `Sec-Fetch-Site`, when the browser sends them, must be this server,
/// and its `csrf` field must match the sign-in page's cookie (sign-in) or be
/// derived from the session's token (sign-out), which another site cannot know.
package struct ConsoleAccess: Sendable {
    /// Reviews tokens; nil: no authentication.
    package let authenticator: (any MCPAuthenticator)?

    /// The cookie holding the visitor's token.
    package static let tokenCookie = "jaas_ui_token"
    /// The cookie the sign-in form's `csrf` field must match.
    package static let csrfCookie = "jaas_ui_csrf"
    /// How long the token cookie lives (the token itself may expire sooner).
    package static let sessionSeconds = 8 * 3600
    /// Longest token accepted (service account tokens are about 1 KB).
    package static let maxTokenBytes = 16 << 10

    /// Access checked by `authenticator`; nil lets every visitor in.
    package init(authenticator: (any MCPAuthenticator)?) {
        self.authenticator = authenticator
    }

    /// A visitor let in.
    package struct Visitor: Sendable {
        /// The Kubernetes user pages read as; nil with no authentication.
        package var user: UserInfo?
        /// What the page header shows, with the sign-out form's token when the token came from the cookie.
        package var signedIn: HTML.SignedIn?
    }

    /// Why a visitor was not let in.
    package enum Refusal: Error, Sendable {
        /// No token: the sign-in page (401).
        case noToken
        /// The token is not valid (or not a token at all): the sign-in page (401) with this note, the cookie cleared.
        case invalidToken(String)
        /// The token cannot be checked now (503).
        case unavailable
    }

    /// The visitor of `request`, or why it is refused.
    package func visitor(of request: Request, logger: Logger) async -> Result<Visitor, Refusal> {
        guard let authenticator else { return .success(Visitor(user: nil, signedIn: nil)) }
        let token: String
        var fromCookie = false
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                return .failure(.invalidToken("the Authorization header is not a bearer token"))
            }
            token = parts[1].trimmingCharacters(in: .whitespaces)
        } else if let cookie = Self.cookie(Self.tokenCookie, in: request.headers), !cookie.isEmpty {
            token = cookie
            fromCookie = true
        } else {
            return .failure(.noToken)
        }
        guard Self.isTokenShaped(token) else { return .failure(.invalidToken("that is not a bearer token")) }
        switch await authenticator.authenticate(token) {
        case .authenticated(let user):
            return .success(Visitor(user: user, signedIn: HTML.SignedIn(
                user: user.username, csrf: fromCookie ? Self.sessionCSRF(token) : nil)))
        case .rejected(let why):
            logger.info("console request with an invalid token refused", metadata: ["reason": "\(why)"])
            return .failure(.invalidToken("the token was not accepted (expired, revoked or for another cluster)"))
        case .unavailable(let why):
            logger.warning("console request refused: its token could not be checked", metadata: ["reason": "\(why)"])
            return .failure(.unavailable)
        }
    }

    /// Whether `token` could be a bearer token: 1 to ``maxTokenBytes`` bytes of the
    /// base64, base64url and JWT alphabets, so it can be sent on and kept in a cookie.
    package static func isTokenShaped(_ token: String) -> Bool {
        let bytes = token.utf8
        guard !bytes.isEmpty, bytes.count <= maxTokenBytes else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: "+"),
                 UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: ":"):
                true
            default: false
            }
        }
    }

    /// The sign-out form's token for a session holding `token`: a hash only its holder can compute.
    package static func sessionCSRF(_ token: String) -> String {
        ArtifactDigest(of: Array(("jaas-ui-csrf\u{0}" + token).utf8)).hex
    }

    /// A fresh random sign-in form token (64 hex digits).
    package static func newCSRF() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// The value of cookie `name` in the request's `Cookie` headers.
    package static func cookie(_ name: String, in headers: HTTPFields) -> String? {
        for header in headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let trimmed = pair.drop { $0 == " " }
                guard let equals = trimmed.firstIndex(of: "="), trimmed[..<equals] == name else { continue }
                return String(trimmed[trimmed.index(after: equals)...])
            }
        }
        return nil
    }

    /// A `Set-Cookie` value for `name` (HttpOnly, SameSite=Strict, for `/ui` only;
    /// Secure when the request came over HTTPS to a proxy in front); `maxAge` 0 deletes it.
    package static func setCookie(_ name: String, _ value: String, maxAge: Int, request: Request) -> HTTPField {
        var text = "\(name)=\(value); Path=/ui; Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
        if request.headers[.init("X-Forwarded-Proto")!]?.lowercased() == "https" { text += "; Secure" }
        return HTTPField(name: .setCookie, value: text)
    }

    /// Why a POST is refused as cross-site, or nil when it may come from the console's
    /// own page: an `Origin` (sent by browsers) must name the server reached (`Host`),
    /// and `Sec-Fetch-Site` must be `same-origin` or `none`.
    package static func crossSiteRefusal(_ request: Request) -> String? {
        if let site = request.headers[.init("Sec-Fetch-Site")!], site != "same-origin" && site != "none" {
            return "the form was sent from another site (Sec-Fetch-Site: \(site.prefix(40)))"
        }
        if let origin = request.headers[.init("Origin")!] {
            let authority = origin.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first.map(String.init)
            guard let authority, authority == request.head.authority ?? request.headers[.init("Host")!] else {
                return "the form was sent from another origin (\(origin.prefix(100)))"
            }
        }
        return nil
    }

    /// Where to go after signing in: `next` when it is a console path, else `/ui/`.
    package static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/ui/"), !next.contains("//"), !next.contains("\\"),
              next.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), next.utf8.count <= 2048 else { return "/ui/" }
        return next
    }
}
