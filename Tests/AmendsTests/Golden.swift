// Golden files: long expected outputs kept in `Tests/AmendsTests/golden/`,
// compared byte for byte. Run the tests with `AMENDS_UPDATE_GOLDEN=1` to
// rewrite them from the actual output instead, then review the diff.
import Testing
@testable import Amends
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum Golden {
    /// The folder of golden files, found from this source file's path.
    static let directory: String = FileSystem.directory(of: #filePath) + "/golden"

    /// True when `AMENDS_UPDATE_GOLDEN` is set to `1`: goldens are rewritten.
    static var updating: Bool {
        guard let value = getenv("AMENDS_UPDATE_GOLDEN") else { return false }
        return String(cString: value) == "1"
    }

    /// Compares `actual` with the golden file `name` (relative to the golden
    /// folder), or rewrites the file when updating. A mismatch is one issue
    /// showing the first differing line of each.
    static func check(_ actual: String, against name: String,
                      sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let path = directory + "/" + name
        if updating {
            if let failure = FileSystem.writeAtomically(path, Array(actual.utf8)) {
                Issue.record("cannot update golden file: \(failure)", sourceLocation: sourceLocation)
            }
            return
        }
        guard case .success(let bytes) = FileSystem.read(path) else {
            Issue.record("golden file `\(name)` is missing; run with AMENDS_UPDATE_GOLDEN=1 to create it",
                         sourceLocation: sourceLocation)
            return
        }
        let expected = String(decoding: bytes, as: UTF8.self)
        guard expected != actual else { return }
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var line = 0
        while line < min(e.count, a.count) && e[line] == a[line] { line += 1 }
        let shownE = line < e.count ? String(e[line]) : "(end of file)"
        let shownA = line < a.count ? String(a[line]) : "(end of output)"
        Issue.record(Comment(rawValue: """
            output differs from golden file `\(name)` at line \(line + 1) \
            (run with AMENDS_UPDATE_GOLDEN=1 to accept it):
              golden: \(shownE)
              actual: \(shownA)
            --- actual output ---
            \(actual)
            """), sourceLocation: sourceLocation)
    }
}
