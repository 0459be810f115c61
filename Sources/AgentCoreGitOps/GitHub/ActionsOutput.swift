import Foundation

/// GitHub Actions workflow commands (`::error file=a.py,title=T::message`) with GitHub's
/// escaping, so that no value can end a command early or start another one.
public enum WorkflowCommand {
    /// Escapes a command's message: `%`, CR and LF.
    public static func escapeData(_ value: String) -> String {
        value.replacingOccurrences(of: "%", with: "%25")
            .replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// Escapes a property value: as data, plus `:` and `,`.
    public static func escapeProperty(_ value: String) -> String {
        escapeData(value)
            .replacingOccurrences(of: ":", with: "%3A")
            .replacingOccurrences(of: ",", with: "%2C")
    }

    /// One command line, properties in the given order.
    public static func format(_ command: String, properties: KeyValuePairs<String, String?> = [:], message: String) -> String {
        let rendered = properties.compactMap { key, value in value.map { "\(key)=\(escapeProperty($0))" } }
        let head = rendered.isEmpty ? command : command + " " + rendered.joined(separator: ",")
        return "::\(head)::\(escapeData(message))"
    }
}

/// Where a workflow step reports: workflow commands on stdout, step outputs to `GITHUB_OUTPUT`,
/// Markdown to `GITHUB_STEP_SUMMARY`. Outside Actions (`GITHUB_ACTIONS` is not `true`) it prints
/// plain readable lines instead of commands.
public struct ActionsReporter: Sendable {
    public enum Severity: String, Sendable {
        case error, warning, notice
    }

    public let isActions: Bool
    public let outputFile: URL?
    public let summaryFile: URL?
    private let write: @Sendable (String) -> Void
    private let makeDelimiter: @Sendable () -> String

    /// - Parameters:
    ///   - write: receives each line for stdout (without the newline).
    ///   - makeDelimiter: the heredoc delimiter for multi-line outputs; random by default.
    public init(
        environment: [String: String],
        write: @escaping @Sendable (String) -> Void = { print($0) },
        makeDelimiter: @escaping @Sendable () -> String = { "ghadelimiter_\(UUID().uuidString)" }
    ) {
        isActions = environment["GITHUB_ACTIONS"] == "true"
        outputFile = environment["GITHUB_OUTPUT"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
        summaryFile = environment["GITHUB_STEP_SUMMARY"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
        self.write = write
        self.makeDelimiter = makeDelimiter
    }

    // MARK: Messages

    public func error(_ message: String, file: String? = nil, line: Int? = nil, title: String? = nil) {
        annotate(.error, message, file: file, line: line, title: title)
    }

    public func warning(_ message: String, file: String? = nil, line: Int? = nil, title: String? = nil) {
        annotate(.warning, message, file: file, line: line, title: title)
    }

    public func notice(_ message: String, file: String? = nil, line: Int? = nil, title: String? = nil) {
        annotate(.notice, message, file: file, line: line, title: title)
    }

    public func annotate(_ severity: Severity, _ message: String, file: String? = nil, line: Int? = nil, title: String? = nil) {
        if isActions {
            write(WorkflowCommand.format(
                severity.rawValue, properties: ["file": file, "line": line.map(String.init), "title": title], message: message))
        } else {
            var location = file ?? ""
            if let line, file != nil { location += ":\(line)" }
            let prefix = [severity.rawValue, location.isEmpty ? nil : location, title].compactMap { $0 }.joined(separator: ": ")
            write("\(prefix): \(message)")
        }
    }

    /// Asks the runner to hide `secret` in all later log lines. Outside Actions it prints nothing.
    public func mask(_ secret: String) {
        guard isActions, !secret.isEmpty else { return }
        write(WorkflowCommand.format("add-mask", message: secret))
    }

    public func info(_ message: String) {
        write(message)
    }

    // MARK: Groups

    public func beginGroup(_ title: String) {
        write(isActions ? WorkflowCommand.format("group", message: title) : "== \(title)")
    }

    public func endGroup() {
        if isActions { write("::endgroup::") }
    }

    /// Runs `body` inside a collapsible log group.
    public func group<T>(_ title: String, _ body: () async throws -> T) async rethrows -> T {
        beginGroup(title)
        defer { endGroup() }
        return try await body()
    }

    // MARK: Files

    /// Sets a step output. Multi-line values use a random heredoc delimiter that does not
    /// occur in the value. Outside Actions without `GITHUB_OUTPUT`, prints `name: value`.
    public func setOutput(_ name: String, _ value: String) throws {
        guard MarkerValue.matches(name, "[A-Za-z_][A-Za-z0-9_-]{0,99}") else {
            throw ActionsOutputError.invalidOutputName(name)
        }
        guard let outputFile else {
            write("output \(name): \(value)")
            return
        }
        try append(try Self.outputRecord(name: name, value: value, makeDelimiter: makeDelimiter), to: outputFile)
    }

    /// Appends Markdown to the job summary; outside Actions without `GITHUB_STEP_SUMMARY`, prints it.
    public func appendSummary(_ markdown: String) throws {
        guard let summaryFile else {
            write(markdown)
            return
        }
        try append(markdown.hasSuffix("\n") ? markdown : markdown + "\n", to: summaryFile)
    }

    static func outputRecord(name: String, value: String, makeDelimiter: () -> String) throws -> String {
        guard value.contains("\n") || value.contains("\r") else { return "\(name)=\(value)\n" }
        for _ in 0..<5 {
            let delimiter = makeDelimiter()
            if !delimiter.isEmpty, !value.contains(delimiter), !name.contains(delimiter) {
                return "\(name)<<\(delimiter)\n\(value)\n\(delimiter)\n"
            }
        }
        throw ActionsOutputError.noSafeDelimiter(name)
    }

    private func append(_ text: String, to file: URL) throws {
        do {
            if !FileManager.default.fileExists(atPath: file.path),
               !FileManager.default.createFile(atPath: file.path, contents: nil) {
                throw CocoaError(.fileWriteUnknown)
            }
            let handle = try FileHandle(forWritingTo: file)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            throw ActionsOutputError.cannotWrite(path: file.path, detail: error.localizedDescription)
        }
    }
}

public enum ActionsOutputError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidOutputName(String)
    case noSafeDelimiter(String)
    case cannotWrite(path: String, detail: String)

    public var description: String {
        switch self {
        case .invalidOutputName(let name):
            "The output name \(MarkerError.printable(name)) is invalid: use letters, digits, '_' and '-'"
        case .noSafeDelimiter(let name):
            "Could not find a heredoc delimiter that does not occur in the value of output \(name)"
        case .cannotWrite(let path, let detail):
            "Cannot append to \(path): \(detail)"
        }
    }
}
