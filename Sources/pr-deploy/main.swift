import AgentCoreGitOps
import Foundation

exit(await FlowMain.run(PRDeployFlow.self))
