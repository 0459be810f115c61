import AgentCoreGitOps
import Foundation

/// The AWS clients a command uses, set up from the environment as the AWS CLI would be.
/// Resolving fails (no credentials, no region) before any request is sent.
struct Services {
    /// The signing, retrying transport the clients below share.
    let client: AWSClient
    let control: any AgentCoreControlClient
    let s3: S3Client
    let dataPlane: AgentCoreDataPlane
    /// Text, or with `--json` one JSON object.
    let output: Output

    init(_ options: GlobalOptions) throws {
        var environment = ProcessInfo.processInfo.environment
        if let region = options.region { environment["AWS_REGION"] = region }
        // Retries are announced on stderr; the lines never carry headers or secrets.
        client = AWSClient(configuration: try AWSConfiguration.resolve(environment: environment), log: progress)
        control = AgentCoreControl(transport: client)
        s3 = S3Client(client: client)
        dataPlane = AgentCoreDataPlane(client: client)
        output = Output(json: options.json)
    }

    func waiter(_ options: WaitOptions) -> AgentCoreWaiter {
        AgentCoreWaiter(client: control, policy: options.policy, onStatusChange: { progress("  status: \($0)") })
    }

    /// The code zip must exist before a runtime is pointed at it; AWS would only find out later.
    /// A versioned bucket's version id is pinned, so the runtime runs exactly the object checked.
    func checkedCode(at location: S3Location) async throws -> S3CodeLocation {
        guard let object = try await s3.headObject(bucket: location.bucket, key: location.key) else {
            throw ActionableError("nothing is stored at \(location) (no such object, or no such bucket)",
                                  fix: "upload the code zip first (`agentcore package`), or correct --code")
        }
        return S3CodeLocation(bucket: location.bucket, prefix: location.key, versionId: object.versionID)
    }
}
