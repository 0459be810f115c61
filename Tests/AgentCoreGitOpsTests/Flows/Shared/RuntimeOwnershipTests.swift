import Foundation
import Testing
@testable import AgentCoreGitOps

@Suite struct RuntimeOwnershipTests {
    /// octo/agent with id 42, and no GitHub to ask about old names.
    private let ours = OwningRepository(name: "octo/agent", id: 42, github: nil)

    @Test func prNamesAreExact() {
        #expect(RuntimeOwnership.pullRequestNumber(ofRuntimeName: "pr_42") == 42)
        for name in ["pr_0", "pr_01", "pr-42", "pr_42x", "xpr_42", "prod", "pr_", "pr_12345678901"] {
            #expect(RuntimeOwnership.pullRequestNumber(ofRuntimeName: name) == nil, "\(name)")
        }
    }

    @Test func descriptionsRoundTrip() {
        let pr = RuntimeOwnership.description("Joke bot", repository: "octo/agent", repositoryID: 42, role: .pullRequest(7))
        #expect(pr == "Joke bot [agentcore-gitops octo/agent id=42 pr 7]")
        #expect(RuntimeOwnership.owner(fromDescription: pr) == .init(repository: "octo/agent", repositoryID: 42, role: .pullRequest(7)))
        #expect(RuntimeOwnership.userText(ofDescription: pr) == "Joke bot")
        let prod = RuntimeOwnership.description(nil, repository: "octo/agent", repositoryID: 42, role: .production)
        #expect(RuntimeOwnership.owner(fromDescription: prod)?.role == .production)
        #expect(RuntimeOwnership.userText(ofDescription: prod) == "")
        let manual = RuntimeOwnership.description("Try-out", repository: "local/manual", role: .manual)
        #expect(manual == "Try-out [agentcore-gitops local/manual manual]")
        #expect(RuntimeOwnership.owner(fromDescription: manual) == .init(repository: "local/manual", repositoryID: nil, role: .manual))
        // Written before ids were recorded.
        let legacy = "Joke bot [agentcore-gitops octo/agent pr 7]"
        #expect(RuntimeOwnership.owner(fromDescription: legacy) == .init(repository: "octo/agent", repositoryID: nil, role: .pullRequest(7)))
        #expect(RuntimeOwnership.userText(ofDescription: legacy) == "Joke bot")
        #expect(RuntimeOwnership.userText(ofDescription: "made by hand") == "made by hand")
    }

    @Test("an id that cannot be read makes no tag, never one without an id")
    func unreadableID() {
        for description in ["[agentcore-gitops octo/agent id=99999999999999999999 prod]",
                            "[agentcore-gitops octo/agent id=0 prod]", "[agentcore-gitops octo/agent id= prod]",
                            "[agentcore-gitops octo/agent id=-4 prod]"] {
            #expect(RuntimeOwnership.owner(fromDescription: description) == nil, "\(description)")
        }
    }

    @Test("ours: the same id whatever the name; without an id, the same name in any case")
    func ownershipRules() async throws {
        let cases: [(RuntimeOwnership.Tag, Bool)] = [
            (.init(repository: "octo/agent", repositoryID: 42, role: .production), true),
            (.init(repository: "octo/old-name", repositoryID: 42, role: .production), true),
            (.init(repository: "octo/agent", repositoryID: 43, role: .production), false),
            (.init(repository: "octo/agent", repositoryID: nil, role: .production), true),
            (.init(repository: "OCTO/Agent", repositoryID: nil, role: .production), true),
            (.init(repository: "other/agent", repositoryID: nil, role: .production), false),
        ]
        for (tag, expected) in cases {
            #expect(try await ours.owns(tag) == expected, "\(tag)")
        }
        // Without a known id, a tag that has one cannot be ours.
        let idUnknown = OwningRepository(name: "octo/agent", id: nil, github: nil)
        #expect(try await !idUnknown.owns(.init(repository: "octo/agent", repositoryID: 42, role: .production)))
        #expect(try await idUnknown.owns(.init(repository: "octo/agent", repositoryID: nil, role: .production)))
    }

    @Test func onlyThisRepositorysMatchingPRRuntimeIsDeletable() async throws {
        for description in [RuntimeOwnership.description(nil, repository: "octo/agent", repositoryID: 42, role: .pullRequest(7)),
                            RuntimeOwnership.description(nil, repository: "octo/renamed", repositoryID: 42, role: .pullRequest(7)),
                            RuntimeOwnership.description(nil, repository: "octo/agent", role: .pullRequest(7))] {
            #expect(try await ours.deletablePullRequest(name: "pr_7", description: description) == 7, "\(description)")
        }
        // Another repository's pr_7 (by id or by name), a tag for another PR, prod, no tag, or a tag not at the end.
        let cases: [(String, String?)] = [
            ("pr_7", RuntimeOwnership.description(nil, repository: "octo/agent", repositoryID: 43, role: .pullRequest(7))),
            ("pr_7", RuntimeOwnership.description(nil, repository: "other/agent", role: .pullRequest(7))),
            ("pr_7", RuntimeOwnership.description(nil, repository: "octo/agent", repositoryID: 42, role: .pullRequest(8))),
            ("prod", RuntimeOwnership.description(nil, repository: "octo/agent", repositoryID: 42, role: .production)),
            ("pr_7", RuntimeOwnership.description(nil, repository: "octo/agent", repositoryID: 42, role: .production)),
            ("pr_7", RuntimeOwnership.description(nil, repository: "octo/agent", repositoryID: 42, role: .manual)),
            ("pr_7", nil),
            ("pr_7", "made by hand"),
            ("pr_7", "[agentcore-gitops octo/agent id=42 pr 7] but edited later"),
        ]
        for (name, description) in cases {
            #expect(try await ours.deletablePullRequest(name: name, description: description) == nil, "\(name) \(description ?? "nil")")
        }
    }

    @Test("the longest tag after the longest description agentcore.json allows fits AgentCore's limit")
    func tagFitsTheDescriptionLimit() throws {
        // GitHub: owners up to 39 characters, names up to 100; the largest id and pull request number the tag reads.
        let repository = String(repeating: "o", count: 39) + "/" + String(repeating: "n", count: 100)
        let longest = EnvironmentSettings.maxDescriptionLength
        let userText = String(repeating: "🚀", count: longest)  // one code point each, two UTF-16 units
        let description = RuntimeOwnership.description(
            userText, repository: repository, repositoryID: Int.max, role: .pullRequest(9_999_999_999))
        #expect(RuntimeOwnership.owner(fromDescription: description)?.repositoryID == Int.max)
        #expect(description.awsLength <= RuntimeOwnership.maxDescriptionLength)
        #expect(description.awsLength == longest + 1 + "[agentcore-gitops  id=\(Int.max) pr 9999999999]".count + 140)
    }

    /// GitHub follows a renamed or transferred repository's old name to it, until another
    /// repository takes the name: a tag by an old name is ours only while it still leads to us,
    /// and each name is asked about once.
    @Test func oldNamesAreFollowedThroughGitHub() async throws {
        let github = FakeGitHub(repository: "octo/agent")
        github.move(to: "octo/renamed")
        github.move(to: "elsewhere/agent")
        let identity = OwningRepository(name: "elsewhere/agent", id: nil, github: github)
        #expect(try await identity.id() == github.id)
        for oldName in ["octo/agent", "OCTO/Renamed"] {
            #expect(try await identity.owns(.init(repository: oldName, repositoryID: nil, role: .production)), "\(oldName)")
        }
        #expect(try await !identity.owns(.init(repository: "octo/never-existed", repositoryID: nil, role: .production)))
        let asked = github.calls("getRepository").count
        #expect(try await identity.owns(.init(repository: "octo/agent", repositoryID: nil, role: .pullRequest(3))))
        #expect(github.calls("getRepository").count == asked, "a name already followed is not asked again")

        // Another repository takes the first name: it no longer leads to us.
        github.createOtherRepository("octo/agent", id: github.id + 7)
        let fresh = OwningRepository(name: "elsewhere/agent", id: github.id, github: github)
        #expect(try await !fresh.owns(.init(repository: "octo/agent", repositoryID: nil, role: .production)))
        #expect(try await fresh.owns(.init(repository: "octo/renamed", repositoryID: nil, role: .production)))
    }

    @Test func repositoryIDsAreChecked() throws {
        #expect(try OwningRepository.parseID("123", source: "GITHUB_REPOSITORY_ID") == 123)
        #expect(try OwningRepository.parseID("", source: "GITHUB_REPOSITORY_ID") == nil)
        #expect(try OwningRepository.parseID(nil, source: "GITHUB_REPOSITORY_ID") == nil)
        for bad in ["abc", "0", "-1", "12 34", "99999999999999999999"] {
            #expect(throws: ActionableError.self, "\(bad)") { try OwningRepository.parseID(bad, source: "--repository-id") }
        }
        let error = try #require(throws: ActionableError.self) { try OwningRepository.parseID("x1", source: "--repository-id") }
        #expect(error.description.contains("--repository-id") && error.description.contains("GITHUB_REPOSITORY_ID"))
    }
}
