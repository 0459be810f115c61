import Foundation

extension Int64 {
    /// "12.3 MB", "850 KB", "312 B": a package size for people.
    var readableByteCount: String {
        let value = Double(self)
        if value >= 1_000_000 { return String(format: "%.1f MB", value / 1_000_000) }
        if value >= 1_000 { return String(format: "%.1f KB", value / 1_000) }
        return "\(self) B"
    }
}
