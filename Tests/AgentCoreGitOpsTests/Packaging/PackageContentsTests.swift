import Foundation
import Testing
@testable import AgentCoreGitOps

/// The manifest a package carries, the diff of two of them, and the guardrails that refuse a
/// package before anything is uploaded.
@Suite struct PackageContentsTests {
    @Test func versionsAreOrderedAsPEP440Says() {
        let ordered = ["1.0.dev1", "1.0a1", "1.0a2.dev1", "1.0a2", "1.0b1", "1.0rc1", "1.0", "1.0+local.1", "1.0.post1",
                       "1.1", "1.9", "1.10", "2!0.1"]
        for (older, newer) in zip(ordered, ordered.dropFirst()) {
            #expect(PackageVersion(older).compare(to: PackageVersion(newer)) < 0, "\(older) < \(newer)")
            #expect(PackageVersion(newer).compare(to: PackageVersion(older)) > 0, "\(newer) > \(older)")
        }
        #expect(PackageVersion("1.0.0").compare(to: PackageVersion("1.0")) == 0)
        #expect(PackageVersion("1.0-RC1").compare(to: PackageVersion("1.0rc1")) == 0)
    }

    @Test func theDiffSaysWhatWasUpgradedDowngradedAddedAndRemoved() {
        let prod = [
            Distribution(name: "somelib", version: "1.0", sha256: "a"), Distribution(name: "Old_Lib", version: "3.1"),
            Distribution(name: "pinned", version: "2.10"), Distribution(name: "same", version: "1", sha256: "x"),
            Distribution(name: "rebuilt", version: "1.0", sha256: "b"),
        ]
        let build = [
            Distribution(name: "somelib", version: "2.0", sha256: "c"), Distribution(name: "newlib", version: "0.1"),
            Distribution(name: "pinned", version: "2.9"), Distribution(name: "same", version: "1", sha256: "x"),
            Distribution(name: "rebuilt", version: "1.0", sha256: "d"),
        ]
        let changes = DependencyChange.between(prod, build)
        #expect(changes == [
            .added(Distribution(name: "newlib", version: "0.1")),
            .removed(Distribution(name: "old-lib", version: "3.1")),
            .downgraded(name: "pinned", from: "2.10", to: "2.9"),
            .wheelChanged(name: "rebuilt", version: "1.0"),
            .upgraded(name: "somelib", from: "1.0", to: "2.0"),
        ])
        #expect(changes.map(\.description) == [
            "newlib 0.1 (added)", "old-lib 3.1 (removed)", "pinned 2.10 → 2.9 (downgrade)",
            "rebuilt 1.0 (another wheel, same version)", "somelib 1.0 → 2.0",
        ])
        #expect(DependencyChange.between(build, build) == [])
    }

    @Test func uvsPylockOutputParses() throws {
        let text = """
            lock-version = "1.0"
            created-by = "uv"
            requires-python = ">=3.11"

            [[packages]]
            name = "Pydantic_Core"
            version = "2.50.5"
            wheels = [{ url = "https://files.example/pydantic_core-2.50.5-cp311-cp311-manylinux2014_aarch64.whl", upload-time = 2026-11-19T12:53:45Z, size = 2133843, hashes = { sha256 = "\(String(repeating: "a", count: 64))" } }]

            [[packages]]
            name = "somelib"
            version = "2.0"
            marker = "python_version >= '3.8'"
            wheels = [
                { url = "file:///w/somelib-2.0-py3-none-any.whl", hashes = { sha256 = "\(String(repeating: "b", count: 64))" } }, # first
                { url = "file:///w/somelib-2.0-py3-none-any.whl", hashes = { sha256 = "\(String(repeating: "b", count: 64))" } },
            ]

            [[packages]]
            name = "local"
            version = "1.0"
            archive = { path = "vendor/local-1.0-py3-none-any.whl", hashes = { sha256 = "\(String(repeating: "c", count: 64))" } }
            """
        let lock = try PyLock(parsing: text, baseDirectory: URL(fileURLWithPath: "/agent"))
        #expect(lock.distributions.map(\.description) == ["local 1.0", "pydantic-core 2.50.5", "somelib 2.0"])
        #expect(lock.distributions.first?.wheel == "local-1.0-py3-none-any.whl")
        #expect(lock.installRequirements.split(separator: "\n") == [
            "pydantic-core @ https://files.example/pydantic_core-2.50.5-cp311-cp311-manylinux2014_aarch64.whl --hash=sha256:\(String(repeating: "a", count: 64))",
            "somelib @ file:///w/somelib-2.0-py3-none-any.whl ; python_version >= '3.8' --hash=sha256:\(String(repeating: "b", count: 64))",
            "local @ file:///agent/vendor/local-1.0-py3-none-any.whl --hash=sha256:\(String(repeating: "c", count: 64))",
        ])
        #expect(throws: PackagingError.self) {
            _ = try PyLock(parsing: "[[packages]]\nname = \"x\"\nversion = \"1\"\nsdist = { url = \"u\" }\n", baseDirectory: URL(fileURLWithPath: "/"))
        }
    }

    @Test func ignorePatternsFollowGitignore() {
        let ignore = IgnoreFile("""
            # tests, notebooks and data stay out
            *.ipynb
            /notebooks/
            data/**
            !data/keep.csv
            build/
            **/fixtures
            secret?.txt
            log[0-9].txt
            \\#literal
            """)
        #expect(ignore.patterns.count == 9)
        #expect(ignore.ignores("analysis.ipynb", isDirectory: false))
        #expect(ignore.ignores("tools/deep/analysis.ipynb", isDirectory: false))
        #expect(ignore.ignores("notebooks", isDirectory: true))
        #expect(!ignore.ignores("tools/notebooks", isDirectory: true), "a leading slash anchors to the agent directory")
        #expect(!ignore.ignores("data", isDirectory: true), "data/** matches what is inside")
        #expect(ignore.ignores("data/big.parquet", isDirectory: false))
        #expect(ignore.ignores("data/sub/x.csv", isDirectory: false))
        #expect(!ignore.ignores("data/keep.csv", isDirectory: false), "negation brings it back")
        #expect(ignore.ignores("build", isDirectory: true) && !ignore.ignores("build", isDirectory: false))
        #expect(ignore.ignores("a/b/fixtures", isDirectory: true) && ignore.ignores("fixtures", isDirectory: false))
        #expect(ignore.ignores("secret1.txt", isDirectory: false) && !ignore.ignores("secret12.txt", isDirectory: false))
        #expect(ignore.ignores("log7.txt", isDirectory: false) && !ignore.ignores("logx.txt", isDirectory: false))
        #expect(ignore.ignores("#literal", isDirectory: false))
        #expect(!ignore.ignores("agent.py", isDirectory: false))
        #expect(IgnoreFile("[!a-c]*.py\n").ignores("d.py", isDirectory: false))
        #expect(!IgnoreFile("[!a-c]*.py\n").ignores("b.py", isDirectory: false))
    }

    /// ELF e_machine at offset 18: 62 is x86-64, 183 AArch64.
    static func elf(machine: UInt16) -> Data {
        var bytes = [UInt8](repeating: 0, count: 64)
        bytes[0...3] = [0x7f, 0x45, 0x4c, 0x46]
        bytes[4] = 2  // 64-bit
        bytes[5] = 1  // little-endian
        bytes[18] = UInt8(machine & 0xff)
        bytes[19] = UInt8(machine >> 8)
        return Data(bytes)
    }

    @Test func nativeCodeForAnotherMachineIsRecognised() throws {
        let tree = try TempTree()
        var pe = [UInt8](repeating: 0, count: 128)
        pe[0...1] = [0x4d, 0x5a]
        pe[60] = 0x40
        pe[64...67] = [0x50, 0x45, 0, 0]
        var notPE = pe
        notPE[64] = 0x41
        let files: [(String, Data)] = [
            ("ok/_speedups.cpython-311-aarch64-linux-gnu.so", Self.elf(machine: 183)),
            ("ok/_abi3.abi3.so", Self.elf(machine: 183)),
            ("ok/readme.txt", Data("MZ is how this text starts".utf8)),
            ("ok/notpe.bin", Data(notPE)),
            ("ok/Klass.class", Data([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52])),
            ("bad/_x86.cpython-311-x86_64-linux-gnu.so", Self.elf(machine: 62)),
            ("bad/_new.cpython-312-aarch64-linux-gnu.so", Self.elf(machine: 183)),
            ("bad/tool", Data([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1])),
            ("bad/tool.exe", Data(pe)),
            ("bad/_win.pyd", Data("x".utf8)),
        ]
        var contents = ArchiveContents()
        for (path, data) in files { try contents.addFile(try tree.data(path, data), as: path) }
        let problems = NativeCodeCheck.problems(in: contents.sortedItems, python: .default)
        #expect(problems == [
            "bad/_new.cpython-312-aarch64-linux-gnu.so (an extension module for CPython 3.12, not 3.11)",
            "bad/_win.pyd (a Windows extension module)",
            "bad/_x86.cpython-311-x86_64-linux-gnu.so (an ELF object for x86-64, not AArch64)",
            "bad/tool (a macOS (Mach-O) binary)",
            "bad/tool.exe (a Windows (PE) binary)",
        ])
    }

}
