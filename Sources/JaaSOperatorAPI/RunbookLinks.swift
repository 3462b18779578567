/// Runbook links in Ready messages: a failing Ready condition's message ends with
/// ` (runbook: <base>/<reason in lower case>/)`, as the original's do; Synced,
/// Suspended and Pending carry none. `--runbook-base-url` sets the base (empty: no links).
public enum RunbookLinks {
    /// The default `--runbook-base-url`: the runbooks of the project site (docs/runbooks/).
    public static let defaultBase = "https://jaas.projects.metio.wtf/runbooks"

    /// Reasons that need no action, so carry no link.
    static let quiet: Set<String> = [ReadyReason.synced.rawValue, ReadyReason.suspended.rawValue, ReadyReason.pending.rawValue]

    /// The runbook URL for Ready `reason` under `base`; nil for a reason that needs no
    /// action or an empty base.
    public static func url(base: String, reason: String) -> String? {
        guard !base.isEmpty, !quiet.contains(reason) else { return nil }
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        return "\(trimmed)/\(reason.lowercased())/"
    }

    /// `message` with the runbook suffix for `reason`, if it gets one (after the
    /// message's trailing whitespace, so a multi-line diagnostic ends with the link).
    public static func message(_ message: String, reason: String, base: String) -> String {
        guard let url = url(base: base, reason: reason) else { return message }
        var text = Substring(message)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return "\(text) (runbook: \(url))"
    }

    /// The runbook URL at the end of a Ready message, if it carries one.
    public static func url(inMessage message: String) -> String? {
        guard message.hasSuffix(")"), let start = message.range(of: " (runbook: ", options: .backwards) else { return nil }
        return String(message[start.upperBound..<message.index(before: message.endIndex)])
    }
}
