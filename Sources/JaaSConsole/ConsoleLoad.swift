import HTTPTypes

/// Bounds on the console's heavy pages: a snippet's output, a diff, a download and the
/// render form each read up to 32 MiB of artifact or run an evaluation. One visitor (by
/// Kubernetes user name) may have at most ``perVisitor`` of them in progress, and the
/// console at most ``total``; a page over either is refused at once (429 for the visitor's
/// own bound, 503 for the console's), so that one visitor's reloads cannot hold the memory
/// and the evaluators every other visitor needs.
package actor ConsoleLoad {
    /// Heavy pages one visitor may have in progress at once.
    package nonisolated let perVisitor: Int
    /// Heavy pages in progress at once, for all visitors together.
    package nonisolated let total: Int
    private var running: [String: Int] = [:]
    private var all = 0

    /// Bounds of `perVisitor` (at least 1) and `total` (at least `perVisitor`) pages at once.
    package init(perVisitor: Int = 3, total: Int = 8) {
        self.perVisitor = max(1, perVisitor)
        self.total = max(self.perVisitor, total)
    }

    /// Counts one heavy page of `visitor` in and answers nil, or answers the status to
    /// refuse it with. Each nil must be followed by one ``leave(_:)``.
    package func enter(_ visitor: String) -> HTTPResponse.Status? {
        if running[visitor, default: 0] >= perVisitor { return .tooManyRequests }
        if all >= total { return .serviceUnavailable }
        running[visitor, default: 0] += 1
        all += 1
        return nil
    }

    /// Counts one heavy page of `visitor` out.
    package func leave(_ visitor: String) {
        guard let count = running[visitor] else { return }
        all -= 1
        running[visitor] = count > 1 ? count - 1 : nil
    }

    /// Pages in progress: all, and `visitor`'s.
    package func inProgress(_ visitor: String) -> (all: Int, visitor: Int) {
        (all, running[visitor, default: 0])
    }
}
