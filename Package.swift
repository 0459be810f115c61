// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "agentcore-gitops",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "AgentCoreGitOps", targets: ["AgentCoreGitOps"]),
        .executable(name: "agentcore", targets: ["agentcore"]),
        .executable(name: "pr-deploy", targets: ["pr-deploy"]),
        .executable(name: "prod-deploy", targets: ["prod-deploy"]),
        .executable(name: "prod-promote", targets: ["prod-promote"]),
    ],
    dependencies: [
        // Exact: it has no dependencies, so this pins the whole graph without a committed Package.resolved.
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    ],
    targets: [
        // System libraries: SHA-256 and HMAC from OpenSSL's libcrypto, deflate from zlib.
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // Linux system calls glibc hides behind _GNU_SOURCE (header only, nothing to link).
        .systemLibrary(name: "CSystemCalls"),
        // The core library: AWS, GitHub, packaging and the three flows, in one folder each.
        .target(
            name: "AgentCoreGitOps",
            dependencies: ["CLibCrypto", "CZlib", "CSystemCalls"]
        ),
        .executableTarget(
            name: "agentcore",
            dependencies: [
                "AgentCoreGitOps",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The workflows' executables, one line each: `FlowMain` runs the flow of the same name
        // in Flows/ with everything from the environment.
        .executableTarget(name: "pr-deploy", dependencies: ["AgentCoreGitOps"]),
        .executableTarget(name: "prod-deploy", dependencies: ["AgentCoreGitOps"]),
        .executableTarget(name: "prod-promote", dependencies: ["AgentCoreGitOps"]),
        .testTarget(
            name: "AgentCoreGitOpsTests",
            dependencies: ["AgentCoreGitOps", "agentcore", "pr-deploy", "prod-deploy", "prod-promote"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
