// The reference documents show only policy text the parser accepts.
import Testing
@testable import Amends

/// The policy text in Grammar.md and README.md (every fenced block without
/// a language) is valid syntax: the reference never shows a policy that the
/// parser would reject. Blocks of other text are labelled (`ebnf`, `text`).
@Suite("Docs")
struct DocsTests {
    static let root = FileSystem.directory(of: FileSystem.directory(of: FileSystem.directory(of: #filePath)))

    /// The unlabelled fenced blocks of a Markdown file, with the line each starts on.
    static func policyBlocks(_ name: String) -> [(line: Int, text: String)] {
        guard case .success(let bytes) = FileSystem.read(root + "/" + name) else { return [] }
        var blocks: [(line: Int, text: String)] = []
        var current: [Substring]?
        var label = ""
        var start = 0
        for (k, line) in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix("```") {
                if let body = current {
                    if label.isEmpty { blocks.append((start, body.joined(separator: "\n") + "\n")) }
                    current = nil
                } else {
                    current = []
                    label = String(line.dropFirst(3))
                    start = k + 2
                }
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test("policy blocks parse", arguments: ["Grammar.md", "README.md"])
    func policyBlocksParse(_ name: String) {
        let blocks = Self.policyBlocks(name)
        #expect(blocks.count >= (name == "Grammar.md" ? 12 : 2), "too few policy blocks found in \(name)")
        for block in blocks {
            let file = Parser.parse(SourceText(path: name, text: block.text))
            #expect(file.diagnostics.isEmpty,
                    "\(name) line \(block.line): \(DiagnosticRenderer(color: false).render(file.diagnostics))")
        }
    }
}
