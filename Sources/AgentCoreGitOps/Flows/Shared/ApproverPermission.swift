import Foundation

/// Who may approve a promotion: the least repository role the sender of `approved` must hold.
public enum ApproverPermission: String, Sendable, CaseIterable {
    case write, maintain, admin

    /// GitHub's exact `role_name`, ranked. A custom role's base is not visible here, so it ranks
    /// lowest and never approves by accident.
    public static func rank(ofRole roleName: String) -> Int {
        switch roleName.lowercased() {
        case "admin": 4
        case "maintain": 3
        case "write": 2
        case "triage": 1
        default: 0
        }
    }

    public func isSatisfied(byRole roleName: String) -> Bool {
        Self.rank(ofRole: roleName) >= Self.rank(ofRole: rawValue)
    }
}
