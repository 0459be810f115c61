import Foundation

extension Array where Element: Sendable {
    /// `transform` on every element with at most `width` running at once; results in the
    /// elements' order.
    func concurrentMap<Result: Sendable>(
        width: Int, _ transform: @escaping @Sendable (Element) async -> Result
    ) async -> [Result] {
        await withTaskGroup(of: (Int, Result).self) { group in
            var next = startIndex
            var results: [Result?] = Array<Result?>(repeating: nil, count: count)
            func startNext() {
                guard next < endIndex else { return }
                let index = next
                let element = self[index]
                next += 1
                group.addTask { (index, await transform(element)) }
            }
            for _ in 0..<Swift.max(1, width) { startNext() }
            while let (index, result) = await group.next() {
                results[index] = result
                startNext()
            }
            return results.map { $0! }
        }
    }
}
