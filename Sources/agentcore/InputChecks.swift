import AgentCoreGitOps

/// The library's input checks, run in `validate()` before any request, with the CLI's own
/// commands in their fixes.
enum InputChecks {
    static func version(_ version: String) throws(ActionableError) {
        try AgentCoreValidation.checkVersion(version, listing: "list them with `agentcore runtime versions <runtime>`")
    }

    /// `DEFAULT` is AWS's own endpoint: readable, never changed by hand.
    static func endpointName(_ name: String, changing: Bool) throws(ActionableError) {
        try AgentCoreValidation.checkName(name, kind: "endpoint name")
        if changing && name == AgentRuntimeEndpoint.defaultName {
            throw ActionableError("the DEFAULT endpoint is AWS's: it follows the latest version and goes with the runtime",
                                  fix: "create a named endpoint instead, e.g. `agentcore endpoint create <runtime> <version> live`")
        }
    }
}
