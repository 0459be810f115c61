import Foundation
import Testing
@testable import AgentCoreGitOps

/// Whole builds of the sample agent and of small agents made to fail, with the real uv, the real
/// interpreter and the shared dependency cache (so a second run installs nothing).
@Suite(.heavy, .tags(.process)) struct PackageBuilderProcessTests {
    static let sampleAgent = RepositoryPaths.root.appendingPathComponent("agent")

    static func options(agent: URL, output: URL) -> PackageOptions {
        PackageOptions(agentDirectory: agent, output: output, cacheDirectory: TestCache.directory)
    }

    @Test func theSampleAgentPackagesWithThePromptAtTheRootAndBootsInTime() async throws {
        let tree = try TempTree()
        var options = Self.options(agent: Self.sampleAgent, output: tree.url("build/code.zip"))
        options.promptFile = RepositoryPaths.root.appendingPathComponent("prompts/haiku_bot.txt")
        options.checkBoot = true
        // The suite runs dozens of processes on two cores and the read-only twin compiles every
        // module it imports: on a quiet machine it answers in 0.8 s, but under the suite's load it
        // once took 30.2 s, so this test gives it room; an agent that sleeps tests the budget itself.
        options.bootTimeout = 120
        let manifest = try await PackageBuilder.build(options)

        #expect(manifest.bootSeconds != nil && manifest.bootSeconds! < 120)
        #expect(manifest.runtime == "PYTHON_3_11")
        #expect(manifest.platform?.hasPrefix("aarch64-manylinux") == true)
        #expect(manifest.sha256 == (try SHA256Hasher.hash(fileAt: tree.url("build/code.zip"))).hexString)
        let entries = try await ArchiveInspector.pythonEntries(tree.url("build/code.zip"))
        let names = Set(entries.map(\.name))
        #expect(names.contains("agent.py") && names.contains("system_prompt.txt"))
        #expect(names.contains("strands/__init__.py") && names.contains("bedrock_agentcore/"))
        #expect(!names.contains { $0.hasPrefix("tests/") || $0 == "requirements.txt" || $0 == ".lock" })
        #expect(!names.contains { $0.hasSuffix(".pyc") || $0.contains("__pycache__") })
        #expect(entries.count == manifest.fileCount + entries.filter { $0.name.hasSuffix("/") }.count)
        let prompt = try await ArchiveInspector.pythonText(tree.url("build/code.zip"), entry: "system_prompt.txt")
        #expect(prompt == (try String(contentsOf: options.promptFile!, encoding: .utf8)))
    }

    @Test func aPackageForAnotherOutputCopiesTheCachedDependencyLayer() async throws {
        let tree = try TempTree()
        let first = try await PackageBuilder.build(Self.options(agent: Self.sampleAgent, output: tree.url("pr_1.zip")))
        let lines = LogLines()
        let second = try await PackageBuilder.build(
            Self.options(agent: Self.sampleAgent, output: tree.url("pr_2.zip")), log: { lines.append($0) })
        #expect(lines.all.contains { $0.hasPrefix("dependency layer from cache") }, "\(lines.all)")
        #expect(second.sha256 == first.sha256, "the same inputs give the same bytes, whatever the output")
        #expect(second.reusedEntries > second.fileCount - 5, "everything but the agent's few files is copied")
        let names = try await ArchiveInspector.pythonEntries(tree.url("pr_2.zip")).map(\.name)
        #expect(names == names.sorted { Array($0.trimmingSuffix("/").utf8).lexicographicallyPrecedes(Array($1.trimmingSuffix("/").utf8)) })
        #expect(!names.contains(".agentcore-platform"))
    }

    @Test func dependencyBytecodeComesWithTheLayerOnlyWhenAskedFor() async throws {
        let tree = try TempTree()
        try tree.file("agent/agent.py", "import six\nprint(six.PY3)\n")
        try tree.file("agent/requirements.txt", "six==1.17.0\n")
        var options = Self.options(agent: tree.url("agent"), output: tree.url("code.zip"))
        options.precompile = true
        _ = try await PackageBuilder.build(options)
        let compiled = Set(try await ArchiveInspector.pythonEntries(tree.url("code.zip")).map(\.name))
        #expect(compiled.isSuperset(of: ["six.py", "__pycache__/six.cpython-311.pyc", "__pycache__/agent.cpython-311.pyc"]))

        // Another layer for the same dependencies without bytecode: the setting is part of its key.
        options.precompile = false
        _ = try await PackageBuilder.build(options)
        let plain = Set(try await ArchiveInspector.pythonEntries(tree.url("code.zip")).map(\.name))
        #expect(plain.contains("six.py") && !plain.contains { $0.hasSuffix(".pyc") })
    }

    @Test func precompiledBytecodeIsUncheckedHashForTheRuntimeVersion() async throws {
        let tree = try TempTree()
        try tree.file("agent/agent.py", "import helper\nprint(helper.X)\n")
        try tree.file("agent/helper.py", "X = 42\n")
        try tree.file("agent/__pycache__/agent.cpython-311.pyc", "stale timestamp bytecode")
        var options = Self.options(agent: tree.url("agent"), output: tree.url("code.zip"))
        options.precompile = true
        let manifest = try await PackageBuilder.build(options)
        #expect(manifest.precompiled)
        // PEP 552: flags word 1 = hash-based, source not checked; the magic number is 3.11's.
        let script = """
            import importlib.util, sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            print(sorted(n for n in z.namelist() if n.endswith('.pyc')))
            data = z.read('__pycache__/agent.cpython-311.pyc')
            print(data[:4] == importlib.util.MAGIC_NUMBER, int.from_bytes(data[4:8], 'little'))
            """
        let result = try await runProcess(URL(fileURLWithPath: "/usr/bin/python3.11"), ["-c", script, tree.url("code.zip").path])
        #expect(result.stdout == "['__pycache__/agent.cpython-311.pyc', '__pycache__/helper.cpython-311.pyc']\nTrue 1\n", "\(result.output)")
    }

    @Test func anAgentThatSleepsAtImportIsReportedOverBudget() async throws {
        let tree = try TempTree()
        try tree.file("agent/agent.py", "import time\ntime.sleep(40)\n")
        var options = Self.options(agent: tree.url("agent"), output: tree.url("code.zip"))
        options.checkBoot = true
        options.bootTimeout = 2
        await #expect {
            _ = try await PackageBuilder.build(options)
        } throws: { error in
            guard case PackagingError.bootFailed(let detail) = error else { return false }
            return detail.contains("over budget") && detail.contains("2 s")
        }
        #expect(!FileManager.default.fileExists(atPath: tree.url("code.zip").path), "a failed check writes no package")
    }

    @Test func anImportErrorShowsTheTracebackTail() async throws {
        let tree = try TempTree()
        try tree.file("agent/agent.py", "import helper\n")
        try tree.file("agent/helper.py", "import definitely_not_installed_module\n")
        var options = Self.options(agent: tree.url("agent"), output: tree.url("code.zip"))
        options.checkBoot = true
        await #expect {
            _ = try await PackageBuilder.build(options)
        } throws: { error in
            guard case PackagingError.bootFailed(let detail) = error else { return false }
            return detail.contains("exited with status 1")
                && detail.contains("ModuleNotFoundError: No module named 'definitely_not_installed_module'")
        }
    }

    @Test(.enabled(if: geteuid() == 0, "only root can start the agent as another user"))
    func filesTheRuntimeUserCannotReadFailTheCheck() async throws {
        // Our archives always carry 0644/0755; an archive made by another tool may not.
        let tree = try TempTree()
        try tree.file("src/agent.py", "print('hi')\n")
        try tree.file("src/secret.py", "X = 1\n", mode: 0o600)
        let zip = try await runProcess(
            URL(fileURLWithPath: "/usr/bin/zip"), ["-q", "-r", "-X", tree.url("foreign.zip").path, "."],
            currentDirectory: tree.url("src"))
        try #require(zip.status == 0)
        let python = try await PythonToolchain().python(.default)
        await #expect {
            _ = try await BootChecker(python: python, budget: 5).check(archive: tree.url("foreign.zip"))
        } throws: { error in
            "\(error)".contains("cannot read: secret.py")
        }
    }

    @Test func aMissingEntryPointOrPromptIsRefusedBeforeAnyWork() async throws {
        let tree = try TempTree()
        try tree.file("agent/main.py", "")
        let options = Self.options(agent: tree.url("agent"), output: tree.url("code.zip"))
        await #expect(throws: PackagingError.self) { _ = try await PackageBuilder.build(options) }
        try tree.file("agent/agent.py", "")
        var withPrompt = options
        withPrompt.promptFile = tree.url("prompts/nope.txt")
        await #expect(throws: PackagingError.unreadable(path: tree.url("prompts/nope.txt").path, reason: "prompt file not found")) {
            _ = try await PackageBuilder.build(withPrompt)
        }
        #expect(!FileManager.default.fileExists(atPath: tree.url("code.zip").path))
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
