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
                // A path names a tag, whose name may hold white space: escaped like the values.
                lines.append("| \(cell(change.path)) | \(cell(change.old)) | \(cell(change.new)) |")
            }
        }
        return lines
    }

    private func short(_ sha: String) -> String { String(sha.prefix(12)) }

    /// A table cell: the value as a code span, or *not set*.
    private func cell(_ value: String?) -> String {
        value.map(Self.codeSpan) ?? "*not set*"
    }

    /// Text from settings (a tag's name, a value, a field AWS names) as inline code that stays
    /// on its line and in its table cell: pipes escaped, long values cut, every kind of line
    /// break (`\r` ends a Markdown line too) made a space.
    static func codeSpan(_ value: String) -> String {
        var text = value.count > 200 ? String(value.prefix(200)) + "…" : value
        text = String(text.map { $0.isNewline ? " " : $0 })
        text = text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "`", with: "'")
            // No value may read as a hidden marker of the bot's text.
            .replacingOccurrences(of: "<!--", with: "<!‐‐").replacingOccurrences(of: "-->", with: "‐‐>")
        return "`\(text)`"
    }
}
