import Foundation

/// Client tokens that are the same for the same change, so a rerun after a crash, or a racing
/// run of the same commit, repeats the call and gets the first call's result instead of a second
/// runtime or version. Anything that should make a different change (another base version,
/// package or configuration) is part of the token.
public enum DeterministicClientToken {
    /// 64 hex characters, inside AWS's 33-256 character pattern.
    public static func make(_ operation: String, _ parts: String...) -> String {
        SHA256Hasher.hash(Data((["agentcore-gitops", operation] + parts).joined(separator: "\n").utf8)).hexString
    }
}
