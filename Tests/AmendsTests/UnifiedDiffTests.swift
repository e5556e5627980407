// The unified diff: the exact text `diff -u` prints, and over seeded random
// inputs, edit scripts that are correct and as short as possible.
import Testing
@testable import Amends

@Suite("Unified diff")
struct UnifiedDiffTests {
    @Test func equalTextsHaveNoDiff() {
        #expect(UnifiedDiff.diff(from: "a\nb\n", to: "a\nb\n", oldName: "x", newName: "x") == "")
    }

    @Test func oneChangedLine() {
        #expect(UnifiedDiff.diff(from: "a\nb\nc\n", to: "a\nx\nc\n", oldName: "old", newName: "new")
                == "--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\n-b\n+x\n c\n")
    }

    @Test func missingNewlineAtTheEnd() {
        #expect(UnifiedDiff.diff(from: "a", to: "a\n", oldName: "f", newName: "f")
                == "--- f\n+++ f\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n")
    }

    /// The same hunks as GNU `diff -u` (output recorded from GNU diffutils 3.8).
    @Test func separateHunksAsDiffPrintsThem() {
        let old = (1...20).map { "line \($0)\n" }.joined()
        var newLines = (1...20).map { "line \($0)" }
        newLines[1] = "changed 2"
        newLines.insert("added", at: 17)
        newLines.remove(at: 0)
        let new = newLines.map { $0 + "\n" }.joined()
        #expect(UnifiedDiff.diff(from: old, to: new, oldName: "a", newName: "b") == """
            --- a
            +++ b
            @@ -1,5 +1,4 @@
            -line 1
            -line 2
            +changed 2
             line 3
             line 4
             line 5
            @@ -15,6 +14,7 @@
             line 15
             line 16
             line 17
            +added
             line 18
             line 19
             line 20

            """)
    }

    @Test func insertionIntoAnEmptyText() {
        #expect(UnifiedDiff.diff(from: "", to: "a\n", oldName: "f", newName: "f") == "--- f\n+++ f\n@@ -0,0 +1 @@\n+a\n")
    }

    /// Over seeded random line lists: the edits rebuild the second from the
    /// first, and are as few as the longest common subsequence allows.
    @Test func editsAreCorrectAndMinimal() {
        var random = SeededRandom(seed: 7)
        for _ in 0..<300 {
            let a = (0..<Int.random(in: 0...25, using: &random)).map { _ in Int.random(in: 0...4, using: &random) }
            let b = (0..<Int.random(in: 0...25, using: &random)).map { _ in Int.random(in: 0...4, using: &random) }
            let script = UnifiedDiff.edits(a, b)
            #expect(UnifiedDiffTests.apply(script, a, b) == b)
            let changes = script.filter { if case .same = $0 { return false } else { return true } }.count
            #expect(changes == a.count + b.count - 2 * UnifiedDiffTests.lcs(a, b), "not minimal for \(a) -> \(b)")
        }
    }

    @Test func veryDifferentTextsStillGiveACorrectDiff() {
        let a = Array(0..<3_000)
        let b = Array(3_000..<6_000)
        #expect(UnifiedDiffTests.apply(UnifiedDiff.edits(a, b), a, b) == b)
    }

    /// Rebuilds the new list from the old one and the script, checking that
    /// every `same` pairs equal lines and that the script walks both in order.
    static func apply(_ script: [UnifiedDiff.Edit], _ a: [Int], _ b: [Int]) -> [Int]? {
        var result: [Int] = []
        var i = 0
        var j = 0
        for edit in script {
            switch edit {
            case .same(let old, let new):
                guard old == i, new == j, a[old] == b[new] else { return nil }
                result.append(a[old]); i += 1; j += 1
            case .delete(let old):
                guard old == i else { return nil }
                i += 1
            case .insert(let new):
                guard new == j else { return nil }
                result.append(b[new]); j += 1
            }
        }
        return i == a.count && j == b.count ? result : nil
    }

    static func lcs(_ a: [Int], _ b: [Int]) -> Int {
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        return table[0][0]
    }
}
