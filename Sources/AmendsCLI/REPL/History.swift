#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Amends

/// A History is the list of earlier entries, kept in a file across sessions.
///
/// One entry per line; a block's line ends are written `\n` and a backslash
/// `\\`, so a multi-line entry comes back whole. Each entry is appended as
/// soon as it is run (a crash loses nothing); the file is rewritten with the
/// newest `limit` entries when it has grown to twice that. An entry equal
/// to the one before it is not kept twice. REPL commands are not kept.
struct History: Sendable {
    static let limit = 1000

    /// The file, or nil when history is not kept on disk.
    let path: String?
    private(set) var entries: [String] = []
    /// Lines in the file (to know when to compact it).
    private var fileLines = 0

    /// The history file the environment asks for: `AMENDS_HISTORY` (empty:
    /// none), else `~/.amends_history`, else none.
    static func defaultPath(environment: (String) -> String? = History.env) -> String? {
        if let chosen = environment("AMENDS_HISTORY") { return chosen.isEmpty ? nil : chosen }
        guard let home = environment("HOME"), !home.isEmpty else { return nil }
        return home.hasSuffix("/") ? home + ".amends_history" : home + "/.amends_history"
    }

    /// Where the history is kept, or why it is not, for `.help keys`.
    static func keeping(environment: (String) -> String? = History.env) -> Session.HistoryKeeping {
        if let path = defaultPath(environment: environment) { return .file(path) }
        if environment("AMENDS_HISTORY") != nil { return .off("`AMENDS_HISTORY` is set and empty") }
        return .off("`HOME` is not set")
    }

    static func env(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    /// Reads the history file (a missing or unreadable file is an empty history).
    init(path: String?) {
        self.path = path
        guard let path, case .success(let bytes) = FileSystem.read(path, limit: 64 << 20) else { return }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        fileLines = lines.count
        entries = lines.suffix(History.limit).map { History.decode($0) }
    }

    /// Adds an entry and appends it to the file.
    mutating func add(_ entry: String) {
        guard !entry.trimmingWhitespace.isEmpty, entries.last != entry else { return }
        entries.append(entry)
        if entries.count > History.limit { entries.removeFirst(entries.count - History.limit) }
        guard let path else { return }
        fileLines += 1
        if fileLines > 2 * History.limit {
            let text = entries.map { History.encode($0) + "\n" }.joined()
            if FileSystem.writeAtomically(path, Array(text.utf8)) == nil { fileLines = entries.count }
            return
        }
        History.append(History.encode(entry) + "\n", to: path)
    }

    /// Appends a line with one write(2) on an `O_APPEND` file, made private to the user.
    static func append(_ line: String, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return -1 }
                return write(fd, base + offset, raw.count - offset)
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }

    // MARK: - One entry per line

    static func encode(_ entry: String) -> String {
        var out = ""
        for c in entry.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func decode<S: StringProtocol>(_ line: S) -> String {
        var out = ""
        var escaped = false
        for c in line.unicodeScalars {
            if escaped {
                switch c {
                case "n": out += "\n"
                case "r": out += "\r"
                default: out.unicodeScalars.append(c)
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.unicodeScalars.append(c)
            }
        }
        if escaped { out += "\\" }
        return out
    }
}
