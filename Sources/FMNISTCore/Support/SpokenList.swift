extension Array where Element == String {
    /// The items as a list in a sentence, the last joined by `conjunction`.
    ///
    /// ```swift
    /// ["http", "https", "file"].spokenList("and")   // "http, https and file"
    /// ["a keras cache"].spokenList("or")            // "a keras cache"
    /// ```
    package func spokenList(_ conjunction: String) -> String {
        guard let last, count > 1 else { return last ?? "" }
        return dropLast().joined(separator: ", ") + " \(conjunction) " + last
    }
}
