import Testing
@testable import AgentCoreGitOps

@Suite struct RuntimeOwnershipTests {
    @Test func prNamesAreExact() {
        #expect(RuntimeOwnership.pullRequestNumber(ofRuntimeName: "pr_42") == 42)
        for name in ["pr_0", "pr_01", "pr-42", "pr_42x", "xpr_42", "prod", "pr_", "pr_12345678901"] {
            #expect(RuntimeOwnership.pullRequestNumber(ofRuntimeName: name) == nil, "\(name)")
        }
    }

    @Test func descriptionsRoundTrip() {
        let pr = RuntimeOwnership.description("Joke bot", repository: "octo/agent", role: .pullRequest(7))
        #expect(pr == "Joke bot [agentcore-gitops octo/agent pr 7]")
        #expect(RuntimeOwnership.owner(fromDescription: pr)?.repository == "octo/agent")
        #expect(RuntimeOwnership.owner(fromDescription: pr)?.role == .pullRequest(7))
        let prod = RuntimeOwnership.description(nil, repository: "octo/agent", role: .production)
        #expect(RuntimeOwnership.owner(fromDescription: prod)?.role == .production)
        let manual = RuntimeOwnership.description("Try-out", repository: "local/manual", role: .manual)
        #expect(manual == "Try-out [agentcore-gitops local/manual manual]")
        #expect(RuntimeOwnership.owner(fromDescription: manual)?.role == .manual)
    }

    @Test func onlyThisRepositorysMatchingPRRuntimeIsDeletable() {
        let ours = RuntimeOwnership.description(nil, repository: "octo/agent", role: .pullRequest(7))
        #expect(RuntimeOwnership.deletablePullRequest(name: "pr_7", description: ours, repository: "octo/agent") == 7)
        // Another repository's pr_7, a tag for another PR, prod, no tag, or a tag not at the end.
        let cases: [(String, String?)] = [
            ("pr_7", RuntimeOwnership.description(nil, repository: "other/agent", role: .pullRequest(7))),
            ("pr_7", RuntimeOwnership.description(nil, repository: "octo/agent", role: .pullRequest(8))),
            ("prod", RuntimeOwnership.description(nil, repository: "octo/agent", role: .production)),
            ("pr_7", RuntimeOwnership.description(nil, repository: "octo/agent", role: .production)),
            ("pr_7", RuntimeOwnership.description(nil, repository: "octo/agent", role: .manual)),
            ("pr_7", nil),
            ("pr_7", "made by hand"),
            ("pr_7", "[agentcore-gitops octo/agent pr 7] but edited later"),
        ]
        for (name, description) in cases {
            #expect(RuntimeOwnership.deletablePullRequest(name: name, description: description, repository: "octo/agent") == nil,
                    "\(name) \(description ?? "nil")")
        }
    }
}
