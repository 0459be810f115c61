import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a start-up check went.
public struct BootReport: Sendable, Equatable, Codable {
    /// From starting the interpreter until `GET /ping` first answered 200.
    public var seconds: Double
    public var budgetSeconds: Double
    /// The user the agent ran as: `nobody` when we are root, else ourselves.
    public var user: String
    public var port: Int
}

/// Starts a package the way AgentCore does: extracted with the archive's permissions, run by an
/// unprivileged user with `python -u <entry point>`, timed until `GET /ping` answers 200, killed
/// afterwards. Fails on timeout, on an early exit (showing the traceback's last lines) and on files
/// that user could not read.
public struct BootChecker: Sendable {
    public var python: URL
    public var entryPoint: String = "agent.py"
    public var budget: Double = 30

    public func check(archive: URL) async throws -> BootReport {
        let workspace = try makeWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace) }
        let root = workspace.appendingPathComponent("task")
        let unzip = try await Subprocess.run(URL(fileURLWithPath: "/usr/bin/env"), ["unzip", "-q", archive.path, "-d", root.path])
        guard unzip.status == 0 else { throw PackagingError.bootFailed("unzip could not extract the package: \(Subprocess.tail(unzip.stderr))") }

        let runAs = try await unprivilegedUser()
        if runAs != nil {
            let unreadable = Self.unreadableByOthers(root)
            guard unreadable.isEmpty else {
                throw PackagingError.bootFailed(
                    "the runtime's non-root user cannot read: \(unreadable.prefix(10).joined(separator: ", ")); files need mode 0644 and directories 0755")
            }
        }
        let port = try Self.freePort()
        let log = workspace.appendingPathComponent("agent.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        defer { try? logHandle.close() }

        let process = Process()
        let command = [python.path, "-u", entryPoint]
        if let runAs {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = runAs.setprivArguments + command
        } else {
            process.executableURL = python
            process.arguments = ["-u", entryPoint]
        }
        process.currentDirectoryURL = root
        process.environment = [
            "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": workspace.path, "PORT": "\(port)",
            "LANG": "C.UTF-8", "AWS_REGION": "us-east-1",
        ]
        process.standardOutput = logHandle
        process.standardError = logHandle
        process.standardInput = FileHandle.nullDevice

        // Agents that read PORT answer on the free port; others can only use 8080, which we
        // watch as well when nothing else already listens there.
        var ports = [port]
        if Self.pingStatus(port: 8080) == nil { ports.append(8080) }
        let exit = ProcessExit(process)
        let start = Date()
        try process.run()
        let report: Result<BootReport, any Error>
        do {
            report = .success(try await waitForPing(ports: ports, exit: exit, start: start, log: log, runAs: runAs))
        } catch {
            report = .failure(error)
        }
        await Self.stop(process, exit: exit)
        return try report.get()
    }

    /// Asks `GET /ping` every 50 ms until it answers 200, the agent exits (noticed at once) or the
    /// budget runs out.
    private func waitForPing(ports: [Int], exit: ProcessExit, start: Date, log: URL, runAs: User?) async throws -> BootReport {
        while true {
            let elapsed = Date().timeIntervalSince(start)
            if exit.hasExited {
                let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw PackagingError.bootFailed(
                    "`python -u \(entryPoint)` exited with status \(exit.status) after \(String(format: "%.1f", elapsed)) s before answering /ping:\n\(Subprocess.tail(output))")
            }
            let answered = ports.first { Self.pingStatus(port: $0) == 200 }
            let seconds = Date().timeIntervalSince(start)
            if seconds > budget {
                let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                let what = answered != nil ? String(format: "answered only after %.1f s", seconds) : "did not answer 200"
                throw PackagingError.bootFailed(
                    "GET /ping \(what) within the \(Self.seconds(budget)) s start-up budget (over budget); import and server start must finish sooner, so move heavy work after start-up. Last output:\n\(Subprocess.tail(output))")
            }
            if let answered {
                return BootReport(seconds: seconds, budgetSeconds: budget, user: runAs?.name ?? Self.currentUser(), port: answered)
            }
            _ = await exit.wait(upTo: .milliseconds(50))
        }
    }

    /// A directory everybody can traverse (mkdtemp makes it 0700), so `nobody` reaches the code.
    private func makeWorkspace() throws -> URL {
        var template = Array((FileManager.default.temporaryDirectory.path + "/agentcore-boot-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw PackagingError.io("cannot create a temporary directory") }
        let path = String(cString: made)
        chmod(path, 0o755)
        return URL(fileURLWithPath: path)
    }

    struct User {
        var name: String
        var uid: uid_t
        var gid: gid_t
        var setprivArguments: [String] { ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--"] }
    }

    /// `nobody` when we are root and the interpreter works for it; nil means run as ourselves.
    private func unprivilegedUser() async throws -> User? {
        guard geteuid() == 0, let entry = getpwnam("nobody"),
              FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { return nil }
        let user = User(name: "nobody", uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
        let probe = try await Subprocess.run(
            URL(fileURLWithPath: "/usr/bin/setpriv"), user.setprivArguments + [python.path, "-c", "pass"],
            currentDirectory: URL(fileURLWithPath: "/"))
        guard probe.status == 0 else {
            throw PackagingError.bootFailed(
                "\(python.path) cannot be run by the unprivileged user 'nobody' (\(Subprocess.tail(probe.stderr, lines: 2))); install python3.X system-wide, e.g. with apt")
        }
        return user
    }

    /// Paths (relative to `root`) that a user other than the owner could not read or traverse.
    static func unreadableByOthers(_ root: URL) -> [String] {
        var found: [String] = []
        let base = root.path
        guard let enumerator = FileManager.default.enumerator(atPath: base) else { return [base] }
        while let relative = enumerator.nextObject() as? String {
            var info = stat()
            guard lstat(base + "/" + relative, &info) == 0 else { continue }
            let mode = info.st_mode
            let isDirectory = mode & S_IFMT == S_IFDIR
            let needed: mode_t = isDirectory ? (S_IROTH | S_IXOTH) : S_IROTH
            if mode & needed != needed { found.append(relative) }
        }
        return found.sorted()
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PackagingError.io("cannot open a socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw PackagingError.io("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The HTTP status of `GET /ping` on loopback, or nil while nothing answers.
    static func pingStatus(port: Int) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { return nil }
        let request = Array("GET /ping HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard send(fd, request, request.count, 0) == request.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 64)
        let received = recv(fd, &buffer, buffer.count, 0)
        guard received > 12 else { return nil }
        let statusLine = String(decoding: buffer[0..<received], as: UTF8.self)
        let parts = statusLine.split(separator: " ")
        return parts.count > 1 ? Int(parts[1]) : nil
    }

    /// SIGTERM, then SIGKILL if the agent is still there after two seconds; the task waits for
    /// the exit without holding a thread.
    static func stop(_ process: Process, exit: ProcessExit) async {
        guard !exit.hasExited else { return }
        process.terminate()
        if await exit.wait(upTo: .seconds(2)) { return }
        kill(process.processIdentifier, SIGKILL)
        _ = await exit.wait(upTo: nil)
    }

    /// "30", "1.5": budgets as people write them.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    static func currentUser() -> String {
        guard let entry = getpwuid(geteuid()) else { return "uid \(geteuid())" }
        return String(cString: entry.pointee.pw_name)
    }
}
