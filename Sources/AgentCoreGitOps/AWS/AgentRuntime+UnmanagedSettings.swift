import Foundation

extension AgentRuntime {
    /// Members of the service model (botocore 1.44.18) that UpdateAgentRuntime replaces and this
    /// tool never sends, by path (`[]` for each entry of a list). Left out: members AWS keeps when
    /// an update omits them (`cpuConfigurations`, `workloadIdentityTemplateArn`), and what only
    /// AWS answers (status, identity details), which no update can drop.
    static let unsentSettings: [[String]] = [
        ["metadataConfiguration"],
        ["capacityProviderConfiguration"],
        ["authorizerConfiguration", "customJWTAuthorizer", "privateEndpoint"],
        ["authorizerConfiguration", "customJWTAuthorizer", "privateEndpointOverrides"],
        ["authorizerConfiguration", "customJWTAuthorizer", "certificateConfigurations"],
        ["authorizerConfiguration", "customJWTAuthorizer", "allowedWorkloadConfiguration"],
        ["filesystemConfigurations", "[]", "capacityProviderVolume"],
    ]

    /// The paths of `unsentSettings` that GetAgentRuntime's `answer` sets, sorted. An empty value
    /// (`[]`, `{}`, `false`, null) is how AWS may answer "not set", so it does not count.
    static func unmanagedSettings(inAnswer answer: Data) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: answer) else { return [] }
        func found(_ value: Any, _ path: ArraySlice<String>, _ written: String) -> [String] {
            guard let key = path.first else { return isSet(value) ? [written] : [] }
            if key == "[]" {
                let items = value as? [Any] ?? []
                return items.indices.flatMap { found(items[$0], path.dropFirst(), "\(written)[\($0)]") }
            }
            guard let inner = (value as? [String: Any])?[key] else { return [] }
            return found(inner, path.dropFirst(), written.isEmpty ? key : "\(written).\(key)")
        }
        return unsentSettings.flatMap { found(object, $0[...], "") }.sorted()
    }

    private static func isSet(_ value: Any) -> Bool {
        switch value {
        case is NSNull: false
        case let map as [String: Any]: map.values.contains(where: isSet)
        case let list as [Any]: list.contains(where: isSet)
        default: !(SettingsReader.isBoolean(value) && (value as? Bool) == false)
        }
    }
}
