import Foundation

/// One event of a `text/event-stream` answer, as the HTML standard's event-stream format defines it.
public struct ServerSentEvent: Sendable, Equatable {
    /// The `event:` field; `message` when the event names none.
    public var event: String = "message"
    /// The `data:` lines, joined with newlines.
    public var data: String
    public var id: String?
}

/// Cuts an event stream into events as its bytes arrive, in pieces of any size: lines end with
/// LF, CR or CRLF, a blank line ends an event, `:` lines are comments. Unlike a browser it also
/// hands over an event the stream ends without a blank line after, rather than dropping it.
struct ServerSentEventParser {
    private var buffer: [UInt8] = []
    private var event = ""
    private var data: [String] = []
    private var id: String?

    /// The events completed by `piece`.
    mutating func feed(_ piece: Data) -> [ServerSentEvent] {
        buffer.append(contentsOf: piece)
        var events: [ServerSentEvent] = []
        var start = 0
        var index = 0
        while index < buffer.count {
            let byte = buffer[index]
            guard byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") else {
                index += 1
                continue
            }
            // A CR at the end may be the first half of a CRLF still on its way.
            if byte == UInt8(ascii: "\r") && index + 1 == buffer.count { break }
            if let event = take(line: buffer[start..<index]) { events.append(event) }
            index += byte == UInt8(ascii: "\r") && buffer[index + 1] == UInt8(ascii: "\n") ? 2 : 1
            start = index
        }
        buffer.removeFirst(start)
        return events
    }

    /// The event the stream ended in the middle of, if any.
    mutating func finish() -> ServerSentEvent? {
        var line = buffer
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        buffer = []
        let completed = line.isEmpty ? nil : take(line: line[...])
        return completed ?? dispatch()
    }

    private mutating func take(line: ArraySlice<UInt8>) -> ServerSentEvent? {
        guard !line.isEmpty else { return dispatch() }
        let text = String(decoding: line, as: UTF8.self)
        guard !text.hasPrefix(":") else { return nil }
        var field = Substring(text), value = Substring("")
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        }
        switch field {
        case "event": event = String(value)
        case "data": data.append(String(value))
        case "id" where !value.contains("\0"): id = String(value)
        default: break  // `retry` and unknown fields
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            event = ""
            data = []
        }
        guard !data.isEmpty else { return nil }
        return ServerSentEvent(event: event.isEmpty ? "message" : event, data: data.joined(separator: "\n"), id: id)
    }
}
