import Foundation

/// HTTP dates (RFC 9110 IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`) and the
/// ISO 8601 times S3 listings carry.
public enum HTTPDate {
    /// The IMF-fixdate of `date` (whole seconds).
    public static func format(_ date: Date) -> String {
        formatter("EEE, dd MMM yyyy HH:mm:ss 'GMT'").string(from: date)
    }

    /// An IMF-fixdate, or nil.
    public static func parse(_ text: String) -> Date? {
        formatter("EEE, dd MMM yyyy HH:mm:ss 'GMT'").date(from: text)
    }

    /// `2009-10-12T17:50:30.000Z` or `2009-10-12T17:50:30Z`, or nil.
    public static func parseISO8601(_ text: String) -> Date? {
        formatter("yyyy-MM-dd'T'HH:mm:ss.SSSXXXXX").date(from: text) ?? formatter("yyyy-MM-dd'T'HH:mm:ssXXXXX").date(from: text)
    }

    private static func formatter(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = format
        return formatter
    }
}
