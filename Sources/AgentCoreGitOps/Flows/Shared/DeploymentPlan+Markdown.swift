import Foundation

extension DeploymentPlan {
    /// The plan as the comment and the issue show it: a heading, the code and dependency lines,
    /// a table of settings that change, and warnings.
    public var markdown: String {
        var lines = ["#### Plan against `\(runtimeName)` as the `\(endpointName)` endpoint serves it"]
        guard let liveVersion else {
            lines.append("")
            lines.append("The `\(endpointName)` endpoint serves nothing yet: everything below is new.")
            lines.append(contentsOf: codeLines + settingsLines)
            return lines.joined(separator: "\n")
        }
        lines.append("")
        lines.append("Compared with version \(liveVersion), which the `\(endpointName)` endpoint serves now.")
        if changesNothing { lines.append("Nothing changes: same package, same settings.") }
        lines.append(contentsOf: codeLines + settingsLines)
        if !warnings.isEmpty {
            lines.append("")
            lines.append("**Warnings**")
            lines.append(contentsOf: warnings.map { "- ⚠️ \($0)" })
        }
        return lines.joined(separator: "\n")
    }

    private var codeLines: [String] {
        var lines = [""]
        if let old = oldPackageSHA256, old == newPackageSHA256 {
            lines.append("- **Code**: unchanged (`\(short(newPackageSHA256))`)")
        } else {
            lines.append("- **Code**: `\(oldPackageSHA256.map(short) ?? "none")` → `\(short(newPackageSHA256))`")
        }
        switch dependencyChanges {
        case nil:
            lines.append("- **Dependencies**: not compared (the package prod serves has no manifest)")
        case let changes? where changes.isEmpty:
            lines.append("- **Dependencies**: unchanged")
        case let changes?:
            lines.append("- **Dependencies**: " + changes.map { "`\($0)`" }.joined(separator: ", "))
        }
        return lines
    }

    private var settingsLines: [String] {
        var lines: [String] = []
        if settingChanges.isEmpty {
            lines.append("- **Settings**: unchanged")
        } else {
            lines.append("- **Settings**: \(settingChanges.count) changed")
            lines.append("")
            lines.append("| Setting | Now | After |")
            lines.append("|---|---|---|")
            for change in settingChanges {
                lines.append("| `\(change.path)` | \(cell(change.old)) | \(cell(change.new)) |")
            }
        }
        return lines
    }

    private func short(_ sha: String) -> String { String(sha.prefix(12)) }

    /// A table cell: code-formatted, pipes escaped, long values cut.
    private func cell(_ value: String?) -> String {
        guard let value else { return "*not set*" }
        var text = value.count > 200 ? String(value.prefix(200)) + "…" : value
        text = text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "`", with: "'")
            .replacingOccurrences(of: "\n", with: " ")
            // No value may read as a hidden marker of the bot's text.
            .replacingOccurrences(of: "<!--", with: "<!‐‐").replacingOccurrences(of: "-->", with: "‐‐>")
        return "`\(text)`"
    }
}
