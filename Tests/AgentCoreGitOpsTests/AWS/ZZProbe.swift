import Foundation
import Testing

@Test func zzProbeStartStop() async throws {
    FileHandle.standardError.write(Data("probe: starting\n".utf8))
    let sandbox = try Sandbox.start()
    FileHandle.standardError.write(Data("probe: started \(sandbox.info.awsEndpoint)\n".utf8))
    try await sandbox.awsControl("DELETE", "/_sandbox/requests")
    FileHandle.standardError.write(Data("probe: control ok\n".utf8))
    sandbox.stop()
    FileHandle.standardError.write(Data("probe: stopped\n".utf8))
}
