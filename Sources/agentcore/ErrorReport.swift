import AgentCoreGitOps
import ArgumentParser
import Foundation

/// Turns any error into the one line `error: <what> — <what to do>`, with the CLI's own
/// commands as the fix where one of them is the way out.
enum ErrorReport {
    static func line(for error: any Error) -> String {
        switch error {
        case let error as AWSError:
            return ActionableError(error.problem, fix: hint(for: error) ?? error.fix).description
        case let error as AgentCoreControlError:
            return ActionableError(error.problem, fix: hint(for: error) ?? error.fix).description
        // Ours and the AWS core's errors read "<what> — <what to do>" already.
        case let error as CustomStringConvertible:
            return error.description
        default:
            // ArgumentParser's own errors (a missing argument, an unknown flag) and errors
            // thrown from `validate()`, which it wraps.
            let message = AgentCoreCommand.message(for: error)
            return message.contains(" — ") ? message : message + " — run with --help to see the usage"
        }
    }

    /// The commands that find or fix what AWS complained about; nil where the library's advice fits.
    static func hint(for error: AWSError) -> String? {
        if error.isNotFound {
            return "check the runtime and endpoint names with `agentcore runtime list` and `agentcore endpoint list <runtime>`"
        }
        if error.isConflict {
            return "it exists already or is busy changing; check it with `agentcore runtime get <runtime>`, then run again"
        }
        if error.code == "ServiceQuotaExceededException" {
            return "remove runtimes or endpoints you no longer need (`agentcore cleanup <runtime>`), or ask AWS for a higher quota"
        }
        return nil
    }

    static func hint(for error: AgentCoreControlError) -> String? {
        switch error {
        case .runtimeNameNotFound(let name):
            "list runtimes with `agentcore runtime list`, or create it with `agentcore runtime create \(name) --code s3://BUCKET/KEY`"
        case .versionNotFound(let name, _, _):
            "pick one from `agentcore runtime versions \(name)`"
        default:
            nil
        }
    }
}
