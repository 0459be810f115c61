import Foundation

/// One thing IAM is asked to authorize: an action on a resource, by a principal (for trust
/// policies), with the request's condition keys.
public struct AuthorizationRequest: Sendable, Hashable, CustomStringConvertible {
    /// A principal as trust policies name it: kind `Service`, `Federated` or `AWS`, and its id.
    public struct Principal: Sendable, Hashable {
        public var kind: String
        public var id: String
    }

    /// `service:Action`, e.g. `bedrock-agentcore:CreateAgentRuntime`.
    public var action: String
    /// An ARN, or `*` for actions the Service Authorization Reference gives no resource type:
    /// only a statement on `"Resource": "*"` allows those.
    public var resource: String
    public var principal: Principal?
    /// Condition keys and their values (several for a multivalued key).
    public var context: [String: [String]] = [:]

    public var description: String { "\(action) on \(resource)" }
}

public enum PolicyDecision: Sendable, Equatable {
    /// Allowed by the statement with this Sid (nil when it has none), and denied by none.
    case allowed(statement: String?)
    /// A Deny statement matched; it wins over any Allow.
    case explicitlyDenied(statement: String?)
    /// No statement allows it.
    case implicitlyDenied

    public var isAllowed: Bool {
        if case .allowed = self { return true }
        return false
    }
}

/// A policy uses something this evaluator does not model; evaluating it anyway could call a
/// denied request allowed, so it refuses instead.
public struct PolicyEvaluationError: Error, Equatable, CustomStringConvertible {
    public var problem: String
    public var description: String {
        "\(problem) — the policy evaluator models Allow/Deny, Action/NotAction, Resource/NotResource, Principal and "
            + "the String and Arn condition operators (with IfExists, ForAnyValue, ForAllValues); rewrite the statement "
            + "with those, or extend Setup/PolicyEvaluator.swift"
    }
}

/// IAM's evaluation of identity-based and trust policies, for the parts the policies of this tool
/// use: an explicit Deny wins, then any Allow, else the request is denied. Actions match without
/// regard to case, resources and ARN conditions segment by segment with case, `*` and `?` as
/// wildcards. Not modelled (and not used here): permission boundaries, SCPs, session policies,
/// resource-based policies of other accounts, and policy variables.
public enum PolicyEvaluator {
    public static func evaluate(_ request: AuthorizationRequest, policies: [PolicyDocument]) throws -> PolicyDecision {
        var allowedBy: String??
        for statement in policies.flatMap(\.statements) where try applies(statement, to: request) {
            switch statement.effect {
            case .deny: return .explicitlyDenied(statement: statement.sid)
            case .allow: if allowedBy == nil { allowedBy = .some(statement.sid) }
            }
        }
        if let allowedBy { return .allowed(statement: allowedBy) }
        return .implicitlyDenied
    }

    public static func evaluate(_ request: AuthorizationRequest, policy: PolicyDocument) throws -> PolicyDecision {
        try evaluate(request, policies: [policy])
    }

    static func applies(_ statement: PolicyStatement, to request: AuthorizationRequest) throws -> Bool {
        guard principalMatches(statement.principal, request.principal) else { return false }
        switch (statement.action, statement.notAction) {
        case (let action?, nil): guard action.values.contains(where: { actionMatches($0, request.action) }) else { return false }
        case (nil, let notAction?): guard !notAction.values.contains(where: { actionMatches($0, request.action) }) else { return false }
        default: throw PolicyEvaluationError(problem: "statement \(statement.sid ?? "without Sid") must have exactly one of Action and NotAction")
        }
        switch (statement.resource, statement.notResource) {
        case (let resource?, nil):
            guard resource.values.contains(where: { resourceMatches($0, request.resource) }) else { return false }
        case (nil, let notResource?):
            guard !notResource.values.contains(where: { resourceMatches($0, request.resource) }) else { return false }
        case (nil, nil) where statement.principal != nil:
            break  // a trust policy: the resource is the role itself
        default:
            throw PolicyEvaluationError(problem: "statement \(statement.sid ?? "without Sid") must have exactly one of Resource and NotResource")
        }
        for (operatorName, block) in statement.condition ?? [:] {
            let condition = try ConditionOperator(operatorName)
            for (key, values) in block where !condition.holds(policyValues: values.values, requestValues: request.context[key]) {
                return false
            }
        }
        return true
    }

    /// A statement without `Principal` belongs to an identity policy and applies to its identity.
    static func principalMatches(_ principal: PolicyPrincipal?, _ requester: AuthorizationRequest.Principal?) -> Bool {
        switch principal {
        case nil, .anyone?: return true
        case .identified(let kinds)?:
            guard let requester, let ids = kinds[requester.kind] else { return false }
            return ids.values.contains { $0 == "*" || $0 == requester.id }
        }
    }

    static func actionMatches(_ pattern: String, _ action: String) -> Bool {
        Wildcard.matches(pattern.lowercased(), action.lowercased())
    }

    /// `*` matches every resource; otherwise both must be ARNs, compared segment by segment (a
    /// wildcard never spans the `:` between partition, service, region and account).
    static func resourceMatches(_ pattern: String, _ resource: String) -> Bool {
        if pattern == "*" { return true }
        return arnMatches(pattern, resource)
    }

    static func arnMatches(_ pattern: String, _ arn: String) -> Bool {
        let patternParts = pattern.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        let arnParts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard patternParts.count == 6, arnParts.count == 6 else { return false }
        return zip(patternParts, arnParts).allSatisfy { Wildcard.matches(String($0), String($1)) }
    }
}

/// A condition operator such as `StringEquals`, `ForAnyValue:StringLike` or `ArnLikeIfExists`.
struct ConditionOperator {
    enum Comparison: String, CaseIterable {
        case stringEquals = "StringEquals", stringNotEquals = "StringNotEquals"
        case stringEqualsIgnoreCase = "StringEqualsIgnoreCase", stringNotEqualsIgnoreCase = "StringNotEqualsIgnoreCase"
        case stringLike = "StringLike", stringNotLike = "StringNotLike"
        case arnEquals = "ArnEquals", arnNotEquals = "ArnNotEquals", arnLike = "ArnLike", arnNotLike = "ArnNotLike"

        var isNegated: Bool { rawValue.contains("Not") }

        /// The positive comparison of one request value with one policy value.
        func matches(policy: String, request: String) -> Bool {
            switch self {
            case .stringEquals, .stringNotEquals: policy == request
            case .stringEqualsIgnoreCase, .stringNotEqualsIgnoreCase: policy.lowercased() == request.lowercased()
            case .stringLike, .stringNotLike: Wildcard.matches(policy, request)
            // IAM documents ArnEquals and ArnLike as the same comparison.
            case .arnEquals, .arnNotEquals, .arnLike, .arnNotLike: PolicyEvaluator.arnMatches(policy, request)
            }
        }
    }

    enum SetQualifier { case none, forAnyValue, forAllValues }

    let comparison: Comparison
    let qualifier: SetQualifier
    let ifExists: Bool

    init(_ name: String) throws {
        var rest = Substring(name)
        if rest.hasPrefix("ForAnyValue:") {
            qualifier = .forAnyValue
            rest = rest.dropFirst("ForAnyValue:".count)
        } else if rest.hasPrefix("ForAllValues:") {
            qualifier = .forAllValues
            rest = rest.dropFirst("ForAllValues:".count)
        } else {
            qualifier = .none
        }
        ifExists = rest.hasSuffix("IfExists")
        if ifExists { rest = rest.dropLast("IfExists".count) }
        guard let comparison = Comparison(rawValue: String(rest)) else {
            throw PolicyEvaluationError(problem: "condition operator \(name) is not modelled")
        }
        self.comparison = comparison
    }

    /// IAM's rules: a key missing from the request fails a positive operator and passes a
    /// negated one (and any `...IfExists`); `ForAllValues` holds for an empty set,
    /// `ForAnyValue` does not.
    func holds(policyValues: [String], requestValues: [String]?) -> Bool {
        let present = requestValues ?? []
        let matchesOne = { (value: String) in policyValues.contains { comparison.matches(policy: $0, request: value) } }
        switch qualifier {
        case .forAllValues:
            return present.allSatisfy { comparison.isNegated ? !matchesOne($0) : matchesOne($0) }
        case .forAnyValue:
            if present.isEmpty { return ifExists }
            return present.contains { comparison.isNegated ? !matchesOne($0) : matchesOne($0) }
        case .none:
            if present.isEmpty { return ifExists || comparison.isNegated }
            let anyMatch = present.contains(where: matchesOne)
            return comparison.isNegated ? !anyMatch : anyMatch
        }
    }
}

/// IAM's glob: `*` any run of characters (none included), `?` exactly one.
enum Wildcard {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.unicodeScalars), t = Array(text.unicodeScalars)
        var pi = 0, ti = 0
        var star: Int?, starText = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                starText = ti
                pi += 1
            } else if let star {
                // Let the last `*` take one more character and try again.
                pi = star + 1
                starText += 1
                ti = starText
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
