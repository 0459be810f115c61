import AgentCoreGitOps
import Foundation

exit(await FlowMain.run(ProdPromoteFlow.self))
