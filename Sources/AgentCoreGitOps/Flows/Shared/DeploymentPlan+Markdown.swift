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
                let (old, new) = Self.cells(change.old, change.new)
                lines.append("| \(Self.codeSpan(change.path)) | \(old) | \(new) |")
            }
        }
        return lines
    }

    private func short(_ sha: String) -> String { String(sha.prefix(12)) }

    /// The most characters of a value a cell or code span shows.
    static let maxShownLength = 200
    /// How much of what two values share a cell shows before their first difference.
    static let contextBeforeDifference = 40

    /// One row's values as cells: each as a code span, or *not set*. A value longer than
    /// `maxShownLength` is cut and says so; when the values first differ past what its start
    /// would show, the cell shows the stretch around that difference instead, so a row never
    /// looks unchanged.
    static func cells(_ old: String?, _ new: String?) -> (old: String, new: String) {
        let difference = old.flatMap { old in new.flatMap { firstDifference(old, $0) } }
        func cell(_ value: String?) -> String {
            guard let value else { return "*not set*" }
            let characters = Array(value)
            guard characters.count > maxShownLength else { return inlineCode(value) }
            var start = 0
            if let difference, difference > maxShownLength - contextBeforeDifference {
                start = max(0, min(difference - contextBeforeDifference, characters.count - maxShownLength))
            }
            let end = start + maxShownLength
            let shown = (start > 0 ? "…" : "") + String(characters[start..<end]) + (end < characters.count ? "…" : "")
            let from = start > 0 ? ", shown from character \(start + 1)" : ""
            return inlineCode(shown) + " *(cut: \(characters.count) characters\(from))*"
        }
        return (cell(old), cell(new))
    }

    /// Where two different values part (0-based, in characters); nil when they are equal.
    static func firstDifference(_ a: String, _ b: String) -> Int? {
        guard a != b else { return nil }
        let (a, b) = (Array(a), Array(b))
        return zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
    }

    /// Text from settings (a tag's name, a value, a field AWS names) as inline code that stays
    /// on its line and in its table cell, cut after `maxShownLength` characters.
    static func codeSpan(_ value: String) -> String {
        inlineCode(value.count > maxShownLength ? String(value.prefix(maxShownLength)) + "…" : value)
    }

    /// Inline code whole, on one line, and one-to-one: two different values never show the same.
    /// A backslash is doubled, so that what stands for a character a span cannot hold reads
    /// unambiguously: a line break as `\n` or `\r`, a backtick as `\u{60}`, and as `\u{…}` what
    /// would not show or would show as something else (other line breaks, tabs, controls,
    /// invisible and bidirectional format characters, spaces other than U+0020, and a space at
    /// either end, which Markdown trims from a code span). Pipes are escaped for the table;
    /// `<!--` and `-->` are broken up, so that no value reads as a hidden marker of the bot's text.
    static func inlineCode(_ value: String) -> String {
        var text = ""
        let scalars = Array(value.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            let atAnEnd = index == 0 || index == scalars.count - 1
            switch scalar {
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "`": text += "\\u{60}"
            case "|": text += "\\|"
            case " " where atAnEnd: text += "\\u{20}"
            case _ where Self.showsAsSomethingElse(scalar):
                text += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: text.unicodeScalars.append(scalar)
            }
        }
        text = text.replacingOccurrences(of: "<!--", with: "<\\!--").replacingOccurrences(of: "-->", with: "--\\>")
        return "`\(text)`"
    }

    private static func showsAsSomethingElse(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned: true
        case .spaceSeparator: scalar != " "
        default: Character(scalar).isNewline
        }
    }
}
