import Foundation
import Testing
@testable import AgentCoreGitOps

@Suite("Deterministic client tokens")
struct DeterministicClientTokenTests {
    @Test("the same change gives the same token; any other part gives another; AWS accepts its shape")
    func tokens() {
        let token = DeterministicClientToken.make("UpdateAgentRuntime", "pr_1-AbCdEfGhIj", "3", "abc", "def")
        #expect(token == DeterministicClientToken.make("UpdateAgentRuntime", "pr_1-AbCdEfGhIj", "3", "abc", "def"))
        #expect(token != DeterministicClientToken.make("UpdateAgentRuntime", "pr_1-AbCdEfGhIj", "4", "abc", "def"))
        #expect(token != DeterministicClientToken.make("CreateAgentRuntime", "pr_1-AbCdEfGhIj", "3", "abc", "def"))
        #expect(MarkerValue.matches(token, "[a-zA-Z0-9](-*[a-zA-Z0-9]){32,255}"))
    }

    @Test("endpoint tokens: the order of the parts counts, and parts are kept apart")
    func endpointTokens() {
        let token = DeterministicClientToken.make("UpdateAgentRuntimeEndpoint", "prod-AbCdEfGhIj", "prod", "4", "5")
        #expect(token == DeterministicClientToken.make("UpdateAgentRuntimeEndpoint", "prod-AbCdEfGhIj", "prod", "4", "5"))
        #expect(MarkerValue.matches(token, "[0-9a-f]{64}"))
        #expect(token != DeterministicClientToken.make("UpdateAgentRuntimeEndpoint", "prod-AbCdEfGhIj", "prod", "5", "4"))
        // Parts are separated, so shifting text between them changes the token.
        #expect(DeterministicClientToken.make("ab", "c") != DeterministicClientToken.make("a", "bc"))
        #expect(DeterministicClientToken.make("op", "ab", "c") != DeterministicClientToken.make("op", "a", "bc"))
    }

    @Test("a content-addressed key tells the checksum S3 reports for it")
    func checksums() {
        let hello = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        #expect(RuntimeDeployer.base64Checksum(ofHex: hello) == "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=")
        #expect(RuntimeDeployer.contentAddressedChecksum("pr_1/packages/\(hello).zip") == "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=")
        #expect(RuntimeDeployer.contentAddressedChecksum("pr_1/v1/code.zip") == nil)
    }
}
