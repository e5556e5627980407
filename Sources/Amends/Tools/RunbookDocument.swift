/// A RunbookDocument is a runbook as a few kinds of blocks, so that one
/// builder (`Runbook`) serves two renderers (Markdown for GitHub, HTML for
/// printing) that cannot disagree on what is said.

/// A piece of a line of text.
package enum Inline: Sendable, Hashable {
    case text(String)
    case strong(String)
    case code(String)
    /// A link back to the policy: `policies/x.policy:31`.
    case source(file: String, line: Int)
    /// A link inside the runbook (`#decision-table`).
    case anchor(String, id: String)
}

/// One block of a runbook.
package enum Block: Sendable, Hashable {
    case heading(level: Int, text: String, id: String)
    case paragraph([Inline])
    case bullets([[Inline]])
    case numbered([[Inline]])
    /// A table: its caption, its column headings, and rows of cells (each
    /// cell a list of lines); the first cell of a row heads it.
    case table(caption: String, header: [String], rows: [[[[Inline]]]])
}

/// A RunbookDocument is the whole runbook, in order.
package struct RunbookDocument: Sendable {
    package var title: String
    package var blocks: [Block] = []

    /// Where the policy's files are, relative to where the runbook is
    /// written, for the links back (`../../` for docs/runbooks/).
    package var linkPrefix: String = ""

    package init(title: String) {
        self.title = title
    }

    /// The link to a line of a policy file: `../../policies/x.policy#L31`.
    func href(_ file: String, _ line: Int) -> String {
        let path = file.hasPrefix("/") ? file : linkPrefix + file
        return path + "#L\(line)"
    }

    /// The policy's main file: links into it say only the line.
    package var mainFile: String = ""

    /// `line 31` in the main file, `practice.policy:13` in another.
    func shortPlace(_ file: String, _ line: Int) -> String {
        if file == mainFile { return "line \(line)" }
        let name = file.split(separator: "/").last.map(String.init) ?? file
        return "\(name):\(line)"
    }
}

/// An id for a heading: lowercase letters, digits and `-`.
func anchorID(_ text: String) -> String {
    var out = ""
    var dash = false
    for scalar in text.lowercased().unicodeScalars {
        let ascii = scalar.isASCII && (("a"..."z").contains(Character(scalar)) || ("0"..."9").contains(Character(scalar)))
        if ascii {
            out.unicodeScalars.append(scalar)
            dash = false
        } else if !dash && !out.isEmpty {
            out += "-"
            dash = true
        }
    }
    while out.hasSuffix("-") { out.removeLast() }
    return out.isEmpty ? "section" : out
}
