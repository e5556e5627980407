/// DiffReport writes a diff (`RecordDiffer`'s comparisons and their
/// `DiffTally`) as text for people, a JSON document, or Markdown for a
/// pull-request comment (docs/diff.md). Records are written as they come;
/// the summary once every record is in.
public struct DiffReport: Sendable {
    public enum Format: String, Sendable, CaseIterable { case text, json, markdown }

    public var format: Format
    /// The policies as named on the command line (`-` is `<stdin>`).
    public var oldName: String
    public var newName: String

    public init(format: Format, oldName: String, newName: String) {
        self.format = format
        self.oldName = oldName
        self.newName = newName
    }

    /// Whether a record is written on its own: something differs for it, or
    /// a policy cannot read it.
    public static func shows(_ r: RecordComparison) -> Bool {
        !r.changes.isEmpty || r.oldError != nil || r.newError != nil
    }

    // MARK: - The start and each record

    /// What comes before the first record.
    public func header() -> String {
        switch format {
        case .text, .markdown: return ""
        case .json:
            var j = JSONBytes()
            j.raw("{\"old\":")
            j.string(oldName)
            j.raw(",\"new\":")
            j.string(newName)
            j.raw(",\"records\":[")
            return String(decoding: j.bytes, as: UTF8.self)
        }
    }

    /// One record (`shows(r)` true); `first` when it is the first written.
    public func record(_ r: RecordComparison, first: Bool) -> String {
        switch format {
        case .markdown: return ""
        case .text:
            var s = r.name + (r.oldError != nil || r.newError != nil ? " (line \(r.line))" : "") + "\n"
            if r.oldError != nil || r.newError != nil { s += "  " + DiffTally.unreadable(r) + "\n" }
            for c in r.changes { s += "  " + c.detail + "\n" }
            return s
        case .json:
            var j = JSONBytes()
            if !first { j.raw(",") }
            j.raw("\n{\"record\":")
            j.int(r.number)
            if let input = r.input {
                j.raw(",\"input\":")
                j.string(input)
            }
            if let id = r.id {
                j.raw(",\"id\":")
                j.string(id)
            }
            j.raw(",\"line\":")
            j.int(r.line)
            if let e = r.oldError {
                j.raw(",\"oldError\":")
                j.string(e)
            }
            if let e = r.newError {
                j.raw(",\"newError\":")
                j.string(e)
            }
            if !r.changes.isEmpty {
                j.raw(",\"changes\":[")
                for (k, c) in r.changes.enumerated() {
                    if k > 0 { j.raw(",") }
                    DiffReport.change(c, into: &j)
                }
                j.raw("]")
            }
            j.raw("}")
            return String(decoding: j.bytes, as: UTF8.self)
        }
    }

    static func change(_ c: ActionChange, into j: inout JSONBytes) {
        j.raw("{\"change\":")
        j.string(c.sort.rawValue)
        j.raw(",\"aspect\":")
        j.string(c.aspect.rawValue)
        j.raw(",\"action\":")
        j.string(c.action)
        if let b = c.before {
            j.raw(",\"before\":")
            j.string(b)
        }
        if let a = c.after {
            j.raw(",\"after\":")
            j.string(a)
        }
        if let s = c.shift {
            j.raw(",\"shiftSeconds\":")
            j.int(Int(s))
        }
        j.raw(",\"label\":")
        j.string(c.label)
        j.raw(",\"detail\":")
        j.string(c.detail)
        j.raw("}")
    }

    // MARK: - The summary

    /// What comes after the last record: the summary.
    public func summary(_ t: DiffTally) -> String {
        switch format {
        case .text: return textSummary(t)
        case .json: return jsonSummary(t)
        case .markdown: return markdownSummary(t)
        }
    }

    static func example(_ e: (number: Int, id: String?, detail: String)) -> String {
        "record \(e.number)" + (e.id.map { " (\($0))" } ?? "")
    }

    static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    /// The counts as sentences: the headline, then notes.
    func headline(_ t: DiffTally) -> String {
        if t.records == 0 { return "no records were compared" }
        if t.changed == 0 {
            return "no change in what is required for any of the \(DiffReport.plural(t.records, "record")) read by both policies"
        }
        return "\(t.changed) of \(DiffReport.plural(t.records, "record")) \(t.changed == 1 ? "requires" : "require") something different; "
            + "\(t.same) the same"
    }

    func notes(_ t: DiffTally) -> [String] {
        var notes: [String] = []
        let oldOnly = t.unreadableByOld - t.unreadableByBoth, newOnly = t.unreadableByNew - t.unreadableByBoth
        if newOnly > 0 { notes.append("\(DiffReport.plural(newOnly, "record")) can be read by the old policy but not by the new one") }
        if oldOnly > 0 { notes.append("\(DiffReport.plural(oldOnly, "record")) can be read by the new policy but not by the old one") }
        if t.unreadableByBoth > 0 { notes.append("\(DiffReport.plural(t.unreadableByBoth, "record")) can be read by neither policy") }
        if t.provenanceOnly > 0 {
            notes.append("\(DiffReport.plural(t.provenanceOnly, "record")) \(t.provenanceOnly == 1 ? "requires" : "require") the same actions, asked for by other rules "
                         + "(renamed, moved or rewritten): no change in what is required")
        }
        return notes
    }

    func textSummary(_ t: DiffTally) -> String {
        var s = (t.records > 0 && t.changed + t.unreadableByOld + t.unreadableByNew > 0 ? "\n" : "")
        s += "summary: \(oldName) → \(newName)\n  \(headline(t))\n"
        for e in t.ranked {
            s += "  \(DiffReport.plural(e.count, "record")): \(e.label)\n"
            s += "      e.g. " + e.examples.map(DiffReport.example).joined(separator: ", ") + "\n"
        }
        for n in notes(t) { s += "  note: \(n)\n" }
        if !t.oneSided.isEmpty {
            s += "      e.g. " + t.oneSided.map(DiffReport.example).joined(separator: ", ") + "\n"
        }
        return s
    }

    func jsonSummary(_ t: DiffTally) -> String {
        var j = JSONBytes()
        j.raw("\n],\"summary\":{\"records\":")
        j.int(t.records)
        j.raw(",\"changed\":")
        j.int(t.changed)
        j.raw(",\"same\":")
        j.int(t.same)
        j.raw(",\"provenanceOnly\":")
        j.int(t.provenanceOnly)
        j.raw(",\"unreadable\":{\"old\":")
        j.int(t.unreadableByOld)
        j.raw(",\"new\":")
        j.int(t.unreadableByNew)
        j.raw(",\"both\":")
        j.int(t.unreadableByBoth)
        j.raw("},\"differs\":")
        j.raw(t.differs ? "true" : "false")
        j.raw(",\"changes\":[")
        for (k, e) in t.ranked.enumerated() {
            if k > 0 { j.raw(",") }
            j.raw("\n{\"change\":")
            j.string(e.sort.rawValue)
            j.raw(",\"aspect\":")
            j.string(e.aspect.rawValue)
            j.raw(",\"label\":")
            j.string(e.label)
            j.raw(",\"count\":")
            j.int(e.count)
            j.raw(",\"examples\":[")
            for (m, x) in e.examples.enumerated() {
                if m > 0 { j.raw(",") }
                j.raw("{\"record\":")
                j.int(x.number)
                if let id = x.id {
                    j.raw(",\"id\":")
                    j.string(id)
                }
                j.raw(",\"detail\":")
                j.string(x.detail)
                j.raw("}")
            }
            j.raw("]}")
        }
        j.raw("]}}\n")
        return String(decoding: j.bytes, as: UTF8.self)
    }

    /// Text safe in a Markdown table cell and in HTML.
    static func md(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "|": out += "\\|"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "*", "_", "`", "[", "]", "\\": out += "\\" + String(c)
            default: out.append(c)
            }
        }
        return out
    }

    func markdownSummary(_ t: DiffTally) -> String {
        var s = "### amends diff: `\(oldName)` → `\(newName)`\n\n\(DiffReport.md(headline(t)))\n"
        if !t.entries.isEmpty {
            s += "\n| records | change |\n|---:|---|\n"
            for e in t.ranked { s += "| \(e.count) | \(DiffReport.md(e.label)) |\n" }
            for e in t.ranked {
                s += "\n<details><summary>\(DiffReport.plural(e.count, "record")): \(DiffReport.md(e.label))</summary>\n\n"
                for x in e.examples { s += "- \(DiffReport.example(x)): \(DiffReport.md(x.detail))\n" }
                if e.count > e.examples.count { s += "- and \(e.count - e.examples.count) more\n" }
                s += "\n</details>\n"
            }
        }
        let notes = notes(t)
        if !notes.isEmpty { s += "\n" }
        for n in notes { s += "- note: \(DiffReport.md(n))\n" }
        for x in t.oneSided { s += "  - \(DiffReport.example(x)): \(DiffReport.md(x.detail))\n" }
        return s
    }
}

// MARK: - Without records

extension DiffReport {
    /// The whole report of a comparison without records (docs/diff.md).
    public func policies(_ r: PolicyComparisonResult) -> String {
        switch format {
        case .text: return policiesText(r)
        case .json: return policiesJSON(r)
        case .markdown: return policiesMarkdown(r)
        }
    }

    func policiesHeadline(_ r: PolicyComparisonResult) -> String {
        switch r.verdict {
        case .same: return "no incident is treated differently (proved from the two policies, without records)"
        case .differs:
            let n = r.differences.count
            return "\(n) \(n == 1 ? "way" : "ways") an incident is treated differently, \(n == 1 ? "with" : "each with") an incident that shows it"
                + (r.undecided.isEmpty ? "" : "; there may be more (see the notes)")
        case .undecided: return "could not decide within the bound whether any incident is treated differently"
        }
    }

    func policiesNotes(_ r: PolicyComparisonResult) -> [String] {
        r.notes + r.undecided.map { "not decided: " + $0 }
            + ["\(DiffReport.plural(r.questions, "question")) asked, \(r.steps) solver steps of the bound of \(r.budget)"]
    }

    func policiesText(_ r: PolicyComparisonResult) -> String {
        var s = ""
        for (k, d) in r.differences.enumerated() {
            s += "\(k + 1). \(d.change.label)\n"
            s += "   " + d.witness.given + "\n"
            if let now = d.witness.now { s += "   now \(now)\n" }
            for (name, value) in d.witness.newValues { s += "   (the new policy reads `\(name)` as \(value ?? "missing"))\n" }
            if d.change.detail != d.change.label { s += "   " + d.change.detail + "\n" }
        }
        if !s.isEmpty { s += "\n" }
        s += "summary: \(oldName) → \(newName), without records\n  \(policiesHeadline(r))\n"
        for n in policiesNotes(r) { s += "  note: \(n)\n" }
        return s
    }

    func policiesJSON(_ r: PolicyComparisonResult) -> String {
        var j = JSONBytes()
        j.raw("{\"old\":")
        j.string(oldName)
        j.raw(",\"new\":")
        j.string(newName)
        j.raw(",\"verdict\":")
        j.string(r.verdict.rawValue)
        j.raw(",\"differences\":[")
        for (k, d) in r.differences.enumerated() {
            if k > 0 { j.raw(",") }
            j.raw("\n{\"change\":")
            var c = JSONBytes()
            DiffReport.change(d.change, into: &c)
            j.raw(c.bytes)
            j.raw(",\"witness\":")
            j.raw(Array(d.witness.json.utf8))
            if let now = d.witness.now {
                j.raw(",\"now\":")
                j.string(now)
            }
            j.raw(",\"given\":")
            j.string(d.witness.given)
            j.raw("}")
        }
        j.raw("],\"undecided\":[")
        for (k, u) in r.undecided.enumerated() {
            if k > 0 { j.raw(",") }
            j.string(u)
        }
        j.raw("],\"notes\":[")
        for (k, u) in r.notes.enumerated() {
            if k > 0 { j.raw(",") }
            j.string(u)
        }
        j.raw("],\"questions\":")
        j.int(r.questions)
        j.raw(",\"steps\":")
        j.int(r.steps)
        j.raw(",\"budget\":")
        j.int(r.budget)
        j.raw(",\"differs\":")
        j.raw(r.verdict == .differs ? "true" : "false")
        j.raw("}\n")
        return String(decoding: j.bytes, as: UTF8.self)
    }

    /// Text inside a code span in a table cell: `|` escaped, backquotes made quotes.
    static func cell(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "|": out += "\\|"
            case "`": out += "'"
            default: out.append(c)
            }
        }
        return out
    }

    func policiesMarkdown(_ r: PolicyComparisonResult) -> String {
        var s = "### amends diff: `\(oldName)` → `\(newName)`, without records\n\n\(DiffReport.md(policiesHeadline(r)))\n"
        if !r.differences.isEmpty {
            s += "\n| | change | an incident that shows it |\n|---:|---|---|\n"
            for (k, d) in r.differences.enumerated() {
                s += "| \(k + 1) | \(DiffReport.md(d.change.label)) | `\(DiffReport.cell(d.witness.given))` |\n"
            }
            for (k, d) in r.differences.enumerated() {
                s += "\n<details><summary>\(k + 1). \(DiffReport.md(d.change.label))</summary>\n\n"
                s += "\(DiffReport.md(d.change.detail))\n\n```\n\(d.witness.given)\n"
                if let now = d.witness.now { s += "now \(now)\n" }
                s += "```\n\nas a record:\n\n```json\n\(d.witness.json)\n```\n\n</details>\n"
            }
        }
        s += "\n"
        for n in policiesNotes(r) { s += "- note: \(DiffReport.md(n))\n" }
        return s
    }
}
