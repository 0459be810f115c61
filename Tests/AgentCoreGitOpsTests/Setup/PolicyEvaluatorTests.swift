import Foundation
import Testing
@testable import AgentCoreGitOps

/// The evaluator on its own: each case is a policy, a request and IAM's answer.
@Suite struct PolicyEvaluatorTests {
    static func policy(_ json: String) throws -> PolicyDocument {
        try JSONDecoder().decode(PolicyDocument.self, from: Data(json.utf8))
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var policy: String
        var request: AuthorizationRequest
        var expected: PolicyDecision
        var testDescription: String { name }
    }

    static let runtimeArn = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/pr_42-AbCdEfGhIj"

    static let cases: [Case] = [
        Case(name: "an action on * is allowed by Resource *",
             policy: #"{"Statement": {"Sid": "A", "Effect": "Allow", "Action": "bedrock-agentcore:ListAgentRuntimes", "Resource": "*"}}"#,
             request: .init(action: "bedrock-agentcore:ListAgentRuntimes", resource: "*"), expected: .allowed(statement: "A")),
        Case(name: "an action without resource type is not allowed by an ARN pattern",
             policy: #"{"Statement": [{"Effect": "Allow", "Action": "bedrock-agentcore:ListAgentRuntimeEndpoints", "Resource": "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/*"}]}"#,
             request: .init(action: "bedrock-agentcore:ListAgentRuntimeEndpoints", resource: "*"), expected: .implicitlyDenied),
        Case(name: "actions match without regard to case, with * and ?",
             policy: #"{"Statement": [{"Sid": "W", "Effect": "Allow", "Action": ["S3:get*", "bedrock-agentcore:?etAgentRuntime"], "Resource": "*"}]}"#,
             request: .init(action: "bedrock-agentcore:GetAgentRuntime", resource: runtimeArn), expected: .allowed(statement: "W")),
        Case(name: "? matches exactly one character",
             policy: #"{"Statement": [{"Effect": "Allow", "Action": "bedrock-agentcore:?AgentRuntime", "Resource": "*"}]}"#,
             request: .init(action: "bedrock-agentcore:GetAgentRuntime", resource: "*"), expected: .implicitlyDenied),
        Case(name: "resources match with case",
             policy: #"{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/PR_*"}]}"#,
             request: .init(action: "s3:GetObject", resource: "arn:aws:s3:::bucket/pr_1/code.zip"), expected: .implicitlyDenied),
        Case(name: "a resource * spans slashes within the resource part",
             policy: #"{"Statement": [{"Sid": "P", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/pr_*"}]}"#,
             request: .init(action: "s3:GetObject", resource: "arn:aws:s3:::bucket/pr_1/v1/code.zip"), expected: .allowed(statement: "P")),
        Case(name: "runtime/pr_* does not match prod",
             policy: #"{"Statement": [{"Effect": "Allow", "Action": "bedrock-agentcore:DeleteAgentRuntime", "Resource": "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/pr_*"}]}"#,
             request: .init(action: "bedrock-agentcore:DeleteAgentRuntime", resource: "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/prod-AbCdEfGhIj"),
             expected: .implicitlyDenied),
        Case(name: "a wildcard never spans the account segment",
             policy: #"{"Statement": [{"Effect": "Allow", "Action": "bedrock-agentcore:GetAgentRuntime", "Resource": "arn:aws:bedrock-agentcore:us-east-1:*runtime/*"}]}"#,
             request: .init(action: "bedrock-agentcore:GetAgentRuntime", resource: runtimeArn), expected: .implicitlyDenied),
        Case(name: "an explicit deny wins over an allow",
             policy: #"{"Statement": [{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}, {"Sid": "NoDelete", "Effect": "Deny", "Action": "bedrock-agentcore:Delete*", "Resource": "*"}]}"#,
             request: .init(action: "bedrock-agentcore:DeleteAgentRuntime", resource: runtimeArn), expected: .explicitlyDenied(statement: "NoDelete")),
        Case(name: "NotAction allows everything else",
             policy: #"{"Statement": [{"Sid": "N", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}"#,
             request: .init(action: "IAM:PassRole", resource: "arn:aws:iam::123456789012:role/x"), expected: .implicitlyDenied),
        Case(name: "NotResource allows other resources",
             policy: #"{"Statement": [{"Sid": "N", "Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}]}"#,
             request: .init(action: "s3:PutObject", resource: "arn:aws:s3:::bucket/a"), expected: .allowed(statement: "N")),
        Case(name: "StringEquals holds for the passed service",
             policy: #"{"Statement": [{"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/Exec", "Condition": {"StringEquals": {"iam:PassedToService": "bedrock-agentcore.amazonaws.com"}}}]}"#,
             request: .init(action: "iam:PassRole", resource: "arn:aws:iam::123456789012:role/Exec",
                            context: ["iam:PassedToService": ["bedrock-agentcore.amazonaws.com"]]),
             expected: .allowed(statement: "Pass")),
        Case(name: "StringEquals fails for another service",
             policy: #"{"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": {"StringEquals": {"iam:PassedToService": "bedrock-agentcore.amazonaws.com"}}}]}"#,
             request: .init(action: "iam:PassRole", resource: "arn:aws:iam::123456789012:role/Exec", context: ["iam:PassedToService": ["lambda.amazonaws.com"]]),
             expected: .implicitlyDenied),
        Case(name: "a missing key fails a positive operator",
             policy: #"{"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": {"StringEquals": {"iam:PassedToService": "x"}}}]}"#,
             request: .init(action: "iam:PassRole", resource: "*"), expected: .implicitlyDenied),
        Case(name: "a missing key passes a negated operator and IfExists",
             policy: #"{"Statement": [{"Sid": "N", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*", "Condition": {"StringNotEquals": {"s3:x-amz-acl": "public-read"}, "StringEqualsIfExists": {"aws:RequestTag/team": "a"}}}]}"#,
             request: .init(action: "s3:PutObject", resource: "arn:aws:s3:::b/k"), expected: .allowed(statement: "N")),
        Case(name: "all keys of a block and all blocks must hold",
             policy: #"{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "bedrock-agentcore.amazonaws.com"}, "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}, "ArnLike": {"aws:SourceArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:*"}}}]}"#,
             request: .init(action: "sts:AssumeRole", resource: "*", principal: .init(kind: "Service", id: "bedrock-agentcore.amazonaws.com"),
                            context: ["aws:SourceAccount": ["123456789012"], "aws:SourceArn": ["arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/x"]]),
             expected: .implicitlyDenied),
        Case(name: "ArnLike matches segment by segment",
             policy: #"{"Statement": [{"Sid": "T", "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "bedrock-agentcore.amazonaws.com"}, "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}, "ArnLike": {"aws:SourceArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:*"}}}]}"#,
             request: .init(action: "sts:AssumeRole", resource: "*", principal: .init(kind: "Service", id: "bedrock-agentcore.amazonaws.com"),
                            context: ["aws:SourceAccount": ["123456789012"], "aws:SourceArn": [runtimeArn]]),
             expected: .allowed(statement: "T")),
        Case(name: "a trust policy lets in only its principal",
             policy: #"{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "bedrock-agentcore.amazonaws.com"}}]}"#,
             request: .init(action: "sts:AssumeRole", resource: "*", principal: .init(kind: "Service", id: "bedrock.amazonaws.com")),
             expected: .implicitlyDenied),
        Case(name: "a multi-valued StringEquals matches any value",
             policy: #"{"Statement": [{"Sid": "G", "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}, "Condition": {"StringEquals": {"token.actions.githubusercontent.com:sub": ["repo:o/r:pull_request", "repo:o@1/r@2:pull_request"]}}}]}"#,
             request: .init(action: "sts:AssumeRoleWithWebIdentity", resource: "*",
                            principal: .init(kind: "Federated", id: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"),
                            context: ["token.actions.githubusercontent.com:sub": ["repo:o@1/r@2:pull_request"]]),
             expected: .allowed(statement: "G")),
        Case(name: "StringLike is a case-sensitive glob",
             policy: #"{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": "*", "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/*"}}}]}"#,
             request: .init(action: "sts:AssumeRoleWithWebIdentity", resource: "*", principal: .init(kind: "Federated", id: "x"),
                            context: ["token.actions.githubusercontent.com:sub": ["repo:O/r:ref:refs/heads/main"]]),
             expected: .implicitlyDenied),
        Case(name: "ForAnyValue needs one request value in the set",
             policy: #"{"Statement": [{"Sid": "T", "Effect": "Allow", "Action": "bedrock-agentcore:CreateAgentRuntime", "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "owner"]}}}]}"#,
             request: .init(action: "bedrock-agentcore:CreateAgentRuntime", resource: "*", context: ["aws:TagKeys": ["cost", "owner"]]),
             expected: .allowed(statement: "T")),
        Case(name: "ForAnyValue fails on an empty set",
             policy: #"{"Statement": [{"Effect": "Allow", "Action": "bedrock-agentcore:CreateAgentRuntime", "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": "team"}}}]}"#,
             request: .init(action: "bedrock-agentcore:CreateAgentRuntime", resource: "*"), expected: .implicitlyDenied),
        Case(name: "ForAllValues fails on a value outside the set",
             policy: #"{"Statement": [{"Sid": "T", "Effect": "Allow", "Action": "bedrock-agentcore:CreateAgentRuntime", "Resource": "*", "Condition": {"ForAllValues:StringLike": {"aws:TagKeys": "team*"}}}]}"#,
             request: .init(action: "bedrock-agentcore:CreateAgentRuntime", resource: "*", context: ["aws:TagKeys": ["team", "cost"]]),
             expected: .implicitlyDenied),
    ]

    @Test(arguments: cases)
    func decides(_ item: Case) throws {
        #expect(try PolicyEvaluator.evaluate(item.request, policy: Self.policy(item.policy)) == item.expected)
    }

    @Test func forAllValuesHoldsForAnEmptySet() throws {
        let policy = try Self.policy(#"{"Statement": [{"Sid": "T", "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ForAllValues:StringLike": {"aws:TagKeys": "team*"}}}]}"#)
        #expect(try PolicyEvaluator.evaluate(.init(action: "s3:GetObject", resource: "*"), policy: policy) == .allowed(statement: "T"))
    }

    @Test func anOperatorItDoesNotModelIsRefusedNotGuessed() throws {
        let policy = try Self.policy(#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericLessThan": {"s3:max-keys": "10"}}}]}"#)
        let error = #expect(throws: PolicyEvaluationError.self) {
            try PolicyEvaluator.evaluate(.init(action: "s3:ListBucket", resource: "*"), policy: policy)
        }
        #expect(error?.description.contains("NumericLessThan is not modelled") == true)
    }

    @Test func wildcardsBacktrack() {
        #expect(Wildcard.matches("a*b*c", "aXbYbZc"))
        #expect(Wildcard.matches("*", ""))
        #expect(!Wildcard.matches("a*b", "aXbY"))
        #expect(Wildcard.matches("runtime/pr_*/runtime-endpoint/*", "runtime/pr_1-x/runtime-endpoint/DEFAULT"))
    }

    /// A policy prints back as IAM writes it: element order, strings for one value, arrays for more.
    @Test func policiesPrintWithIAMsElementOrder() throws {
        let document = PolicyDocument([PolicyStatement(
            sid: "S", principal: .identified(["Service": "x.amazonaws.com"]), action: "sts:AssumeRole",
            condition: ["StringEquals": ["k": ["a", "b"]]])])
        #expect(document.text == """
            {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Sid": "S",
                  "Effect": "Allow",
                  "Principal": {"Service": "x.amazonaws.com"},
                  "Action": "sts:AssumeRole",
                  "Condition": {"StringEquals": {"k": ["a", "b"]}}
                }
              ]
            }
            """)
        #expect(try Self.policy(document.text) == document)
    }
}
