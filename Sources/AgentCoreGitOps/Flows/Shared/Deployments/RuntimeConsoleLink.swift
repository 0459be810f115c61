import Foundation

/// The AWS console page of a runtime, from its ARN: the AgentCore console lists runtimes under
/// `#/agents` and opens one at `#/agents/<runtime id>`, e.g.
/// `https://us-east-1.console.aws.amazon.com/bedrock-agentcore/home?region=us-east-1#/agents/prod-AbCdEfGhIj`.
/// Nil for an ARN it cannot read, so no odd value reaches a link.
public enum RuntimeConsoleLink {
    public static func url(runtimeARN: String) -> String? {
        let parts = runtimeARN.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "bedrock-agentcore",
              MarkerValue.matches(parts[3], "[a-z]{2}(-[a-z]+)+-[0-9]"),
              let slash = parts[5].firstIndex(of: "/"), parts[5][..<slash] == "runtime"
        else { return nil }
        let region = parts[3]
        let runtimeID = String(parts[5][parts[5].index(after: slash)...])
        guard MarkerValue.matches(runtimeID, MarkerValue.runtimeIDPattern), let host = consoleHost(partition: parts[1], region: region)
        else { return nil }
        return "https://\(host)/bedrock-agentcore/home?region=\(region)#/agents/\(runtimeID)"
    }

    private static func consoleHost(partition: String, region: String) -> String? {
        switch partition {
        case "aws": "\(region).console.aws.amazon.com"
        case "aws-us-gov": "console.amazonaws-us-gov.com"
        case "aws-cn": "console.amazonaws.cn"
        default: nil
        }
    }
}
