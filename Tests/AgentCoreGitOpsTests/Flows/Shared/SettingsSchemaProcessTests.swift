import Foundation
import Testing
@testable import AgentCoreGitOps

/// The schema judged by Python's `jsonschema`: each test starts python.
extension SettingsSchemaTests {
    @Test("the schema accepts the sample and a file using every member, and refuses every value the tool refuses", .heavy, .tags(.process))
    func schemaAgreesWithTheTool() async throws {
        let sample = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("agent/agentcore.json"), encoding: .utf8)
        let verdicts = try await SchemaValidator.errors(for: [sample, EnvironmentSettingsTests.full, EnvironmentSettingsTests.overridesThatRemove] + Self.invalid.map(\.json))
        #expect(verdicts[0] == nil, "the schema refuses agent/agentcore.json: \(verdicts[0] ?? "")")
        #expect(verdicts[1] == nil, "the schema refuses a file using every member: \(verdicts[1] ?? "")")
        #expect(verdicts[2] == nil, "the schema refuses overrides that remove settings with null: \(verdicts[2] ?? "")")
        for (index, row) in Self.invalid.enumerated() {
            #expect(verdicts[index + 3] != nil, "the schema accepts what the tool refuses: \(row.json.prefix(160))")
        }
    }
}

/// Runs Python's `jsonschema` (pinned in sandbox/requirements.txt) over texts with the schema.
enum SchemaValidator {
    /// Per text: nil when the schema accepts it, else the first error.
    static func errors(for texts: [String]) async throws -> [String?] {
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            validator = jsonschema.Draft202012Validator(schema)
            out = []
            for text in json.load(sys.stdin):
                errors = sorted(validator.iter_errors(json.loads(text)), key=lambda e: list(e.absolute_path))
                out.append(None if not errors else f"{list(errors[0].absolute_path)}: {errors[0].message[:200]}")
            print(json.dumps(out))
            """
        let input = String(decoding: try JSONSerialization.data(withJSONObject: texts), as: UTF8.self)
        let schema = RepositoryPaths.root.appendingPathComponent("agent/agentcore.schema.json")
        let result = try await runProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, schema.path],
            environment: ProcessInfo.processInfo.environment, stdin: input)
        guard result.status == 0 else {
            Issue.record("jsonschema failed (pip install -r sandbox/requirements.txt): \(result.output)")
            return texts.map { _ in nil }
        }
        let decoded = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [Any] ?? []
        return decoded.map { $0 as? String }
    }
}
