import Testing

/// Tests that need more than this process. `swift test` cannot filter by tag, so tagged tests
/// also live in files named `*SandboxTests.swift` or `*ProcessTests.swift`, which
/// `scripts/test --fast` skips by name. Each such test also carries `.heavy`
/// (HeavyTestSlots.swift), so only a few of them run at once.
extension Tag {
    /// Starts the local sandbox (moto and the GitHub emulator), or uses the shared one.
    @Tag static var sandbox: Self
    /// Starts a child process: an executable of this package, uv, python, unzip or zip.
    @Tag static var process: Self
}
