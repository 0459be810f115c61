import Foundation

/// How a runtime records which repository and pull request it belongs to, and the one check that
/// stands between the tool and deleting a runtime nobody asked it to delete.
///
/// Names alone are not enough: several repositories may deploy into one account, and each has a
/// `pr_7`. So every runtime the tool creates ends its description with a tag such as
/// `[agentcore-gitops octo/agent id=123456 pr 7]`: the repository's name, its GitHub id (which a
/// rename or a transfer keeps) and the role. The tool deletes on its own only a runtime named
/// `pr_<n>` whose tag names this repository (see `OwningRepository.owns`) and the same `n`.
public enum RuntimeOwnership {
    public enum Role: Equatable, Sendable {
        case pullRequest(Int)
        case production
        /// Deployed by a person with `agentcore deploy`: never deleted or updated by the flows.
        case manual
    }

    /// What a description's tag records.
    public struct Tag: Equatable, Sendable {
        /// `owner/name` when the tag was written; a rename or transfer since then changes the real one.
        public var repository: String
        /// GitHub's repository id; nil in tags written before ids were recorded.
        public var repositoryID: Int?
        public var role: Role
    }

    /// AgentCore's limit on a runtime's description, in code points.
    public static let maxDescriptionLength = 4_096

    public static func prRuntimeName(_ number: Int) -> String { "pr_\(number)" }

    /// The pull-request number in a name `pr_<digits>`; nil for anything else.
    public static func pullRequestNumber(ofRuntimeName name: String) -> Int? {
        guard let match = name.wholeMatch(of: /pr_([1-9][0-9]{0,9})/) else { return nil }
        return Int(match.1)
    }

    /// The description to create or update a runtime with: the user's text, then our tag.
    public static func description(_ userText: String?, repository: String, repositoryID: Int? = nil, role: Role) -> String {
        let tag = "[agentcore-gitops \(repository)" + (repositoryID.map { " id=\($0)" } ?? "") + " \(roleText(role))]"
        guard let userText, !userText.isEmpty else { return tag }
        return "\(userText) \(tag)"
    }

    /// The repository and role a description's tag records, if it has ours.
    public static func owner(fromDescription description: String?) -> Tag? {
        guard let match = description.flatMap(tagMatch) else { return nil }
        var repositoryID: Int?
        if let digits = match.output.2 {
            // An id too large to read is no id at all: never read it as a tag without one.
            guard let id = Int(digits) else { return nil }
            repositoryID = id
        }
        let role: Role = if let number = match.output.4.flatMap({ Int($0) }) {
            .pullRequest(number)
        } else {
            match.output.3 == "manual" ? .manual : .production
        }
        return Tag(repository: String(match.output.1), repositoryID: repositoryID, role: role)
    }

    /// The description without our tag: the part people write, which alone decides whether a
    /// deployment needs a new version (a tag that only gains the id or a new name does not).
    public static func userText(ofDescription description: String?) -> String? {
        guard let description, let match = tagMatch(description) else { return description }
        let text = description[..<match.range.lowerBound]
        return text.hasSuffix(" ") ? String(text.dropLast()) : String(text)
    }

    private static func tagMatch(_ description: String) -> Regex<(Substring, Substring, Substring?, Substring, Substring?)>.Match? {
        description.firstMatch(
            of: /\[agentcore-gitops ([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)(?: id=([1-9][0-9]{0,18}))? (prod|manual|pr ([1-9][0-9]{0,9}))\]$/)
    }

    private static func roleText(_ role: Role) -> String {
        switch role {
        case .pullRequest(let number): "pr \(number)"
        case .production: "prod"
        case .manual: "manual"
        }
    }
}
