import Foundation

/// The labels of a deployment issue and its IssueOps gate, with the colour and description they
/// are created with when a repository does not have them yet.
public enum DeploymentLabels {
    public static let deployment = GitHubLabelDefinition(
        name: "deployment", color: "0e8a16", description: "A production deployment")
    public static let production = GitHubLabelDefinition(
        name: "production", color: "b60205", description: "Concerns the prod runtime")
    public static let needsPromotion = GitHubLabelDefinition(
        name: "needs-promotion", color: "fbca04", description: "Add approved to promote")
    /// Added by a reviewer with the required permission; the tool only reads and removes it.
    public static let approved = GitHubLabelDefinition(
        name: "approved", color: "0e8a16", description: "Promote this deployment to the prod endpoint")
    public static let promoted = GitHubLabelDefinition(
        name: "promoted", color: "0e8a16", description: "The prod endpoint serves this deployment")

    /// What prod-deploy opens a deployment issue with.
    public static let newDeployment = [deployment, production, needsPromotion]
    /// Every label of the pipeline: prod-deploy makes sure they exist, so a reviewer finds
    /// `approved` in the label menu of the first deployment issue.
    public static let all = newDeployment + [approved, promoted]
}
