import AgentCoreGitOps
import Foundation

exit(await FlowMain.run(ProdDeployFlow.self))
