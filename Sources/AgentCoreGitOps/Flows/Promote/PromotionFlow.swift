/// What the approval and the rollback flow share: a context and the promotion steps.
protocol PromotionFlow {
    var context: FlowContext { get }
}

extension PromotionFlow {
    var github: any GitHubAPI { context.github }
    var reporter: ActionsReporter { context.reporter }
    var steps: PromotionSteps { PromotionSteps(context: context) }
}
