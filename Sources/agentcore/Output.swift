import AgentCoreGitOps
import Foundation

/// Prints a command's result: readable text, or with `--json` one JSON object.
struct Output {
    let json: Bool

    func emit(_ value: some Encodable, text: @autoclosure () -> String) throws {
        if json {
            print(String(decoding: try AgentCoreJSON.encoder.encode(value), as: UTF8.self))
        } else {
            print(text())
        }
    }
}

/// The text forms of runtimes and endpoints.
enum TextFormat {
    static func runtime(_ runtime: AgentRuntime) -> String {
        var lines = [
            "\(runtime.agentRuntimeName) (\(runtime.agentRuntimeId)) version \(runtime.agentRuntimeVersion): \(runtime.status)",
            "  arn:     \(runtime.agentRuntimeArn)",
        ]
        if let reason = runtime.failureReason { lines.append("  failure: \(reason)") }
        if let code = runtime.agentRuntimeArtifact?.codeConfiguration {
            lines.append("  code:    \(code.code.s3?.uri ?? "?") (\(code.runtime), \(code.entryPoint.joined(separator: " ")))")
        }
        lines.append("  role:    \(runtime.roleArn)")
        if let variables = runtime.environmentVariables, !variables.isEmpty {
            lines.append("  env:     " + variables.keys.sorted().joined(separator: ", "))
        }
        if let updated = runtime.lastUpdatedAt { lines.append("  updated: \(timestamp(updated))") }
        return lines.joined(separator: "\n")
    }

    static func endpoint(_ endpoint: AgentRuntimeEndpoint) -> String {
        var text = "endpoint \(endpoint.name): \(endpoint.status), serving version \(endpoint.liveVersion ?? "none")"
        if let target = endpoint.targetVersion, target != endpoint.liveVersion { text += " (moving to \(target))" }
        if let reason = endpoint.failureReason { text += "\n  failure: \(reason)" }
        return text + "\n  arn: \(endpoint.agentRuntimeEndpointArn)"
    }

    static func endpoints(_ endpoints: [AgentRuntimeEndpoint]) -> String {
        table(["NAME", "STATUS", "LIVE", "TARGET"], endpoints.map {
            [$0.name, $0.status.rawValue, $0.liveVersion ?? "-", $0.targetVersion ?? "-"]
        }, empty: "no endpoints")
    }

    static func table(_ header: [String], _ rows: [[String]], empty: String) -> String {
        guard !rows.isEmpty else { return empty }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    static func timestamp(_ date: Date?) -> String {
        guard let date else { return "-" }
        return ISO8601DateFormatter().string(from: date)
    }
}

/// Writes progress for people to stderr, so `--json` output on stdout stays one object.
func progress(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
