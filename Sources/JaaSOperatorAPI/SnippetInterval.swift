import Foundation
import GoFormats

/// `30s`, `5m`, `1h30m`, `1.5h`, `24h` in seconds: a ``GoDuration`` without a sign,
/// at most 64 characters, finite, not negative and at most 100 years; nil otherwise,
/// so no spelling (`1e400s`, `NaNs`, a hundred thousand digits) yields a value that
/// traps in a later conversion. How the reconciler and the webhook read `spec.interval`.
public func parseDuration(_ text: String) -> TimeInterval? {
    guard text.utf8.count <= 64, let seconds = GoDuration.seconds(text),
          seconds.isFinite, seconds >= 0, seconds <= 100 * 365 * 86_400 else { return nil }
    return seconds
}

/// What `spec.interval` may be (the CRD's rule, applied again by the reconciler since
/// a cluster may lack the CRD's validation, and by the webhook).
public let intervalRange: ClosedRange<TimeInterval> = 30...86_400
