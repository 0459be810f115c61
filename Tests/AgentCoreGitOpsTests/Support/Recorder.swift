import Foundation

/// Collects values handed to a `@Sendable` callback.
final class Recorder<Element>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Element] = []
    func append(_ value: Element) { lock.withLock { stored.append(value) } }
    var values: [Element] { lock.withLock { stored } }
}
