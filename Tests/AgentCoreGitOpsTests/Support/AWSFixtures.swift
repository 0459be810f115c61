import Foundation
@testable import AgentCoreGitOps

enum AWSFixtures {
    static let keys = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

    static func configuration(
        region: String = "us-east-1", endpoint: String? = "http://127.0.0.1:5000", maxAttempts: Int = 3
    ) -> AWSConfiguration {
        AWSConfiguration(
            region: region, credentialSource: .keys(keys, origin: "test"),
            endpoint: endpoint.flatMap(URL.init(string:)),
            retryPolicy: AWSRetryPolicy(maxAttempts: maxAttempts, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50)))
    }

    static func client(
        _ transport: ScriptedTransport, configuration: AWSConfiguration = configuration(),
        credentials: (any AWSCredentialsProvider)? = nil, clock: TestClock = TestClock()
    ) -> AWSClient {
        AWSClient(
            configuration: configuration, transport: transport, credentialsProvider: credentials,
            random: { 0.5 }, clock: clock)
    }

    static let createRuntime = AWSRequest(
        service: .agentCoreControl, operation: "CreateAgentRuntime", method: "PUT", path: "/runtimes/",
        headers: ["Content-Type": "application/json"],
        body: .data(Data(#"{"agentRuntimeName":"pr_1","clientToken":"token-0123456789-0123456789-0123456789"}"#.utf8)))

    /// A fresh scratch directory; the caller removes it.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("aws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
