// `amends fmt` end to end, in a scratch folder: which files it rewrites,
// what `--check` and `--diff` print, exit codes, standard input, and that a
// file with syntax errors is never touched.
import Testing
@testable import Amends
@testable import AmendsCLI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("amends fmt")
struct FmtCommandTests {
    static let messy = "when  a = 1 :notify b\n"
    static let tidy = "when a = 1: notify b\n"
    static let broken = "when a = 1 notify b\n"

    /// A scratch folder with a messy, a tidy and a broken policy, and a messy
    /// `.examples` file in a subfolder; removed when `body` returns.
    func withFolder(_ body: (String) throws -> Void) throws {
        var template = Array("/tmp/amends-fmt-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        try #require(made != nil)
        let dir = template.withUnsafeBufferPointer { buffer in buffer.baseAddress.map { String(cString: $0) } ?? "" }
        let files = ["messy.policy": Self.messy, "tidy.policy": Self.tidy, "broken.policy": Self.broken,
                     "sub/more.examples": Self.messy, "notes.txt": Self.messy]
        mkdir(dir + "/sub", 0o755)
        for (name, text) in files { #expect(FileSystem.writeAtomically(dir + "/" + name, Array(text.utf8)) == nil) }
        defer {
            for name in files.keys { unlink(dir + "/" + name) }
            rmdir(dir + "/sub")
            rmdir(dir)
        }
        try body(dir)
    }

    struct Run {
        var status: Int32
        var out = ""
        var err = ""
    }

    func run(_ args: [String], stdin: String = "") -> Run {
        var result = Run(status: 0)
        result.status = FmtCommand.run(args, out: { result.out += $0 }, err: { result.err += $0 },
                                       stdin: { .success(Array(stdin.utf8)) })
        return result
    }

    func read(_ path: String) -> String {
        guard case .success(let bytes) = FileSystem.read(path) else { return "(unreadable)" }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func checkListsTheFilesThatWouldChangeAndWritesNothing() throws {
        try withFolder { dir in
            let result = run(["--check", dir + "/messy.policy", dir + "/tidy.policy", dir + "/sub"])
            #expect(result.status == 1)
            #expect(result.out == "\(dir)/messy.policy\n\(dir)/sub/more.examples\n")
            #expect(read(dir + "/messy.policy") == Self.messy)
            #expect(run(["--check", dir + "/tidy.policy"]).status == 0)
        }
    }

    @Test func diffPrintsAUnifiedDiffAndWritesNothing() throws {
        try withFolder { dir in
            let path = dir + "/messy.policy"
            let result = run(["--diff", path])
            #expect(result.status == 1)
            #expect(result.out == "--- \(path)\n+++ \(path)\n@@ -1 +1 @@\n-when  a = 1 :notify b\n+when a = 1: notify b\n")
            #expect(read(path) == Self.messy)
        }
    }

    @Test func writesChangedFilesAndLeavesBrokenOnesAlone() throws {
        try withFolder { dir in
            let result = run([dir])
            #expect(result.status == 2)
            #expect(result.out == "")
            #expect(result.err.contains("broken.policy:1:12: error[E020]"))
            #expect(result.err.contains("has syntax errors; it was not formatted"))
            #expect(read(dir + "/messy.policy") == Self.tidy)
            #expect(read(dir + "/sub/more.examples") == Self.tidy)
            #expect(read(dir + "/broken.policy") == Self.broken)
            #expect(read(dir + "/notes.txt") == Self.messy)
            #expect(run(["--check", dir + "/messy.policy", dir + "/tidy.policy", dir + "/sub"]).status == 0)
        }
    }

    /// The names in a folder, hidden ones too.
    func names(in dir: String) -> [String] { FileSystem.entries(of: dir) }

    @Test func writesAtomicallyKeepingPermissionsLinksAndUntouchedFiles() throws {
        try withFolder { dir in
            let messy = dir + "/messy.policy", tidy = dir + "/tidy.policy", link = dir + "/link.policy"
            chmod(messy, 0o640)
            // A link to the messy file, in another folder: the link stays a link.
            #expect(symlink("../messy.policy", dir + "/sub/link.policy") == 0)
            #expect(symlink("messy.policy", link) == 0)
            defer { unlink(dir + "/sub/link.policy"); unlink(link) }
            // A stale temporary name (here a link to another file) is removed, not written through.
            #expect(symlink("notes.txt", messy + ".amends-tmp-\(getpid())") == 0)
            var before = stat(), after = stat()
            #expect(stat(tidy, &before) == 0)
            #expect(run([dir + "/sub/link.policy", tidy]).status == 0)
            #expect(read(messy) == Self.tidy)
            #expect(read(dir + "/notes.txt") == Self.messy)
            var st = stat()
            #expect(lstat(dir + "/sub/link.policy", &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK)
            #expect(stat(messy, &st) == 0 && st.st_mode & 0o777 == 0o640)
            // An unchanged file is not written at all: same inode, same time.
            #expect(stat(tidy, &after) == 0)
            #expect(after.st_ino == before.st_ino && after.st_mtim.tv_sec == before.st_mtim.tv_sec
                    && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec)
            // No temporary file is left behind.
            #expect(names(in: dir) == ["broken.policy", "link.policy", "messy.policy", "notes.txt", "sub", "tidy.policy"])
            #expect(names(in: dir + "/sub") == ["link.policy", "more.examples"])
            // Formatting through the other link finds nothing to do.
            #expect(run(["--check", link]).status == 0)
        }
    }

    @Test func aFileThatCannotBeWrittenIsLeftWhole() throws {
        try withFolder { dir in
            let messy = dir + "/messy.policy"
            // A folder where the temporary file would go blocks it: the
            // write fails before the original is touched.
            let blocker = messy + ".amends-tmp-\(getpid())"
            #expect(mkdir(blocker, 0o755) == 0)
            defer { rmdir(blocker) }
            let result = run([messy])
            #expect(result.status == 2)
            #expect(result.err.hasPrefix("error: cannot write `\(messy)`: "))
            #expect(read(messy) == Self.messy)
        }
    }

    @Test func standardInputToStandardOutput() {
        let result = run(["-"], stdin: Self.messy)
        #expect(result.status == 0)
        #expect(result.out == Self.tidy)
        #expect(run(["--check", "-"], stdin: Self.messy).out == "<stdin>\n")
        #expect(run(["--check", "-"], stdin: Self.tidy).status == 0)
        #expect(run(["-"], stdin: Self.broken).status == 2)
    }

    @Test func usageErrors() {
        #expect(run([]).status == 2)
        #expect(run(["-", "x.policy"]).status == 2)
        #expect(run(["/nonexistent/amends-fmt-test.policy"]).status == 2)
    }
}
