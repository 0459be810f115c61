import Foundation

/// An IAM policy document: what `agentcore setup policies` prints, what docs/setup.md shows, and
/// what `PolicyEvaluator` reads. Decodes any policy written with the elements it models; prints
/// with IAM's usual element order.
public struct PolicyDocument: Sendable, Hashable, Decodable {
    public static let currentVersion = "2012-10-17"

    public var version: String
    public var statements: [PolicyStatement]

    public init(_ statements: [PolicyStatement]) {
        self.version = Self.currentVersion
        self.statements = statements
    }

    private enum CodingKeys: String, CodingKey {
        case version = "Version"
        case statements = "Statement"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decodeIfPresent(String.self, forKey: .version) ?? Self.currentVersion
        // IAM accepts one statement object in place of the array.
        if let one = try? container.decode(PolicyStatement.self, forKey: .statements) {
            statements = [one]
        } else {
            statements = try container.decode([PolicyStatement].self, forKey: .statements)
        }
    }

    public var json: OrderedJSON {
        .object([.init("Version", .string(version)), .init("Statement", .array(statements.map(\.json)))])
    }

    /// The policy as docs/setup.md and the CLI print it.
    public var text: String { json.rendered() }

    /// The statement with this `Sid`.
    public func statement(_ sid: String) -> PolicyStatement? {
        statements.first { $0.sid == sid }
    }

    /// Every action an Allow statement names (as written: a wildcard stays a wildcard).
    public var allowedActions: Set<String> {
        Set(statements.filter { $0.effect == .allow }.flatMap { $0.action?.values ?? [] })
    }
}

/// One or more strings, which IAM writes as a bare string or as an array. How it was written is
/// kept, so a policy prints back as it came.
public struct PolicyValues: Sendable, Hashable, Decodable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    public var values: [String]

    public init(_ values: [String]) { self.values = values }
    public init(stringLiteral value: String) { values = [value] }
    public init(arrayLiteral elements: String...) { values = elements }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(String.self) {
            values = [one]
        } else {
            values = try container.decode([String].self)
        }
    }

    /// One value prints as a string, several as an array.
    public var json: OrderedJSON {
        values.count == 1 ? .string(values[0]) : .array(values.map(OrderedJSON.string))
    }
}

/// Who a trust policy lets in: `"*"`, or principals by kind (`Service`, `Federated`, `AWS`).
public enum PolicyPrincipal: Sendable, Hashable, Decodable {
    case anyone
    case identified([String: PolicyValues])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard text == "*" else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "a Principal string must be \"*\"")
            }
            self = .anyone
        } else {
            self = .identified(try container.decode([String: PolicyValues].self))
        }
    }

    var json: OrderedJSON {
        switch self {
        case .anyone: .string("*")
        case .identified(let kinds): .object(kinds.keys.sorted().map { .init($0, kinds[$0]!.json) })
        }
    }
}

/// `{"StringEquals": {"key": values}, ...}`: every operator block must hold, and within a block
/// every key.
public typealias PolicyConditions = [String: [String: PolicyValues]]

public struct PolicyStatement: Sendable, Hashable, Decodable {
    public enum Effect: String, Sendable, Hashable, Decodable {
        case allow = "Allow"
        case deny = "Deny"
    }

    public var sid: String?
    public var effect: Effect = .allow
    public var principal: PolicyPrincipal?
    public var action: PolicyValues?
    public var notAction: PolicyValues?
    public var resource: PolicyValues?
    public var notResource: PolicyValues?
    public var condition: PolicyConditions?

    private enum CodingKeys: String, CodingKey {
        case sid = "Sid", effect = "Effect", principal = "Principal", action = "Action", notAction = "NotAction"
        case resource = "Resource", notResource = "NotResource", condition = "Condition"
    }

    public var json: OrderedJSON {
        var members: [OrderedJSON.Member] = []
        if let sid { members.append(.init("Sid", .string(sid))) }
        members.append(.init("Effect", .string(effect.rawValue)))
        if let principal { members.append(.init("Principal", principal.json)) }
        if let action { members.append(.init("Action", action.json)) }
        if let notAction { members.append(.init("NotAction", notAction.json)) }
        if let resource { members.append(.init("Resource", resource.json)) }
        if let notResource { members.append(.init("NotResource", notResource.json)) }
        if let condition {
            // Operators and keys in a fixed order, so the text never changes from run to run.
            members.append(.init("Condition", .object(condition.keys.sorted().map { name in
                let block = condition[name]!
                return .init(name, .object(block.keys.sorted().map { .init($0, block[$0]!.json) }))
            })))
        }
        return .object(members)
    }
}
