/// Server-rendered HTML: text escaped at one place, pages in one shell.
///
/// Every byte that comes from a tenant (names, messages, rendered output, diffs)
/// passes through ``HTML/escape(_:)`` before it reaches a page; the pages carry
/// no inline script or style, so the Content-Security-Policy forbids both.
package struct HTML: Sendable {
    /// The markup so far.
    package private(set) var text = ""

    /// Empty markup.
    package init() {}

    /// Markup written by the console itself (never tenant text).
    package mutating func raw(_ markup: String) { text += markup }

    /// `value` as text content or an attribute value.
    package mutating func text(_ value: some StringProtocol) { HTML.escape(value, into: &text) }

    /// `message` in a notice paragraph (an error's unless `error` is false).
    package mutating func notice(_ message: String, error: Bool = true) {
        raw(error ? "<p class=\"notice error\" role=\"alert\">" : "<p class=\"notice\">")
        text(message)
        raw("</p>")
    }

    /// `value` with `&`, `<`, `>`, `"` and `'` replaced by character references.
    package static func escape(_ value: some StringProtocol) -> String {
        var out = ""
        escape(value, into: &out)
        return out
    }

    /// Appends `value`, escaped, to `out` (a NUL becomes U+FFFD).
    package static func escape(_ value: some StringProtocol, into out: inout String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count + 16)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "&"): bytes += "&amp;".utf8
            case UInt8(ascii: "<"): bytes += "&lt;".utf8
            case UInt8(ascii: ">"): bytes += "&gt;".utf8
            case UInt8(ascii: "\""): bytes += "&quot;".utf8
            case UInt8(ascii: "'"): bytes += "&#39;".utf8
            case 0: bytes += "\u{FFFD}".utf8
            default: bytes.append(byte)
            }
        }
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// A percent-encoded path segment or query value (RFC 3986 unreserved bytes kept).
    package static func urlComponent(_ value: some StringProtocol) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(UnicodeScalar(byte))
            default:
                let digits = Array("0123456789ABCDEF".utf8)
                out += "%"
                out.unicodeScalars.append(UnicodeScalar(digits[Int(byte >> 4)]))
                out.unicodeScalars.append(UnicodeScalar(digits[Int(byte & 0xF)]))
            }
        }
        return out
    }

    /// A query string from `items` (values percent-encoded), with its `?`; empty without items.
    package static func query(_ items: [(String, String)]) -> String {
        items.isEmpty ? "" : "?" + items.map { "\($0.0)=\(urlComponent($0.1))" }.joined(separator: "&")
    }

    /// A complete page: the shell (header with the console's name, who is signed in
    /// and a sign-out button, breadcrumbs) around `body`.
    package static func page(title: String, breadcrumbs: [(String, String?)] = [], signedIn: SignedIn? = nil,
                             body: String) -> String {
        var html = HTML()
        html.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        html.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        html.raw("<meta name=\"color-scheme\" content=\"light dark\"><title>")
        html.text(title)
        html.raw(" · JaaS console</title><link rel=\"stylesheet\" href=\"/ui/console.css\"></head><body>")
        html.raw("<a class=\"skip\" href=\"#main\">Skip to content</a><header class=\"top\"><a class=\"brand\" href=\"/ui/\">JaaS console</a>")
        if let signedIn {
            html.raw("<form class=\"signout\" method=\"post\" action=\"/ui/sign-out\"><span class=\"who\">")
            html.text(signedIn.user)
            html.raw("</span>")
            if let csrf = signedIn.csrf {
                html.raw("<input type=\"hidden\" name=\"csrf\" value=\"")
                html.text(csrf)
                html.raw("\"><button type=\"submit\">Sign out</button>")
            }
            html.raw("</form>")
        }
        html.raw("</header>")
        if !breadcrumbs.isEmpty {
            html.raw("<nav aria-label=\"Breadcrumb\" class=\"crumbs\"><ol>")
            for (label, link) in breadcrumbs {
                html.raw("<li>")
                if let link {
                    html.raw("<a href=\"")
                    html.text(link)
                    html.raw("\">")
                    html.text(label)
                    html.raw("</a>")
                } else {
                    html.raw("<span aria-current=\"page\">")
                    html.text(label)
                    html.raw("</span>")
                }
                html.raw("</li>")
            }
            html.raw("</ol></nav>")
        }
        html.raw("<main id=\"main\">")
        html.raw(body)
        html.raw("</main></body></html>\n")
        return html.text
    }

    /// Who a page is shown to: the user's name, and the token a sign-out form must
    /// carry (nil when signed in with a header, which a form cannot end).
    package struct SignedIn: Sendable {
        /// The user's name.
        package var user: String
        /// The sign-out form's token; nil without a cookie session.
        package var csrf: String?
    }
}
