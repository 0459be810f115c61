import Foundation

/// Answers handed out in order, the last one repeating: a resource moving through its states.
final class Script<Element>: @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: [Element]

    init(_ elements: [Element]) {
        precondition(!elements.isEmpty)
        remaining = elements
    }

    func next() -> Element {
        lock.withLock { remaining.count > 1 ? remaining.removeFirst() : remaining[0] }
    }
}
