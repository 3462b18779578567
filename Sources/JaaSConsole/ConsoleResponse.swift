import Foundation
import HTTPTypes
import Hummingbird
import Kubernetes
import NIOCore

/// The console's answers: pages in the one shell, downloads, redirects, each with
/// headers that keep the pages to themselves (no script, no framing, no caching,
/// no referrer).
package enum ConsoleResponse {
    /// Headers on every answer.
    package static var securityHeaders: HTTPFields {
        [
            .init("Content-Security-Policy")!: "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            .init("X-Content-Type-Options")!: "nosniff",
            .init("X-Frame-Options")!: "DENY",
            // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on the forms.
            .init("Referrer-Policy")!: "same-origin",
            .cacheControl: "no-store",
        ]
    }

    /// A page: `body` in the shell, answered with `status`.
    package static func page(_ status: HTTPResponse.Status = .ok, title: String, breadcrumbs: [(String, String?)] = [],
                             signedIn: HTML.SignedIn?, body: String, extra: [HTTPField] = []) -> Response {
        let text = HTML.page(title: title, breadcrumbs: breadcrumbs, signedIn: signedIn, body: body)
        var headers = securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        for field in extra { headers.append(field) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// A page saying what went wrong, with `status`.
    package static func problem(_ status: HTTPResponse.Status, title: String, message: String,
                                signedIn: HTML.SignedIn?) -> Response {
        var body = HTML()
        body.raw("<h1>")
        body.text(title)
        body.raw("</h1>")
        body.notice(message)
        body.raw("<p><a href=\"/ui/\">Back to the snippets</a></p>")
        return page(status, title: title, signedIn: signedIn, body: body.text)
    }

    /// The page for an API call that failed: 403 when the visitor may not, 404 when
    /// it is not there, 502 for anything else (the API server failed).
    package static func failed(_ error: any Error, doing what: String, user: String?,
                               signedIn: HTML.SignedIn?) -> Response {
        if let error = error as? KubeError {
            if error.isForbidden {
                return problem(.forbidden, title: "Forbidden",
                               message: "\(user ?? "The console") may not \(what).", signedIn: signedIn)
            }
            if error.isNotFound {
                return problem(.notFound, title: "Not found", message: "Cannot \(what): it does not exist.", signedIn: signedIn)
            }
        }
        return problem(.badGateway, title: "The API server did not answer",
                       message: "Cannot \(what): \(error)", signedIn: signedIn)
    }

    /// A download of `bytes` named `fileName` (only safe characters kept).
    package static func download(_ bytes: [UInt8], fileName: String, contentType: String) -> Response {
        var headers = securityHeaders
        headers[.contentType] = contentType
        let safe = String(fileName.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "-_.".unicodeScalars.contains(scalar))
                ? Character(scalar) : "_"
        }.prefix(120))
        headers[.contentDisposition] = "attachment; filename=\"\(safe.isEmpty ? "download" : safe)\""
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A 303 to `location` (a console path), with `cookies` set.
    package static func redirect(_ location: String, cookies: [HTTPField] = []) -> Response {
        var headers = securityHeaders
        headers[.location] = location
        for cookie in cookies { headers.append(cookie) }
        return Response(status: .seeOther, headers: headers)
    }
}

/// Times as pages show them.
package enum ConsoleTime {
    /// `rfc3339` and how long ago that was ("5m ago"), or the text as is when it does not parse.
    package static func describe(_ rfc3339: String?, now: Date = Date()) -> String {
        guard let rfc3339, !rfc3339.isEmpty else { return "—" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var date = formatter.date(from: rfc3339)
        if date == nil {
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            date = formatter.date(from: rfc3339)
        }
        guard let date else { return rfc3339 }
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        let ago = seconds < 60 ? "\(seconds)s" : seconds < 3600 ? "\(seconds / 60)m"
            : seconds < 86400 ? "\(seconds / 3600)h" : "\(seconds / 86400)d"
        return "\(rfc3339) (\(ago) ago)"
    }
}
