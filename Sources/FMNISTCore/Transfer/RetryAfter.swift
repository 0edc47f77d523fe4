import Foundation

/// The `Retry-After` header of a 503 or 429 answer (RFC 9110 §10.2.3): how long the server asks
/// clients to wait, as delay-seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2026 07:28:00 GMT`,
/// also the obsolete RFC 850 and asctime forms). A date is read against the answer's own `Date`
/// header when there is one, so that a skewed local clock does not stretch or cut the wait.
///
/// Garbage (`soon`, `-5`, `1.5`, an unparseable date) is ignored (nil): the backoff alone decides.
/// A date in the past means 0. Every value is capped at ``maximum``; the caller caps it again by
/// the time left for the file on this mirror.
///
/// ```swift
/// RetryAfter.seconds("7")                                   // 7
/// RetryAfter.seconds("Mon, 07 Dec 2026 04:20:30 GMT",
///                    date: "Mon, 07 Dec 2026 04:20:00 GMT") // 30
/// RetryAfter.seconds("soon")                                // nil
/// ```
public enum RetryAfter {
    /// The longest wait a header is believed for: one day.
    public static let maximum: Double = 86_400

    /// The seconds to wait that `value` asks for, or nil when it is not a valid `Retry-After`.
    /// - Parameters:
    ///   - date: the answer's `Date` header, the reference for an HTTP-date (else `now`).
    ///   - now: the local clock, used when `date` is absent or unreadable.
    public static func seconds(_ value: String, date: String? = nil, now: Date = Date()) -> Double? {
        let text = value.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        if text.allSatisfy(\.isASCIIDigitCharacter) {
            // delay-seconds: 1*DIGIT. Very long runs of digits are still a valid (huge) number.
            guard let number = Double(text) else { return nil }
            return min(maximum, number)
        }
        guard let when = httpDate(text) else { return nil }
        let reference = date.flatMap(httpDate) ?? now
        return min(maximum, max(0, when.timeIntervalSince(reference)))
    }

    /// Parses an HTTP-date in any of the three forms RFC 9110 §5.6.7 says recipients must accept.
    public static func httpDate(_ text: String) -> Date? {
        // asctime pads a one-digit day with a second space ("Sun Nov  6 08:49:37 1994").
        let trimmed = text.split(separator: " ").joined(separator: " ")
        for format in formats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            formatter.isLenient = false
            if let date = formatter.date(from: trimmed) { return date }
        }
        return nil
    }

    /// IMF-fixdate, RFC 850 and asctime.
    private static let formats = ["EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM d HH:mm:ss yyyy"]
}

extension Character {
    /// 0–9 only (not other scripts' digits, which `isNumber` accepts).
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isWholeNumber }
}
