import Foundation
import Testing
@testable import AgentCoreGitOps

/// `AWSClient` against a scripted transport: endpoints, signing, error decoding and retries.
@Suite struct AWSClientTests {
    // MARK: Retries

    @Test func throttledCallsAreRetriedWithTheSameBodyAndAFreshSignature() async throws {
        let transport = ScriptedTransport([
            .respond(status: 429, headers: ["x-amzn-errortype": "ThrottlingException"], body: #"{"message":"slow down"}"#),
            .respond(status: 503, body: "<html>busy</html>"),
            .respond(status: 202, body: #"{"agentRuntimeId":"pr_1-abcdefghij"}"#),
        ])
        let clock = TestClock()
        let client = AWSFixtures.client(transport, credentials: CountingCredentials(), clock: clock)

        let response = try await client.send(AWSFixtures.createRuntime)

        #expect(response.status == 202)
        let sent = transport.requests
        #expect(sent.count == 3)
        let bodies = sent.map { request -> Data? in
            if case .data(let data) = request.body { return data }
            return nil
        }
        #expect(Set(bodies).count == 1)
        #expect(bodies.first! == AWSFixtures.createRuntimeBody)
        let authorizations = sent.compactMap { $0.headers["Authorization"] }
        #expect(authorizations.count == 3)
        #expect(Set(authorizations).count == 3, "each attempt is signed again with the provider's current credentials")
        // Full jitter with random 0.5: half of 10 ms, then half of 20 ms.
        #expect(clock.sleeps == [.milliseconds(5), .milliseconds(10)])
    }

    @Test func retriesStopAtMaxAttemptsAndThrowTheLastError() async throws {
        let throttle = ScriptedTransport.Step.respond(
            status: 400, headers: ["x-amzn-requestid": "req-1"],
            body: #"{"__type":"com.amazonaws#ThrottlingException","message":"Rate exceeded"}"#)
        let transport = ScriptedTransport([throttle, throttle, throttle, throttle])
        let client = AWSFixtures.client(transport, configuration: AWSFixtures.configuration(maxAttempts: 2))

        let error = try await #require(throws: AWSError.self) { try await client.send(AWSFixtures.createRuntime) }

        #expect(transport.requests.count == 2)
        #expect(error.isThrottling)
        #expect(error.code == "ThrottlingException")
        #expect(error.requestID == "req-1")
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let transport = ScriptedTransport([
            .respond(
                status: 400, headers: ["x-amzn-errortype": "ValidationException:http://internal.amazon.com/coral/"],
                body: #"{"message":"bad name","reason":"FieldValidationFailed","fieldList":[{"name":"agentRuntimeName","message":"must match [a-zA-Z][a-zA-Z0-9_]{0,47}"}]}"#),
        ])
        let client = AWSFixtures.client(transport)

        let error = try await #require(throws: AWSError.self) { try await client.send(AWSFixtures.createRuntime) }

        #expect(transport.requests.count == 1)
        #expect(error.code == "ValidationException")
        #expect(error.reason == "FieldValidationFailed")
        #expect(error.fieldList == [.init(name: "agentRuntimeName", message: "must match [a-zA-Z][a-zA-Z0-9_]{0,47}")])
        #expect(error.description.contains("agentRuntimeName: must match"))
    }

    /// S3 answers 409 ConditionalRequestConflict to a conditional write that met another write
    /// of the same key in flight, and asks for a retry: the retry's 412 then says the other won.
    @Test func aConditionalWriteThatMetAnotherInFlightIsRetried() async throws {
        let transport = ScriptedTransport([
            .respond(status: 409, body: "<Error><Code>ConditionalRequestConflict</Code><Message>A conflicting conditional operation is currently in progress against this resource.</Message></Error>"),
            .respond(status: 412, body: "<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>"),
        ])
        let s3 = S3Client(client: AWSFixtures.client(transport))

        let error = try await #require(throws: AWSError.self) {
            try await s3.putObject(bucket: "b", key: "k", data: Data("{}".utf8), contentType: "application/json", condition: .noObject)
        }

        #expect(transport.requests.count == 2)
        #expect(transport.requests.allSatisfy { $0.headers["If-None-Match"] == "*" })
        #expect(error.code == "PreconditionFailed")
    }

    @Test func droppedConnectionsAreRetried() async throws {
        let transport = ScriptedTransport([.fail(.networkConnectionLost), .fail(.timedOut), .respond(status: 200, body: "{}")])
        let client = AWSFixtures.client(transport)
        #expect(try await client.send(AWSFixtures.createRuntime).status == 200)
        #expect(transport.requests.count == 3)
    }

    @Test func aConnectionThatNeverWorksEndsInAClearError() async throws {
        let transport = ScriptedTransport([.fail(.cannotConnectToHost), .fail(.cannotConnectToHost), .fail(.cannotConnectToHost)])
        let client = AWSFixtures.client(transport)

        let error = try await #require(throws: AWSConnectionError.self) { try await client.send(AWSFixtures.createRuntime) }

        #expect(error.attempts == 3)
        #expect(error.description.contains("CreateAgentRuntime could not reach http://127.0.0.1:5000 after 3 attempts"))
        #expect(error.description.contains("AWS_ENDPOINT_URL"))
    }

    @Test func backoffGrowsExponentiallyUnderItsCap() {
        let policy = AWSRetryPolicy(maxAttempts: 10, baseDelay: .seconds(1), maxDelay: .seconds(20))
        #expect(policy.delay(beforeRetry: 1, random: 1) == .seconds(1))
        #expect(policy.delay(beforeRetry: 2, random: 1) == .seconds(2))
        #expect(policy.delay(beforeRetry: 4, random: 1) == .seconds(8))
        #expect(policy.delay(beforeRetry: 9, random: 1) == .seconds(20))
        #expect(policy.delay(beforeRetry: 3, random: 0.25) == .seconds(1))
        #expect(policy.delay(beforeRetry: 3, random: 0) == .zero)
    }

    // MARK: Endpoints and signing

    @Test func awsEndpointsComeFromTheServicePrefixAndRegion() async throws {
        let transport = ScriptedTransport([.respond(status: 200), .respond(status: 200), .respond(status: 200)])
        let client = AWSFixtures.client(transport, configuration: AWSFixtures.configuration(region: "eu-west-1", endpoint: nil))

        _ = try await client.send(AWSRequest(
            service: .agentCoreControl, operation: "GetAgentRuntime", method: "GET", path: "/runtimes/a b:c/",
            query: [URLQueryItem(name: "version", value: "2")]))
        _ = try await client.send(AWSRequest(service: .s3, operation: "HeadObject", method: "HEAD", path: "/my-bucket/dir/a+b.zip"))
        _ = try await client.send(AWSRequest(service: .s3, operation: "HeadObject", method: "HEAD", path: "/dotted.bucket/k"))

        #expect(transport.requests.map(\.url.absoluteString) == [
            "https://bedrock-agentcore-control.eu-west-1.amazonaws.com/runtimes/a%20b%3Ac/?version=2",
            "https://my-bucket.s3.eu-west-1.amazonaws.com/dir/a%2Bb.zip",
            "https://s3.eu-west-1.amazonaws.com/dotted.bucket/k",
        ])
        let authorization = try #require(transport.requests[0].headers["Authorization"])
        #expect(authorization.contains("/eu-west-1/bedrock-agentcore/aws4_request"))
        #expect(transport.requests[1].headers["x-amz-content-sha256"] == SigV4Signer.emptyPayloadHash)
        #expect(transport.requests[0].headers["x-amz-content-sha256"] == nil)
    }

    @Test func customEndpointsUsePathStyleBucketsAndPerServiceOverrides() async throws {
        var configuration = AWSFixtures.configuration(endpoint: "http://127.0.0.1:5000")
        configuration.serviceEndpoints = ["S3": URL(string: "http://localhost:9000/prefix/")!]
        let transport = ScriptedTransport([.respond(status: 200), .respond(status: 200)])
        let client = AWSFixtures.client(transport, configuration: configuration)

        _ = try await client.send(AWSRequest(service: .s3, operation: "HeadObject", method: "HEAD", path: "/bucket/key"))
        _ = try await client.send(AWSRequest(service: .sts, operation: "GetCallerIdentity", method: "POST", path: "/"))

        #expect(transport.requests.map(\.url.absoluteString) == [
            "http://localhost:9000/prefix/bucket/key",
            "http://127.0.0.1:5000/",
        ])
    }

    @Test func sessionTokensAreSentAndUnsignedRequestsCarryNoSignature() async throws {
        let transport = ScriptedTransport([.respond(status: 200), .respond(status: 200)])
        let temporary = AWSCredentials(accessKeyID: "ASIA", secretAccessKey: "s", sessionToken: "the-token")
        let client = AWSFixtures.client(transport, credentials: StaticCredentialsProvider(temporary))

        _ = try await client.send(AWSFixtures.createRuntime)
        _ = try await client.send(AWSRequest(service: .sts, operation: "AssumeRoleWithWebIdentity", method: "POST", path: "/", isUnsigned: true))

        #expect(transport.requests[0].headers["X-Amz-Security-Token"] == "the-token")
        #expect(transport.requests[0].headers["Authorization"]?.contains("x-amz-security-token") == true)
        #expect(transport.requests[1].headers["Authorization"] == nil)
        #expect(transport.requests[1].headers["X-Amz-Security-Token"] == nil)
    }
}

extension AWSFixtures {
    static var createRuntimeBody: Data {
        guard case .data(let data) = createRuntime.body else { return Data() }
        return data
    }
}
