import Foundation

/// The small agent flow tests deploy: a tiny `agent.py` on Python's standard library alone (no
/// dependencies), which answers AgentCore's `GET /ping` and `POST /invocations` the way the
/// sandbox's data plane calls it, a system prompt and its `agentcore.json`, in `agent/` and
/// `prompts/` of a checkout.
enum SmallAgent {
    static let defaultGreeting = "Hello from the test agent"

    static func write(into checkout: TempTree, greeting: String = defaultGreeting) throws {
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
        try checkout.file("agent/agent.py", source(answer: "200, {\"result\": \(greeting.debugDescription)}"))
    }

    /// An agent that starts and answers `/ping`, but whose handler fails every invocation with
    /// HTTP 500, as an entry point that raises does.
    static func writeRaisingAgent(into checkout: TempTree) throws {
        try checkout.file("agent/agent.py", source(answer: "500, {\"error\": \"the handler raised RuntimeError\"}"))
    }

    private static func source(answer: String) -> String {
        """
        import json
        import os
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


        class Agent(BaseHTTPRequestHandler):
            def do_GET(self):
                self.reply(200, {"status": "Healthy"})

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.reply(\(answer))

            def reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *arguments):
                pass


        ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("PORT", "8080"))), Agent).serve_forever()

        """
    }
}
