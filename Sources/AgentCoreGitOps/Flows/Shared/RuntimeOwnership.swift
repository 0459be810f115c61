import Foundation

/// How a runtime records which repository and pull request it belongs to, and the one check that
/// stands between the tool and deleting a runtime nobody asked it to delete.
///
/// Names alone are not enough: several repositories may deploy into one account, and each has a
/// `pr_7`. So every runtime the tool creates ends its description with a tag such as
/// `[agentcore-gitops octo/agent pr 7]`, and the tool deletes on its own only a runtime named
/// `pr_<n>` whose tag names this repository and the same `n`.
public enum RuntimeOwnership {
    public enum Role: Equatable, Sendable {
        case pullRequest(Int)
        case production
        /// Deployed by a person with `agentcore deploy`: never deleted or updated by the flows.
        case manual
    }

    public static func prRuntimeName(_ number: Int) -> String { "pr_\(number)" }

    /// The pull-request number in a name `pr_<digits>`; nil for anything else.
    public static func pullRequestNumber(ofRuntimeName name: String) -> Int? {
        guard let match = name.wholeMatch(of: /pr_([1-9][0-9]{0,9})/) else { return nil }
        return Int(match.1)
    }

    /// The description to create or update a runtime with: the user's text, then our tag.
    public static func description(_ userText: String?, repository: String, role: Role) -> String {
        let tag = "[agentcore-gitops \(repository) \(roleText(role))]"
        guard let userText, !userText.isEmpty else { return tag }
        return "\(userText) \(tag)"
    }

    /// The repository and role a description's tag records, if it has ours.
    public static func owner(fromDescription description: String?) -> (repository: String, role: Role)? {
        guard let description,
              let match = description.firstMatch(of: /\[agentcore-gitops ([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+) (prod|manual|pr ([1-9][0-9]{0,9}))\]$/)
        else { return nil }
        let repository = String(match.1)
        if let number = match.3.flatMap({ Int($0) }) { return (repository, .pullRequest(number)) }
        return (repository, match.2 == "manual" ? .manual : .production)
    }

    /// The pull request whose runtime this is, when the tool may delete it unasked: the name is
    /// `pr_<n>` and the description's tag names this repository and the same pull request.
    public static func deletablePullRequest(name: String, description: String?, repository: String) -> Int? {
        guard let number = pullRequestNumber(ofRuntimeName: name),
              let owner = owner(fromDescription: description),
              owner.repository.lowercased() == repository.lowercased(),
              owner.role == .pullRequest(number)
        else { return nil }
        return number
    }

    private static func roleText(_ role: Role) -> String {
        switch role {
        case .pullRequest(let number): "pr \(number)"
        case .production: "prod"
        case .manual: "manual"
        }
    }
}
