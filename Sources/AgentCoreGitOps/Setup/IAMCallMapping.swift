import Foundation

/// One AWS API call as IAM sees it: the operation and the resources the request names.
/// The sandbox's `GET /_sandbox/calls` lists calls in this shape; `agentcore setup check` builds
/// them for its own probes.
public struct AWSCall: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Identifiers from the path, query, headers and body (and, for a created runtime, the answer).
    public struct Resources: Sendable, Hashable, Codable {
        public var runtimeId: String?
        public var runtimeName: String?
        public var endpointName: String?
        /// The execution role a Create/UpdateAgentRuntime passes.
        public var roleArn: String?
        /// The code zip a Create/UpdateAgentRuntime points at.
        public var codeBucket: String?
        public var codeKey: String?
        public var codeVersionId: String?
        public var tagKeys: [String]?
        /// S3: the object (or bucket) the request addresses.
        public var bucket: String?
        public var key: String?
        public var versionId: String?
        /// S3 CopyObject: `x-amz-copy-source`.
        public var copySourceBucket: String?
        public var copySourceKey: String?
        public var copySourceVersionId: String?
    }

    /// The SigV4 signing name, which is also the IAM prefix (`bedrock-agentcore`, `s3`, `sts`).
    public var service: String
    public var operation: String
    /// The HTTP status answered (nil when none was).
    public var status: Int?
    public var resources: Resources = Resources()

    public var description: String {
        let named = [resources.runtimeId ?? resources.runtimeName, resources.endpointName, resources.bucket, resources.key]
            .compactMap { $0 }
        return "\(service) \(operation)" + (named.isEmpty ? "" : " (\(named.joined(separator: " ")))")
    }
}

/// A call the mapping cannot turn into IAM requests: an operation it does not know, or one
/// whose request did not name what IAM authorizes.
public struct IAMCallMappingError: Error, Equatable, CustomStringConvertible {
    public var call: String
    public var problem: String
    public var description: String {
        "cannot map \(call) to IAM: \(problem) — add it to Setup/IAMCallMapping.swift from ../shared/reference/iam.md"
    }
}

/// What IAM authorizes for each call the tool makes, per `../shared/reference/iam.md` (§1, §1b, §2):
/// the operation's own action on its resource, the actions the operation authorizes besides
/// (CreateAgentRuntime creates the DEFAULT endpoint; deleting a runtime deletes its endpoints and
/// workload identity), and what AgentCore does as the caller (reads the code zip, passes the
/// execution role, creates the runtime-identity service-linked role).
public struct IAMCallMapping: Sendable {
    public var names: ResourceNames

    public func requests(for call: AWSCall) throws -> [AuthorizationRequest] {
        switch call.service {
        case "bedrock-agentcore": return try agentCore(call)
        case "s3": return try s3(call)
        // GetCallerIdentity needs no permission; AssumeRoleWithWebIdentity is the trust policy's.
        case "sts" where ["GetCallerIdentity", "AssumeRoleWithWebIdentity"].contains(call.operation): return []
        default: throw IAMCallMappingError(call: call.description, problem: "no mapping for service \(call.service)")
        }
    }

    // MARK: AgentCore control plane

    private func agentCore(_ call: AWSCall) throws -> [AuthorizationRequest] {
        let r = call.resources
        func action(_ name: String) -> String { "bedrock-agentcore:\(name)" }
        func runtimeID() throws -> String {
            guard let id = r.runtimeId else { throw IAMCallMappingError(call: call.description, problem: "the call names no runtime id") }
            return id
        }
        func endpointName() throws -> String {
            guard let name = r.endpointName else { throw IAMCallMappingError(call: call.description, problem: "the call names no endpoint") }
            return name
        }
        switch call.operation {
        case "ListAgentRuntimes", "ListAgentRuntimeVersions", "ListAgentRuntimeEndpoints":
            // No resource type in the Service Authorization Reference: only "*" allows them.
            return [AuthorizationRequest(action: action(call.operation), resource: "*")]
        case "GetAgentRuntime":
            return [AuthorizationRequest(action: action(call.operation), resource: names.runtime(try runtimeID()))]
        case "CreateAgentRuntime":
            // The new runtime's id is known only from the answer; a refused call has none, and
            // then only the checks that precede creation are mapped.
            var requests = [AuthorizationRequest(action: action("CreateAgentRuntime"), resource: "*")]
            if let id = r.runtimeId {
                requests.append(AuthorizationRequest(
                    action: action("CreateAgentRuntimeEndpoint"), resource: names.runtime(id)))
                // Reported by public deployers (iam.md §1 note c); the identity is named after the runtime.
                requests += [names.workloadIdentityDirectory, names.workloadIdentity(id)].map {
                    AuthorizationRequest(action: action("CreateWorkloadIdentity"), resource: $0)
                }
                if r.tagKeys?.isEmpty == false {
                    requests.append(AuthorizationRequest(action: action("TagResource"), resource: names.runtime(id)))
                }
            }
            return requests + (try asCaller(call))
        case "UpdateAgentRuntime":
            return [AuthorizationRequest(action: action(call.operation), resource: names.runtime(try runtimeID()))] + (try asCaller(call))
        case "DeleteAgentRuntime":
            let id = try runtimeID()
            return [
                AuthorizationRequest(action: action("DeleteAgentRuntime"), resource: names.runtime(id)),
                // The DEFAULT endpoint and the workload identity go with the runtime; both
                // resource types of each action are checked.
                AuthorizationRequest(action: action("DeleteAgentRuntimeEndpoint"), resource: names.runtime(id)),
                AuthorizationRequest(action: action("DeleteAgentRuntimeEndpoint"), resource: names.endpoint(runtime: id, name: "DEFAULT")),
                AuthorizationRequest(action: action("DeleteWorkloadIdentity"), resource: names.workloadIdentityDirectory),
                AuthorizationRequest(action: action("DeleteWorkloadIdentity"), resource: names.workloadIdentity(id)),
            ]
        case "InvokeAgentRuntime":
            // The data plane: both the runtime and the endpoint the qualifier names (DEFAULT when none).
            let id = try runtimeID()
            return [AuthorizationRequest(action: action(call.operation), resource: names.runtime(id)),
                    AuthorizationRequest(action: action(call.operation),
                                         resource: names.endpoint(runtime: id, name: r.endpointName ?? AgentRuntimeEndpoint.defaultName))]
        case "CreateAgentRuntimeEndpoint":
            // Only the runtime: the new endpoint's ARN is not a resource of this action.
            return [AuthorizationRequest(action: action(call.operation), resource: names.runtime(try runtimeID()))]
        case "GetAgentRuntimeEndpoint", "UpdateAgentRuntimeEndpoint", "DeleteAgentRuntimeEndpoint":
            let id = try runtimeID()
            return [
                AuthorizationRequest(action: action(call.operation), resource: names.runtime(id)),
                AuthorizationRequest(action: action(call.operation), resource: names.endpoint(runtime: id, name: try endpointName())),
            ]
        default:
            throw IAMCallMappingError(call: call.description, problem: "unknown AgentCore operation")
        }
    }

    /// What Create/UpdateAgentRuntime do with the caller's permissions: pass the execution role,
    /// read the code zip, and create the runtime-identity service-linked role when the account has
    /// none yet (iam.md §1, §1b).
    private func asCaller(_ call: AWSCall) throws -> [AuthorizationRequest] {
        let r = call.resources
        guard let role = r.roleArn, let bucket = r.codeBucket, let key = r.codeKey else {
            throw IAMCallMappingError(call: call.description, problem: "the call names no execution role or code location")
        }
        return [
            AuthorizationRequest(
                action: "iam:PassRole", resource: role, context: ["iam:PassedToService": [SetupPolicies.agentCoreService]]),
            // A pinned version is read as that version, which S3 authorizes as GetObjectVersion.
            AuthorizationRequest(action: r.codeVersionId == nil ? "s3:GetObject" : "s3:GetObjectVersion",
                                 resource: names.object(key, in: bucket)),
            AuthorizationRequest(
                action: "iam:CreateServiceLinkedRole", resource: names.runtimeIdentityServiceLinkedRole,
                context: ["iam:AWSServiceName": [SetupPolicies.runtimeIdentityService]]),
        ]
    }

    // MARK: S3

    private func s3(_ call: AWSCall) throws -> [AuthorizationRequest] {
        let r = call.resources
        guard let bucket = r.bucket else { throw IAMCallMappingError(call: call.description, problem: "the call names no bucket") }
        func object() throws -> String {
            guard let key = r.key, !key.isEmpty else { throw IAMCallMappingError(call: call.description, problem: "the call names no key") }
            return names.object(key, in: bucket)
        }
        // S3 answers 404 for a missing key only to a caller that may list the bucket (else 403).
        let listing = call.status == 404 ? [AuthorizationRequest(action: "s3:ListBucket", resource: "arn:\(names.partition):s3:::\(bucket)")] : []
        switch call.operation {
        case "HeadObject", "GetObject":
            return [AuthorizationRequest(action: r.versionId == nil ? "s3:GetObject" : "s3:GetObjectVersion", resource: try object())] + listing
        case "PutObject":
            return [AuthorizationRequest(action: "s3:PutObject", resource: try object())]
        case "DeleteObject":
            return [AuthorizationRequest(action: r.versionId == nil ? "s3:DeleteObject" : "s3:DeleteObjectVersion", resource: try object())]
        case "CopyObject":
            guard let sourceBucket = r.copySourceBucket, let sourceKey = r.copySourceKey else {
                throw IAMCallMappingError(call: call.description, problem: "the copy names no source")
            }
            return [
                AuthorizationRequest(
                    action: r.copySourceVersionId == nil ? "s3:GetObject" : "s3:GetObjectVersion",
                    resource: names.object(sourceKey, in: sourceBucket)),
                AuthorizationRequest(action: "s3:PutObject", resource: try object()),
            ]
        case "HeadBucket", "ListObjects", "ListObjectsV2":
            return [AuthorizationRequest(action: "s3:ListBucket", resource: "arn:\(names.partition):s3:::\(bucket)")]
        default:
            throw IAMCallMappingError(call: call.description, problem: "unknown S3 operation")
        }
    }
}
