import Foundation

/// One installed Python distribution of a package: what uv resolved and installed.
public struct Distribution: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The normalised name (PEP 503: lower case, runs of `-_.` as one `-`), e.g. `pydantic-core`.
    public var name: String
    public var version: String
    /// SHA-256 of the wheel file uv installed, from its resolution.
    public var sha256: String?
    /// The wheel's file name, e.g. `somelib-2.0-py3-none-any.whl`.
    public var wheel: String?

    public init(name: String, version: String, sha256: String? = nil, wheel: String? = nil) {
        self.name = Self.normalize(name)
        self.version = version
        self.sha256 = sha256
        self.wheel = wheel
    }

    public var description: String { "\(name) \(version)" }

    /// PEP 503 normalisation, so `Pydantic_Core` and `pydantic-core` are one distribution.
    public static func normalize(_ name: String) -> String {
        var result = ""
        var pendingSeparator = false
        for character in name.lowercased() {
            if character == "-" || character == "_" || character == "." {
                pendingSeparator = true
                continue
            }
            if pendingSeparator && !result.isEmpty { result.append("-") }
            pendingSeparator = false
            result.append(character)
        }
        return result
    }
}

/// How one distribution differs between two packages, e.g. between what prod serves and a new
/// build: `somelib 1.0 → 2.0`.
public enum DependencyChange: Sendable, Equatable, CustomStringConvertible {
    case added(Distribution)
    case removed(Distribution)
    case upgraded(name: String, from: String, to: String)
    case downgraded(name: String, from: String, to: String)
    /// Same version, another wheel (a rebuilt local wheel, another platform tag).
    case wheelChanged(name: String, version: String)

    public var name: String {
        switch self {
        case .added(let distribution), .removed(let distribution): return distribution.name
        case .upgraded(let name, _, _), .downgraded(let name, _, _), .wheelChanged(let name, _): return name
        }
    }

    public var description: String {
        switch self {
        case .added(let distribution): return "\(distribution.name) \(distribution.version) (added)"
        case .removed(let distribution): return "\(distribution.name) \(distribution.version) (removed)"
        case .upgraded(let name, let from, let to): return "\(name) \(from) → \(to)"
        case .downgraded(let name, let from, let to): return "\(name) \(from) → \(to) (downgrade)"
        case .wheelChanged(let name, let version): return "\(name) \(version) (another wheel, same version)"
        }
    }

    /// The changes from `old` to `new`, sorted by distribution name; empty when they hold the same wheels.
    public static func between(_ old: [Distribution], _ new: [Distribution]) -> [DependencyChange] {
        let before = Dictionary(old.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(new.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var changes: [DependencyChange] = []
        for name in Set(before.keys).union(after.keys).sorted() {
            switch (before[name], after[name]) {
            case (nil, let added?):
                changes.append(.added(added))
            case (let removed?, nil):
                changes.append(.removed(removed))
            case (let old?, let new?):
                let order = PackageVersion(old.version).compare(to: PackageVersion(new.version))
                if order < 0 {
                    changes.append(.upgraded(name: name, from: old.version, to: new.version))
                } else if order > 0 {
                    changes.append(.downgraded(name: name, from: old.version, to: new.version))
                } else if old.version != new.version || (old.sha256 != nil && new.sha256 != nil && old.sha256 != new.sha256) {
                    changes.append(.wheelChanged(name: name, version: new.version))
                }
            case (nil, nil):
                break
            }
        }
        return changes
    }
}

/// A PEP 440 version, ordered as pip and uv order them: epoch, release, pre-release, post-release,
/// dev-release, local label. Text that is not PEP 440 sorts by its characters after real versions.
struct PackageVersion {
    private var epoch = 0
    private var release: [Int] = []
    /// (phase, number): a = 0, b = 1, rc = 2; nil for a final release.
    private var pre: (Int, Int)?
    private var post: Int?
    private var dev: Int?
    private var local: [String] = []
    private let text: String
    private var valid = true

    init(_ text: String) {
        self.text = text
        let pattern = /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|rc|c|pre|preview)[-_.]?(\d*))?(?:-(\d+)|[-_.]?(?:post|rev|r)[-_.]?(\d*))?(?:[-_.]?dev[-_.]?(\d*))?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/
        guard let match = text.lowercased().trimmingCharacters(in: .whitespaces).wholeMatch(of: pattern) else {
            valid = false
            return
        }
        epoch = match.1.flatMap { Int($0) } ?? 0
        release = match.2.split(separator: ".").map { Int($0) ?? 0 }
        while release.count > 1 && release.last == 0 { release.removeLast() }
        if let phase = match.3 {
            let rank = phase.hasPrefix("a") ? 0 : phase.hasPrefix("b") ? 1 : 2
            pre = (rank, Int(match.4 ?? "") ?? 0)
        }
        if let implicit = match.5 { post = Int(implicit) }
        else if let explicit = match.6 { post = Int(explicit) ?? 0 }
        if let number = match.7 { dev = Int(number) ?? 0 }
        local = match.8.map { $0.split(whereSeparator: { "-_.".contains($0) }).map(String.init) } ?? []
    }

    /// Negative when `self` is older than `other`, zero when equal, positive when newer.
    func compare(to other: PackageVersion) -> Int {
        guard valid && other.valid else {
            if valid != other.valid { return valid ? 1 : -1 }
            return text == other.text ? 0 : (text < other.text ? -1 : 1)
        }
        if epoch != other.epoch { return epoch < other.epoch ? -1 : 1 }
        for index in 0..<max(release.count, other.release.count) {
            let (a, b) = (index < release.count ? release[index] : 0, index < other.release.count ? other.release[index] : 0)
            if a != b { return a < b ? -1 : 1 }
        }
        let (a, b) = (preKey, other.preKey)
        if a != b { return a.lexicographicallyPrecedes(b) ? -1 : 1 }
        let (postA, postB) = (post ?? -1, other.post ?? -1)
        if postA != postB { return postA < postB ? -1 : 1 }
        let (devA, devB) = (dev ?? Int.max, other.dev ?? Int.max)
        if devA != devB { return devA < devB ? -1 : 1 }
        for index in 0..<max(local.count, other.local.count) {
            guard index < local.count else { return -1 }
            guard index < other.local.count else { return 1 }
            let (x, y) = (local[index], other.local[index])
            switch (Int(x), Int(y)) {
            case (let m?, let n?): if m != n { return m < n ? -1 : 1 }
            case (nil, nil): if x != y { return x < y ? -1 : 1 }
            case (_?, nil): return 1  // numeric segments sort after alphanumeric ones
            case (nil, _?): return -1
            }
        }
        return 0
    }

    /// A dev release without a pre-release sorts before every pre-release of the same release;
    /// a final release (or a post-release) after all of them.
    private var preKey: [Int] {
        if let pre { return [pre.0, pre.1] }
        if dev != nil && post == nil { return [-1, 0] }
        return [3, 0]
    }
}
