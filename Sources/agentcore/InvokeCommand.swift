import AgentCoreGitOps
import ArgumentParser
import Foundation

struct InvokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Send a payload to a deployed agent and print its answer as it arrives.",
        discussion: """
            Calls InvokeAgentRuntime on one endpoint of the runtime: DEFAULT (which follows the newest \
            version) unless --endpoint names another. A streamed answer (text/event-stream) is printed \
            event by event as it arrives, a JSON answer as JSON, anything else as it is; with --json, a \
            JSON answer comes on one line and each event as one JSON line {"event", "data"}. The session \
            id goes to stderr: pass it back with --session to continue the conversation. The data plane's \
            address can be overridden with AWS_ENDPOINT_URL_BEDROCK_AGENTCORE (or AWS_ENDPOINT_URL). \
            An invocation runs the agent, so it is retried only when AWS turned it away unprocessed.
            """)

    static let defaultPayload = #"{"prompt": "Hello"}"#

    @Argument(help: ArgumentHelp("The runtime's name, id or ARN.", valueName: "runtime"))
    var runtime: String

    @Option(help: ArgumentHelp("The endpoint to invoke; DEFAULT follows the newest version.", valueName: "name"))
    var endpoint = AgentRuntimeEndpoint.defaultName

    @Option(help: ArgumentHelp("The JSON payload (default: \(defaultPayload)).", valueName: "json"))
    var payload: String?

    @Option(help: ArgumentHelp("A file holding the JSON payload, instead of --payload.", valueName: "file"))
    var payloadFile: String?

    @Option(help: ArgumentHelp(
        "The session to continue (\(AgentInvocation.sessionIDLength.lowerBound) to \(AgentInvocation.sessionIDLength.upperBound) characters; default: a new one).",
        valueName: "id"))
    var session: String?

    @OptionGroup var options: GlobalOptions

    func validate() throws {
        if runtime.hasPrefix("arn:") {
            try AgentInvocation.checkRuntimeARN(runtime)
        } else {
            _ = try AgentCoreValidation.runtimeReference(runtime)
        }
        try InputChecks.endpointName(endpoint, changing: false)
        if let session { try AgentInvocation.checkSessionID(session) }
        _ = try payloadData()
    }

    func run() async throws {
        let services = try Services(options)  // no credentials or region: fails before any request
        let arn = runtime.hasPrefix("arn:") ? runtime : try await services.control.runtime(runtime).agentRuntimeArn
        let invocation = try AgentInvocation(runtimeARN: arn, endpoint: endpoint, payload: try payloadData(), sessionID: session)
        do {
            let answer = try await services.dataPlane.invoke(invocation)
            progress("session \(answer.sessionID)")
            try await AnswerPrinter(json: options.json).print(answer)
        } catch let error as AgentInvocationError where error.kind == .notFound {
            throw ActionableError(error.problem, fix: "check the names with `agentcore runtime list` and `agentcore endpoint list \(runtime)`")
        }
    }

    /// The payload from --payload or --payload-file (the default when neither), checked to be JSON.
    func payloadData() throws -> Data {
        let data: Data
        let source: String
        switch (payload, payloadFile) {
        case (.some, .some):
            throw ActionableError("both --payload and --payload-file are given", fix: "give one of them")
        case (let text?, nil):
            (data, source) = (Data(text.utf8), "--payload")
        case (nil, let path?):
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw ActionableError("cannot read --payload-file \(path): \(error.localizedDescription)", fix: "give a readable file holding JSON")
            }
            source = "--payload-file \(path)"
        case (nil, nil):
            (data, source) = (Data(Self.defaultPayload.utf8), "the default payload")
        }
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)
        } catch {
            throw ActionableError("\(source) is not valid JSON", fix: #"write JSON, e.g. --payload '{"prompt": "Tell me a joke"}'"#)
        }
        try AgentInvocation.checkPayloadSize(data)
        return data
    }
}

/// Writes an agent's answer to stdout as it arrives, unbuffered, so a pipe sees each event at once.
struct AnswerPrinter {
    /// Machine-readable: the JSON answer compact on one line, each event as one JSON line.
    let json: Bool

    func print(_ answer: AgentAnswer) async throws {
        if answer.isEventStream {
            for try await event in answer.events() { write(try line(for: event)) }
        } else if answer.contentType.lowercased().contains("json") {
            var body = Data()
            for try await piece in answer.body { body.append(piece) }
            write(json ? String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : pretty(body))
        } else {
            for try await piece in answer.body { FileHandle.standardOutput.write(piece) }
        }
    }

    /// Text: the event's data, a JSON string shown as its text. JSON: `{"event", "data"(, "id")}`,
    /// with data that is JSON kept as JSON.
    private func line(for event: ServerSentEvent) throws -> String {
        let parsed = try? JSONSerialization.jsonObject(with: Data(event.data.utf8), options: .fragmentsAllowed)
        guard json else { return parsed as? String ?? event.data }
        var object: [String: Any] = ["event": event.event, "data": parsed ?? event.data]
        if let id = event.id { object["id"] = id }
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    /// Objects and arrays indented; anything else as it came.
    private func pretty(_ body: Data) -> String {
        guard let value = try? JSONSerialization.jsonObject(with: body),
              let indented = try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .withoutEscapingSlashes])
        else { return String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        return String(decoding: indented, as: UTF8.self)
    }

    private func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
