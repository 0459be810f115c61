import Foundation

/// The small agent flow tests deploy: a tiny `agent.py`, no dependencies, a system prompt and
/// its `agentcore.json`, in `agent/` and `prompts/` of a checkout.
enum SmallAgent {
    static func write(into checkout: TempTree, greeting: String = "Hello from the test agent") throws {
        try writeAgent(greeting, into: checkout)
        try checkout.file("agent/requirements.txt", "")
        try checkout.file("prompts/bot.txt", "You are a test bot.\n")
        try checkout.file("agent/agentcore.json", """
            {"entryPoint": "agent.py", "python": "3.11", "prompt": "../prompts/bot.txt",
             "description": "Flow test agent", "environmentVariables": {"LOG_LEVEL": "DEBUG"}}
            """)
    }

    /// Changes what the agent says, and so its package.
    static func writeAgent(_ greeting: String, into checkout: TempTree) throws {
        try checkout.file("agent/agent.py", "def handler(payload):\n    return \(greeting.debugDescription)\n")
    }
}
