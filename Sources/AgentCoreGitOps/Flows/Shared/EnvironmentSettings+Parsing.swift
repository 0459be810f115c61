import Foundation

// The runtime members of `agentcore.json`, read with the service model's rules
// (botocore 1.44.18, `bedrock-agentcore-control`): each member named as the API names it.

extension EnvironmentSettings {
    /// The runtime settings keys, as the API names them.
    static let keys = [
        "description", "environmentVariables", "lifecycleConfiguration", "networkConfiguration", "protocolConfiguration",
        "authorizerConfiguration", "requestHeaderConfiguration", "filesystemConfigurations", "tags", "platformVersion",
        "allowedPorts", "resourceConfigurations", "hooksConfiguration",
    ]

    /// The keys of the first version of `agentcore.json`, still accepted: each is one member of
    /// an API structure.
    static let shorthands: [(key: String, member: String, inside: String?)] = [
        ("networkMode", "networkConfiguration", "networkMode"),
        ("protocol", "protocolConfiguration", "serverProtocol"),
        ("lifecycle", "lifecycleConfiguration", nil),
    ]

    /// Rewrites the shorthands to the API's members, and says how to name a path as the user wrote it.
    static func expandShorthands(
        _ object: [String: Any], reader: SettingsReader, path: String
    ) throws -> (object: [String: Any], written: [(api: String, written: String)]) {
        var object = object
        var written: [(String, String)] = []
        for (key, member, inside) in shorthands {
            guard let value = object.removeValue(forKey: key) else { continue }
            guard object[member] == nil else {
                throw reader.error(SettingsReader.join(path, key), "and \(member) are both set", fix: "keep only \(member)")
            }
            if let inside {
                object[member] = [inside: value]
                written.append(("\(member).\(inside)", key))
            } else {
                object[member] = value
                written.append((member, key))
            }
        }
        return (object, written)
    }

    /// Reads the runtime settings of one (merged) object whose keys are the API's.
    static func parse(_ object: [String: Any], reader: SettingsReader, path: String) throws -> EnvironmentSettings {
        let r = reader
        func at(_ key: String) -> String { SettingsReader.join(path, key) }
        var settings = EnvironmentSettings()

        if let value = object["description"], !(value is NSNull) {
            settings.description = try r.string(value, at("description"), length: 1...maxDescriptionLength)
        }
        if let value = object["environmentVariables"] {
            settings.environmentVariables = try environmentVariables(value, r, at("environmentVariables"))
        }
        if let value = object["lifecycleConfiguration"] {
            settings.lifecycle = try lifecycle(value, r, at("lifecycleConfiguration"))
        }
        if let value = object["networkConfiguration"] {
            settings.network = try network(value, r, at("networkConfiguration"))
        }
        if let value = object["protocolConfiguration"] {
            settings.serverProtocol = try serverProtocol(value, r, at("protocolConfiguration"))
        }
        if let value = object["authorizerConfiguration"] {
            settings.authorizer = try authorizer(value, r, at("authorizerConfiguration"))
        }
        if let value = object["requestHeaderConfiguration"] {
            let path = at("requestHeaderConfiguration")
            let headers = try r.object(value, path)
            try r.rejectUnknownKeys(headers, path, allowed: ["requestHeaderAllowlist"])
            settings.requestHeaders = RequestHeaderConfiguration(requestHeaderAllowlist: try r.strings(
                try r.required(headers, "requestHeaderAllowlist", path), SettingsReader.join(path, "requestHeaderAllowlist"),
                count: 1...20, length: 1...256, pattern: /[A-Za-z][A-Za-z0-9_-]{0,255}/,
                patternHint: "a header name: a letter, then letters, digits, '_' or '-'"))
        }
        if let value = object["filesystemConfigurations"] {
            let path = at("filesystemConfigurations")
            settings.filesystems = try r.list(value, path, count: 0...5).enumerated().map { index, item in
                try filesystem(item, r, "\(path)[\(index)]")
            }
        }
        if let value = object["tags"] {
            settings.tags = try tags(value, r, at("tags"))
        }
        if let value = object["platformVersion"], !(value is NSNull) {
            settings.platformVersion = try r.string(
                value, at("platformVersion"), length: 1...128, pattern: /[^ \t\n\r\u{0B}\u{0C}]+/, patternHint: "no spaces")
        }
        if let value = object["allowedPorts"] {
            settings.allowedPorts = try allowedPorts(value, r, at("allowedPorts"))
        }
        if let value = object["resourceConfigurations"] {
            let path = at("resourceConfigurations")
            settings.resources = try r.list(value, path, count: 0...1).enumerated().map { index, item in
                let itemPath = "\(path)[\(index)]"
                let resource = try r.object(item, itemPath)
                try r.rejectUnknownKeys(resource, itemPath, allowed: ["minimumMemoryInMiB"])
                return ResourceConfiguration(minimumMemoryInMiB: try r.integer(
                    try r.required(resource, "minimumMemoryInMiB", itemPath), SettingsReader.join(itemPath, "minimumMemoryInMiB"),
                    range: 1...Int(Int32.max), unit: " of MiB"))
            }
        }
        if let value = object["hooksConfiguration"] {
            settings.hooks = try hooks(value, r, at("hooksConfiguration"))
            // AgentCore runs lifecycle hooks on platform version V2 only, and V1 is its default.
            if (settings.platformVersion ?? "V1") == "V1" {
                throw r.error(
                    at("hooksConfiguration"), "needs platform version V2: AgentCore refuses lifecycle hooks on V1, its default",
                    fix: "set \"platformVersion\": \"V2\" beside it")
            }
        }
        return settings
    }

    // MARK: Members

    private static func environmentVariables(_ value: Any, _ r: SettingsReader, _ path: String) throws -> [String: String] {
        let map = try r.object(value, path, what: "an object of names to string values")
        guard map.count <= AgentCoreValidation.maxEnvironmentVariables else {
            throw r.error(path, "has \(map.count) entries", fix: "AgentCore takes at most 50")
        }
        var variables: [String: String] = [:]
        for (key, value) in map {
            let keyPath = SettingsReader.join(path, key)
            // Code points, as AWS counts the 100 a name may have.
            guard key.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_]{0,99}/.matchingSemantics(.unicodeScalar)) != nil else {
                throw r.error(keyPath, "is not a valid variable name", fix: "use letters, digits and underscores, at most 100, not starting with a digit")
            }
            guard let text = value as? String else {
                throw r.error(keyPath, "must be a string", fix: "quote numbers and booleans")
            }
            guard text.awsLength <= AgentCoreValidation.maxEnvironmentValueLength else {
                throw r.error(keyPath, "is \(text.awsLength) characters long", fix: "AgentCore takes at most 5,000 characters (code points)")
            }
            if text.replacing(referencePattern, with: "").contains("${") {
                throw r.error(keyPath, "has a '${' that is not a reference", fix: "write references as ${NAME} (letters, digits, underscores)")
            }
            if let reserved = text.matches(of: referencePattern).map({ String($0.1) }).first(where: isJobCredential) {
                throw r.error(
                    keyPath, "references ${\(reserved)}, a variable of the job itself (its credentials, token or runner)",
                    fix: "reference a variable the workflow sets for the agent, e.g. from a GitHub secret; "
                        + "the job's own credentials never reach a runtime")
            }
            variables[key] = text
        }
        return variables
    }

    /// The job's own variables: its AWS credentials, GitHub token and OIDC request token, the
    /// runner's and this tool's settings. A pull request could otherwise hand them to its runtime.
    static let jobVariablePrefixes = ["AWS_", "GITHUB_", "ACTIONS_", "RUNNER_", "AGENTCORE_"]

    static func isJobCredential(_ name: String) -> Bool {
        jobVariablePrefixes.contains { name.hasPrefix($0) }
    }

    private static func lifecycle(_ value: Any, _ r: SettingsReader, _ path: String) throws -> LifecycleConfiguration {
        let map = try r.object(value, path, what: "an object with idleRuntimeSessionTimeout and/or maxLifetime")
        try r.rejectUnknownKeys(map, path, allowed: ["idleRuntimeSessionTimeout", "maxLifetime"])
        var lifecycle = LifecycleConfiguration(idleRuntimeSessionTimeout: 900, maxLifetime: 28800)
        let seconds = 60...1_209_600
        if let idle = map["idleRuntimeSessionTimeout"] {
            lifecycle.idleRuntimeSessionTimeout = try r.integer(
                idle, SettingsReader.join(path, "idleRuntimeSessionTimeout"), range: seconds, unit: " of seconds")
        }
        if let max = map["maxLifetime"] {
            lifecycle.maxLifetime = try r.integer(max, SettingsReader.join(path, "maxLifetime"), range: seconds, unit: " of seconds")
        }
        if let idle = lifecycle.idleRuntimeSessionTimeout, let max = lifecycle.maxLifetime, idle > max {
            throw r.error(
                SettingsReader.join(path, "idleRuntimeSessionTimeout"), "(\(idle) s) cannot exceed maxLifetime (\(max) s)",
                fix: "lower it or raise maxLifetime")
        }
        return lifecycle
    }

    private static func network(_ value: Any, _ r: SettingsReader, _ path: String) throws -> NetworkConfiguration {
        let map = try r.object(value, path)
        try r.rejectUnknownKeys(map, path, allowed: ["networkMode", "networkModeConfig"])
        let mode = try r.string(try r.required(map, "networkMode", path), SettingsReader.join(path, "networkMode"), oneOf: ["PUBLIC", "VPC"])
        var network = NetworkConfiguration(networkMode: mode)
        let configPath = SettingsReader.join(path, "networkModeConfig")
        if let config = map["networkModeConfig"], !(config is NSNull) {
            guard mode == "VPC" else {
                throw r.error(configPath, "is only for networkMode VPC", fix: "remove it, or set networkMode to VPC")
            }
            let vpc = try r.object(config, configPath)
            try r.rejectUnknownKeys(vpc, configPath, allowed: ["subnets", "securityGroups", "requireServiceS3Endpoint"])
            let subnets = try r.strings(
                try r.required(vpc, "subnets", configPath), SettingsReader.join(configPath, "subnets"), count: 1...16,
                pattern: /subnet-[0-9a-zA-Z]{8,17}/, patternHint: "a subnet id such as subnet-0123456789abcdef0")
            let groups = try r.strings(
                try r.required(vpc, "securityGroups", configPath), SettingsReader.join(configPath, "securityGroups"), count: 1...16,
                pattern: /sg-[0-9a-zA-Z]{8,17}/, patternHint: "a security group id such as sg-0123456789abcdef0")
            let s3 = try vpc["requireServiceS3Endpoint"].map { try r.bool($0, SettingsReader.join(configPath, "requireServiceS3Endpoint")) }
            network.networkModeConfig = .init(securityGroups: groups, subnets: subnets, requireServiceS3Endpoint: s3)
        }
        if mode == "VPC" && network.networkModeConfig == nil {
            throw r.error(configPath, "is missing", fix: "networkMode VPC needs networkModeConfig with subnets and securityGroups")
        }
        return network
    }

    private static func serverProtocol(_ value: Any, _ r: SettingsReader, _ path: String) throws -> ProtocolConfiguration {
        let map = try r.object(value, path)
        try r.rejectUnknownKeys(map, path, allowed: ["serverProtocol", "port", "path"])
        var configuration = ProtocolConfiguration(serverProtocol: try r.string(
            try r.required(map, "serverProtocol", path), SettingsReader.join(path, "serverProtocol"), oneOf: ["HTTP", "MCP", "A2A", "AGUI"]))
        if let port = map["port"], !(port is NSNull) {
            configuration.port = try serverPort(port, r, SettingsReader.join(path, "port"))
        }
        if let serverPath = map["path"], !(serverPath is NSNull) {
            configuration.path = try r.string(
                serverPath, SettingsReader.join(path, "path"), length: 1...2048, pattern: /\/[A-Za-z0-9\-._~\/%]*/,
                patternHint: "a path starting with /, of letters, digits and -._~/%")
        }
        return configuration
    }

    /// 8000-12000 without 8443, which AgentCore keeps for itself.
    private static func serverPort(_ value: Any, _ r: SettingsReader, _ path: String) throws -> Int {
        let port = try r.integer(value, path, range: 8000...12000)
        guard port != 8443 else { throw r.error(path, "8443 is reserved by AgentCore", fix: "choose another port from 8000 to 12000") }
        return port
    }

    private static func authorizer(_ value: Any, _ r: SettingsReader, _ path: String) throws -> AuthorizerConfiguration {
        let map = try r.object(value, path)
        try r.rejectUnknownKeys(map, path, allowed: ["customJWTAuthorizer"])
        let jwtPath = SettingsReader.join(path, "customJWTAuthorizer")
        let jwt = try r.object(try r.required(map, "customJWTAuthorizer", path), jwtPath)
        try r.rejectUnknownKeys(jwt, jwtPath, allowed: [
            "discoveryUrl", "allowedAudience", "allowedClients", "allowedScopes", "advertisedScopeMapping", "customClaims",
        ])
        func at(_ key: String) -> String { SettingsReader.join(jwtPath, key) }
        var configuration = CustomJWTAuthorizerConfiguration(discoveryUrl: try r.string(
            try r.required(jwt, "discoveryUrl", jwtPath), at("discoveryUrl"),
            pattern: /[^\s?#]+\/\.well-known\/(?:openid-configuration|oauth-authorization-server)(?:\/[^\s?#]+)?/,
            patternHint: "the issuer's discovery document, e.g. https://issuer.example.com/.well-known/openid-configuration"))
        let scope = /[\x21\x23-\x5B\x5D-\x7E]+/
        let scopeHint = "printable ASCII without spaces, '\"' or '\\'"
        if let audience = jwt["allowedAudience"] {
            configuration.allowedAudience = try r.strings(audience, at("allowedAudience"), count: 1...Int.max)
        }
        if let clients = jwt["allowedClients"] {
            configuration.allowedClients = try r.strings(clients, at("allowedClients"), count: 1...Int.max)
        }
        if let scopes = jwt["allowedScopes"] {
            configuration.allowedScopes = try r.strings(
                scopes, at("allowedScopes"), count: 1...Int.max, length: 1...255, pattern: scope, patternHint: scopeHint)
        }
        if let mapping = jwt["advertisedScopeMapping"] {
            let mappingPath = at("advertisedScopeMapping")
            let entries = try r.object(mapping, mappingPath)
            guard (1...50).contains(entries.count) else {
                throw r.error(mappingPath, "has \(entries.count) entries", fix: "AgentCore takes 1 to 50")
            }
            var result: [String: String] = [:]
            for (key, value) in entries {
                let keyPath = SettingsReader.join(mappingPath, key)
                _ = try r.string(key, keyPath, length: 1...255, pattern: scope, patternHint: scopeHint)
                guard configuration.allowedScopes?.contains(key) == true else {
                    throw r.error(keyPath, "is not one of allowedScopes", fix: "map only scopes listed in allowedScopes")
                }
                result[key] = try r.string(value, keyPath, length: 1...255, pattern: scope, patternHint: scopeHint)
            }
            configuration.advertisedScopeMapping = result
        }
        if let claims = jwt["customClaims"] {
            configuration.customClaims = try r.list(claims, at("customClaims"), count: 1...Int.max).enumerated().map { index, item in
                try customClaim(item, r, "\(at("customClaims"))[\(index)]")
            }
        }
        return AuthorizerConfiguration(customJWTAuthorizer: configuration)
    }

    private static func customClaim(_ value: Any, _ r: SettingsReader, _ path: String) throws -> CustomClaimValidation {
        let claim = try r.object(value, path)
        try r.rejectUnknownKeys(claim, path, allowed: ["inboundTokenClaimName", "inboundTokenClaimValueType", "authorizingClaimMatchValue"])
        func at(_ key: String) -> String { SettingsReader.join(path, key) }
        // The model's `[A-Za-z0-9_.-:]+`: `.-:` is a range (. / 0-9 :), so no hyphen.
        let name = try r.string(
            try r.required(claim, "inboundTokenClaimName", path), at("inboundTokenClaimName"), length: 1...255,
            pattern: /[A-Za-z0-9_.\/:]+/, patternHint: "letters, digits and _./: (AgentCore takes no hyphen here)")
        let type = try r.string(
            try r.required(claim, "inboundTokenClaimValueType", path), at("inboundTokenClaimValueType"), oneOf: ["STRING", "STRING_ARRAY"])
        let matchPath = at("authorizingClaimMatchValue")
        let match = try r.object(try r.required(claim, "authorizingClaimMatchValue", path), matchPath)
        try r.rejectUnknownKeys(match, matchPath, allowed: ["claimMatchValue", "claimMatchOperator"])
        let matchOperator = try r.string(
            try r.required(match, "claimMatchOperator", matchPath), SettingsReader.join(matchPath, "claimMatchOperator"),
            oneOf: ["EQUALS", "CONTAINS", "CONTAINS_ANY"])
        let valuePath = SettingsReader.join(matchPath, "claimMatchValue")
        let valueObject = try r.object(try r.required(match, "claimMatchValue", matchPath), valuePath)
        try r.rejectUnknownKeys(valueObject, valuePath, allowed: ["matchValueString", "matchValueStringList"])
        let word = /[A-Za-z0-9_.-]+/
        var matchValue = CustomClaimValidation.MatchValue()
        switch try r.oneOf(valueObject, valuePath, members: ["matchValueString", "matchValueStringList"]) {
        case "matchValueString":
            matchValue.matchValueString = try r.string(
                valueObject["matchValueString"]!, SettingsReader.join(valuePath, "matchValueString"), length: 1...255,
                pattern: word, patternHint: "letters, digits and _.-")
        default:
            matchValue.matchValueStringList = try r.strings(
                valueObject["matchValueStringList"]!, SettingsReader.join(valuePath, "matchValueStringList"), count: 1...Int.max,
                length: 1...255, pattern: word, patternHint: "letters, digits and _.-")
        }
        return CustomClaimValidation(
            inboundTokenClaimName: name, inboundTokenClaimValueType: type,
            authorizingClaimMatchValue: .init(claimMatchValue: matchValue, claimMatchOperator: matchOperator))
    }

    private static var mountPathPattern: Regex<Substring> { /\/mnt\/[a-zA-Z0-9._-]+\/?/ }

    private static func filesystem(_ value: Any, _ r: SettingsReader, _ path: String) throws -> FilesystemConfiguration {
        let map = try r.object(value, path)
        let members = ["sessionStorage", "efsAccessPoint", "s3FilesAccessPoint", "s3BucketMount"]
        try r.rejectUnknownKeys(map, path, allowed: members)
        let kind = try r.oneOf(map, path, members: members)
        let memberPath = SettingsReader.join(path, kind)
        let member = try r.object(map[kind]!, memberPath)
        func at(_ key: String) -> String { SettingsReader.join(memberPath, key) }
        func mountPath() throws -> String {
            try r.string(
                try r.required(member, "mountPath", memberPath), at("mountPath"), length: 6...200, pattern: mountPathPattern,
                patternHint: "a directory under /mnt, e.g. /mnt/data")
        }
        switch kind {
        case "sessionStorage":
            try r.rejectUnknownKeys(member, memberPath, allowed: ["mountPath"])
            return FilesystemConfiguration(sessionStorage: .init(mountPath: try mountPath()))
        case "efsAccessPoint":
            try r.rejectUnknownKeys(member, memberPath, allowed: ["accessPointArn", "mountPath"])
            let arn = try r.string(
                try r.required(member, "accessPointArn", memberPath), at("accessPointArn"), length: 0...128,
                pattern: /arn:aws[-a-z]*:elasticfilesystem:[0-9a-z-:]+:access-point\/fsap-[0-9a-f]{8,40}/,
                patternHint: "an EFS access point ARN (arn:aws:elasticfilesystem:REGION:ACCOUNT:access-point/fsap-...)")
            return FilesystemConfiguration(efsAccessPoint: .init(accessPointArn: arn, mountPath: try mountPath()))
        case "s3FilesAccessPoint":
            try r.rejectUnknownKeys(member, memberPath, allowed: ["accessPointArn", "mountPath"])
            let arn = try r.string(
                try r.required(member, "accessPointArn", memberPath), at("accessPointArn"), length: 0...256,
                pattern: /arn:aws[-a-z]*:s3files:[0-9a-z-:]+:file-system\/fs-[0-9a-f]{17,40}\/access-point\/fsap-[0-9a-f]{17,40}/,
                patternHint: "an S3 Files access point ARN")
            return FilesystemConfiguration(s3FilesAccessPoint: .init(accessPointArn: arn, mountPath: try mountPath()))
        default:
            try r.rejectUnknownKeys(member, memberPath, allowed: ["bucket", "mountPath", "prefix", "s3BucketOwner", "s3BucketRegion"])
            var mount = FilesystemConfiguration.S3BucketMount(
                bucket: try r.string(try r.required(member, "bucket", memberPath), at("bucket"), length: 3...63),
                mountPath: try mountPath())
            if let prefix = member["prefix"] {
                mount.prefix = try r.string(
                    prefix, at("prefix"), length: 1...1024, pattern: /[a-zA-Z0-9{][a-zA-Z0-9!_.*'()\/{}-]*/,
                    patternHint: "an S3 key prefix of letters, digits and !_.*'()/{}-")
            }
            if let owner = member["s3BucketOwner"] {
                mount.s3BucketOwner = try r.string(owner, at("s3BucketOwner"), pattern: /[0-9]{12}/, patternHint: "a 12-digit account id")
            }
            if let region = member["s3BucketRegion"] {
                mount.s3BucketRegion = try r.string(
                    region, at("s3BucketRegion"), length: 1...32, pattern: /(?:[a-z]+-){2,3}\d+/, patternHint: "a region such as us-west-2")
            }
            return FilesystemConfiguration(s3BucketMount: mount)
        }
    }

    private static func tags(_ value: Any, _ r: SettingsReader, _ path: String) throws -> [String: String] {
        let map = try r.object(value, path, what: "an object of tag names to string values")
        guard map.count <= 50 else { throw r.error(path, "has \(map.count) entries", fix: "AgentCore takes at most 50 tags") }
        // Java's \s, which the model means: ASCII white space only.
        let characters = /[a-zA-Z0-9 \t\n\r\u{0B}\u{0C}._:\/=+@-]*/
        let hint = "letters, digits, spaces and ._:/=+@-"
        var tags: [String: String] = [:]
        for (key, value) in map {
            let keyPath = SettingsReader.join(path, key)
            _ = try r.string(key, keyPath, length: 1...128, pattern: characters, patternHint: hint)
            guard !key.lowercased().hasPrefix("aws:") else {
                throw r.error(keyPath, "starts with aws:, which AWS keeps for its own tags", fix: "choose another tag name")
            }
            tags[key] = try r.string(value, keyPath, length: 0...256, pattern: characters, patternHint: hint)
        }
        return tags
    }

    private static func allowedPorts(_ value: Any, _ r: SettingsReader, _ path: String) throws -> [AllowedPort] {
        var ranges: [ClosedRange<Int>] = []
        return try r.list(value, path, count: 1...5).enumerated().map { index, item in
            let itemPath = "\(path)[\(index)]"
            let map = try r.object(item, itemPath)
            try r.rejectUnknownKeys(map, itemPath, allowed: ["port", "portRange"])
            let port: AllowedPort
            let span: ClosedRange<Int>
            if try r.oneOf(map, itemPath, members: ["port", "portRange"]) == "port" {
                let number = try serverPort(map["port"]!, r, SettingsReader.join(itemPath, "port"))
                port = AllowedPort(port: number)
                span = number...number
            } else {
                let rangePath = SettingsReader.join(itemPath, "portRange")
                let range = try r.object(map["portRange"]!, rangePath)
                try r.rejectUnknownKeys(range, rangePath, allowed: ["from", "to"])
                let from = try r.integer(try r.required(range, "from", rangePath), SettingsReader.join(rangePath, "from"), range: 8000...12000)
                let to = try r.integer(try r.required(range, "to", rangePath), SettingsReader.join(rangePath, "to"), range: 8000...12000)
                guard from <= to else { throw r.error(rangePath, "runs from \(from) down to \(to)", fix: "put the lower port in from") }
                guard !(from...to).contains(8443) else {
                    throw r.error(rangePath, "includes 8443, which AgentCore keeps for itself", fix: "split the range around it")
                }
                port = AllowedPort(portRange: .init(from: from, to: to))
                span = from...to
            }
            guard !ranges.contains(where: { $0.overlaps(span) }) else {
                throw r.error(itemPath, "overlaps an earlier entry", fix: "entries must not overlap")
            }
            ranges.append(span)
            return port
        }
    }

    private static func hooks(_ value: Any, _ r: SettingsReader, _ path: String) throws -> RuntimeHooksConfiguration {
        let map = try r.object(value, path)
        try r.rejectUnknownKeys(map, path, allowed: ["build"])
        guard let buildValue = map["build"] else { return RuntimeHooksConfiguration(build: nil) }
        let buildPath = SettingsReader.join(path, "build")
        let build = try r.object(buildValue, buildPath)
        try r.rejectUnknownKeys(build, buildPath, allowed: ["warmup"])
        guard let warmupValue = build["warmup"] else { return RuntimeHooksConfiguration(build: .init(warmup: nil)) }
        let warmupPath = SettingsReader.join(buildPath, "warmup")
        let warmup = try r.object(warmupValue, warmupPath)
        try r.rejectUnknownKeys(warmup, warmupPath, allowed: ["action"])
        let actionPath = SettingsReader.join(warmupPath, "action")
        let action = try r.object(try r.required(warmup, "action", warmupPath), actionPath)
        try r.rejectUnknownKeys(action, actionPath, allowed: ["httpPost"])
        let postPath = SettingsReader.join(actionPath, "httpPost")
        let post = try r.object(try r.required(action, "httpPost", actionPath), postPath)
        try r.rejectUnknownKeys(post, postPath, allowed: ["path", "port"])
        var httpPost = RuntimeHooksConfiguration.HTTPPost(path: try r.string(
            try r.required(post, "path", postPath), SettingsReader.join(postPath, "path"), length: 1...32,
            pattern: /\/[A-Za-z0-9._~\/-]*/, patternHint: "a path starting with /, of letters, digits and ._~/-"))
        if let port = post["port"], !(port is NSNull) {
            httpPost.port = try serverPort(port, r, SettingsReader.join(postPath, "port"))
        }
        return RuntimeHooksConfiguration(build: .init(warmup: .init(action: .init(httpPost: httpPost))))
    }
}
