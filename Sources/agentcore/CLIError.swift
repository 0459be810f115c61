import AgentCoreGitOps
import ArgumentParser
import Foundation

/// A failure told as what went wrong and what to do about it.
struct CLIError: Error, CustomStringConvertible {
    var problem: String
    var fix: String

    init(_ problem: String, fix: String) {
        self.problem = problem
        self.fix = fix
    }

    var description: String { "\(problem) — \(fix)" }
}

/// Turns any error into the one line `error: <what> — <what to do>`.
enum ErrorReport {
    static func line(for error: any Error) -> String {
        switch error {
        case let error as AWSError: return line(for: error)
        // Ours (CLIError, AgentCoreInputError, WaiterError...) and the AWS core's errors read
        // "<what> — <what to do>" already.
        case let error as CustomStringConvertible: return error.description
        default:
            // ArgumentParser's own errors (a missing argument, an unknown flag) and errors
            // thrown from `validate()`, which it wraps.
            let message = AgentCoreCommand.message(for: error)
            return message.contains(" — ") ? message : message + " — run with --help to see the usage"
        }
    }

    private static func line(for error: AWSError) -> String {
        var what = "\(error.operation) failed: \(error.code): \(error.message)"
        if !error.fieldList.isEmpty {
            what += " (" + error.fieldList.map { "\($0.name): \($0.message)" }.joined(separator: "; ") + ")"
        }
        if let requestID = error.requestID { what += " [request \(requestID)]" }
        return "\(what) — \(fix(for: error))"
    }

    private static func fix(for error: AWSError) -> String {
        if error.isNotFound {
            return "check the runtime and endpoint names with `agentcore runtime list` and `agentcore endpoint list <runtime>`"
        }
        if error.isConflict {
            return "it exists already or is busy changing; check it with `agentcore runtime get <runtime>`, then run again"
        }
        if error.isThrottling { return "AWS is limiting the request rate; wait a minute and run the same command again" }
        switch error.code {
        case "AccessDeniedException", "AccessDenied":
            return "the credentials lack permission for bedrock-agentcore:\(error.operation) (or s3:GetObject / iam:PassRole); "
                + "fix their IAM policy"
        case "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch", "ExpiredTokenException",
             "InvalidClientTokenId":
            return "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) are current"
        case "ServiceQuotaExceededException":
            return "remove runtimes or endpoints you no longer need (`agentcore cleanup <runtime>`), or ask AWS for a higher quota"
        case "ValidationException":
            return "correct the value AWS names and run again"
        default:
            return error.httpStatus >= 500
                ? "AWS had a temporary problem; run the same command again (it is safe to repeat)"
                : "correct the request and run again"
        }
    }
}

/// Writes progress for people to stderr, so `--json` output on stdout stays one object.
func progress(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
