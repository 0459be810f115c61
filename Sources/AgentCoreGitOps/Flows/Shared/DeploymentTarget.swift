import Foundation

/// Which runtime a deployment goes to, and what it is for.
public struct DeploymentTarget: Sendable, Equatable {
    public var runtimeName: String
    public var role: RuntimeOwnership.Role

    public init(runtimeName: String, role: RuntimeOwnership.Role) {
        self.runtimeName = runtimeName
        self.role = role
    }

    public static func pullRequest(_ number: Int) -> DeploymentTarget {
        DeploymentTarget(runtimeName: RuntimeOwnership.prRuntimeName(number), role: .pullRequest(number))
    }
}
