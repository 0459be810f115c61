extension Result where Failure == any Error {
    /// What `body` returns or throws, kept: the async counterpart of `init(catching:)`.
    init(awaiting body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
