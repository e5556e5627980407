/// Doc comments: the policy's own prose for its runbook (Grammar.md §2).
///
/// A comment that starts with `##` is a doc comment. Own-line `##` lines
/// directly above a statement or a line of a block (no blank line between)
/// describe it; a `##` comment at the end of a line describes that line.
/// On a `roles:`, `remedies:` or `channels:` line, or one line of such a
/// block, the text describes each name on the line; above `policy`, the
/// policy; above a rule, a `define`, a field or the `calendar:`, that.
/// Other comments (`#`) are notes for the policy's authors and stay out
/// of the runbook.
package struct DocComments: Sendable {
    /// The text for each (file, line), `##` and the space after it removed,
    /// several lines joined with spaces.
    private var byLine: [String: [Int: String]] = [:]

    package init(_ loaded: Loader.Loaded) {
        for file in loaded.files {
            let source = file.source
            var lines: [Int: String] = [:]
            var pending: [String] = []
            var pendingLast = -1
            for comment in file.comments.sorted(by: { $0.span.start < $1.span.start }) {
                let raw = source.text(comment.span)
                guard raw.hasPrefix("##") else { continue }
                var text = String(raw.dropFirst(2))
                if text.hasPrefix(" ") { text.removeFirst() }
                let line = source.location(of: comment.span.start).line
                if !comment.ownLine {
                    lines[line] = join(lines[line], text)
                    continue
                }
                if pendingLast >= 0 && line != pendingLast + 1 { pending = [] }
                pending.append(text)
                pendingLast = line
                // Attached to the next line, if it holds a statement.
                lines[line + 1] = pending.joined(separator: " ")
            }
            byLine[source.path] = lines
        }
    }

    private func join(_ a: String?, _ b: String) -> String {
        guard let a, !a.isEmpty else { return b }
        return a + " " + b
    }

    /// The doc comment of the statement or block line at `ref`, if any.
    package func text(for ref: SourceRef) -> String? {
        text(file: ref.file, line: ref.line)
    }

    package func text(file: String, line: Int) -> String? {
        guard let t = byLine[file]?[line], !t.trimmedSpaces.isEmpty else { return nil }
        return t
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmedSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
