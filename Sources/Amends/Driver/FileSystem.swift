#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File access with POSIX calls only (no Foundation: it keeps start-up fast).
public enum FileSystem {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot read `\(path)`: \(reason)" }
    }

    /// The whole content of a file, or why it could not be read. Files over
    /// `limit` bytes are refused without being read.
    package static func read(_ path: String, limit: Int = Int.max) -> Result<[UInt8], Failure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return .failure(Failure(path: path, reason: errnoText())) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { return .failure(Failure(path: path, reason: errnoText())) }
        if (st.st_mode & S_IFMT) == S_IFDIR { return .failure(Failure(path: path, reason: "it is a directory")) }
        let expected = Int(st.st_size)
        if expected > limit {
            return .failure(Failure(path: path, reason: "it is \(expected) bytes; the limit is \(limit) bytes"))
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(max(expected, 4096))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(Failure(path: path, reason: errnoText()))
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > limit {
                return .failure(Failure(path: path, reason: "it is over the limit of \(limit) bytes"))
            }
        }
        return .success(bytes)
    }

    /// The name of a `readdir` entry, read in place: the entry may be
    /// shorter than a whole `dirent` (it ends after its name), so the
    /// struct is never copied (found by the differential fuzz target).
    package static func entryName(_ entry: UnsafeMutablePointer<dirent>) -> String {
        guard let offset = MemoryLayout<dirent>.offset(of: \dirent.d_name) else { return "" }
        return String(cString: UnsafeRawPointer(entry).advanced(by: offset).assumingMemoryBound(to: CChar.self))
    }

    package static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    package static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    /// The names in folder `dir`, hidden ones too, without `.` and `..`,
    /// sorted; at most `limit` of them; none when it cannot be read.
    package static func entries(of dir: String, limit: Int = 100_000) -> [String] {
        guard let handle = opendir(dir) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while names.count < limit, let entry = readdir(handle) {
            let name = entryName(entry)
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Every file under `directory` whose name ends with one of `suffixes`,
    /// sorted, recursively; hidden folders (`.git`, `.build`) are skipped.
    package static func files(under directory: String, suffixes: [String]) -> [String] {
        var result: [String] = []
        var pending = [directory]
        var seen = 0
        while let dir = pending.popLast() {
            seen += 1
            if seen > 100_000 { break }
            for name in entries(of: dir) where !name.hasPrefix(".") {
                let path = dir.hasSuffix("/") ? dir + name : dir + "/" + name
                if isDirectory(path) {
                    pending.append(path)
                } else if suffixes.contains(where: { name.hasSuffix($0) }) {
                    result.append(path)
                }
            }
        }
        return result.sorted()
    }

    /// Writes a file atomically: a temporary file in the same folder, synced,
    /// then renamed over the target, so a crash never leaves half a file.
    /// The file keeps its permissions, and a symbolic link stays a link: the
    /// file it points to is the one replaced. The folder is synced after the
    /// rename, so the new content is there after a crash too.
    package static func writeAtomically(_ path: String, _ bytes: [UInt8]) -> Failure? {
        let target = linkTarget(path)
        let temp = target + ".amends-tmp-\(getpid())"
        // A leftover of a crashed run with the same process id (or anything
        // else by that name) is removed, not written through.
        unlink(temp)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { return Failure(path: path, reason: errnoText()) }
        var st = stat()
        if stat(target, &st) == 0 { fchmod(fd, st.st_mode & 0o7777) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return write(fd, base + offset, buffer.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = errnoText()
                close(fd)
                unlink(temp)
                return Failure(path: path, reason: reason)
            }
            offset += n
        }
        if fsync(fd) != 0 || close(fd) != 0 {
            let reason = errnoText()
            unlink(temp)
            return Failure(path: path, reason: reason)
        }
        if rename(temp, target) != 0 {
            let reason = errnoText()
            unlink(temp)
            return Failure(path: path, reason: reason)
        }
        let folder = open(directory(of: target), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            _ = fsync(folder)
            close(folder)
        }
        return nil
    }

    /// The file a symbolic link at `path` finally points to; `path` itself
    /// when it is not a link, or a link that leads nowhere.
    static func linkTarget(_ path: String) -> String {
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFLNK, let resolved = realpath(path, nil) else {
            return path
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The folder part of a path (`a/b/c.policy` -> `a/b`), `.` for none.
    package static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// `base` joined with a relative `path`; an absolute path as it is.
    package static func join(_ base: String, _ path: String) -> String {
        if path.hasPrefix("/") || base == "." { return path }
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }

    /// Whether `path` is `folder` or inside it, by the letter of the two
    /// paths (`.` and `..` worked out; links not followed; both relative
    /// to the same folder, or both absolute).
    package static func isInside(_ path: String, _ folder: String) -> Bool {
        guard path.hasPrefix("/") == folder.hasPrefix("/") else { return false }
        let p = components(path), f = components(folder)
        // What is left after the folder must not climb out of it.
        return p.count >= f.count && Array(p[0..<f.count]) == f && !p[f.count...].contains("..")
    }

    /// A path's components with `.` dropped and `..` taken back where it
    /// can be (leading `..` stay): `a/./b/../c` -> `a c`, `../x` -> `.. x`.
    static func components(_ path: String) -> [Substring] {
        var out: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = out.last, last != ".." {
                out.removeLast()
            } else if part == "..", path.hasPrefix("/") {
                continue            // `/..` is `/`
            } else {
                out.append(part)
            }
        }
        return out
    }

    /// The real absolute path (links followed), or nil when it does not exist.
    package static func resolved(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    package static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// A canonical absolute path, for telling two spellings of one file apart.
    package static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func errnoText() -> String {
        describe(errno: errno)
    }

    /// An `errno` in words, lower case as every message is ("no space left
    /// on device").
    package static func describe(errno code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file or directory"
        case EACCES: return "permission denied"
        case EISDIR: return "it is a directory"
        default:
            let text = String(cString: strerror(code))
            guard let first = text.first, first.isUppercase,
                  text.dropFirst().first.map({ !$0.isUppercase }) ?? true else { return text }
            return first.lowercased() + text.dropFirst()
        }
    }
}
