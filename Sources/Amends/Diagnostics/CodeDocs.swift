/// CodeDocs writes the reference of every diagnostic code from the
/// registry: the codes section of docs/check.md (a test keeps the file in
/// step with the registry) and the list `amends help check` prints.
package enum CodeDocs {
    /// The families of codes, in order, with a heading each.
    static let families: [(prefix: String, title: String)] = [
        ("E0", "Text and structure (lexer and parser)"),
        ("E1", "Names and types (checker)"),
        ("E2", "Files and `use`"),
        ("W3", "What the policy does (analyses)"),
        ("W4", "Service-recovery lints"),
    ]

    /// One line per code: `  W301  never-holds   a condition …`.
    package static func list() -> String {
        let width = (DiagnosticCode.allCases.map { $0.info.name.count }.max() ?? 20) + 2
        var text = ""
        for code in DiagnosticCode.allCases {
            let info = code.info
            text += "  \(code.rawValue)  \(info.name)" + String(repeating: " ", count: max(1, width - info.name.count)) + info.summary + "\n"
        }
        return text
    }

    /// The Markdown reference: per family, per code its name, level,
    /// summary, and a bad and a good example.
    package static func markdown() -> String {
        var text = ""
        for family in families {
            let codes = DiagnosticCode.allCases.filter { $0.rawValue.hasPrefix(family.prefix) }
            guard !codes.isEmpty else { continue }
            text += "### \(family.title)\n\n"
            for code in codes {
                let info = code.info
                text += "#### \(code.rawValue) `\(info.name)` (\(info.level.rawValue))\n\n"
                text += capitalized(info.summary) + ".\n\n"
                text += "Bad:\n\n```\n\(info.bad)\n```\n\nGood:\n\n```\n\(info.good)\n```\n\n"
            }
        }
        return text
    }

    static func capitalized(_ s: String) -> String {
        guard let first = s.first else { return s }
        return first.uppercased() + s.dropFirst()
    }
}
