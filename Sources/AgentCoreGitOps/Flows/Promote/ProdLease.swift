import Foundation

/// Where the lease on the prod endpoint lives: beside the prod runtime's packages in the deploy
/// bucket, one object per endpoint. Approvals, rollbacks and `agentcore endpoint update` on the
/// prod runtime all take it before they move the endpoint.
public enum ProdLease {
    public static func location(bucket: String, runtimeName: String, endpointName: String) -> S3Location {
        S3Location(bucket: bucket, key: "\(runtimeName)/leases/endpoint-\(endpointName).json")
    }
}
