/// The report as text (80 columns), JSON (docs/report.md) and CSV.

/// What the report is about, for its heading.
package struct ReportContext: Sendable {
    /// The policy's `policy "…"` name, or its file.
    package var title: String
    /// Seconds since the epoch; nil for a report from saved results.
    package var now: Int64?

    package init(title: String, now: Int64?) {
        self.title = title
        self.now = now
    }
}

/// Words and numbers shared by the formats.
package enum ReportWords {
    /// `87.5%`, rounded to a tenth; `-` for none.
    package static func share(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "-" }
        let t = Int((x * 1000).rounded())
        return "\(t / 10).\(t % 10)%"
    }

    /// `12,345`.
    package static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// A lateness: `2h 30m early`, `3d 4h late`, `on the deadline`; `-` for none.
    package static func lateness(_ s: Int64?) -> String {
        guard let s else { return "-" }
        if s == 0 { return "at the deadline" }
        return short(s.magnitude) + (s < 0 ? " early" : " late")
    }

    /// `3d 4h`, `2h 30m`, `45m`, `30s`.
    package static func short(_ v: UInt64) -> String {
        let d = v / 86_400, h = v % 86_400 / 3_600, m = v % 3_600 / 60, s = v % 60
        if d > 0 { return h > 0 ? "\(d)d \(h)h" : "\(d)d" }
        if h > 0 { return m > 0 ? "\(h)h \(m)m" : "\(h)h" }
        if m > 0 { return "\(m)m" }
        return "\(s)s"
    }

    /// The lateness distribution's buckets: upper bounds in seconds
    /// (inclusive), the last open.
    package static let lateBuckets: [(label: String, upTo: Int64?)] = [
        ("more than 1 day early", -86_401),
        ("1 hour to 1 day early", -3_601),
        ("up to 1 hour early", 0),
        ("up to 1 hour late", 3_600),
        ("1 hour to 1 day late", 86_400),
        ("1 to 7 days late", 604_800),
        ("more than 7 days late", nil),
    ]

    /// How many of `margins` (any order) fall in each bucket.
    package static func distribution(_ margins: [Int64]) -> [Int] {
        var counts = Array(repeating: 0, count: lateBuckets.count)
        for m in margins {
            let i = lateBuckets.firstIndex { b in b.upTo.map { m <= $0 } ?? true } ?? (lateBuckets.count - 1)
            counts[i] += 1
        }
        return counts
    }

    package static let shareDefinition = "on time / (on time + late + overdue)"
}

extension Report {
    /// Every margin of every action, for the lateness distribution.
    package var allMargins: [Int64] { actions.values.flatMap(\.tally.margins.values) }
}

// MARK: - Text

extension Report {
    /// For a terminal: no line longer than 80 columns (names that would be
    /// are cut with `…`).
    package func text(_ context: ReportContext) -> String {
        var out: [String] = []
        func fit(_ s: String, _ width: Int) -> String {
            s.count <= width ? s : String(s.prefix(width - 1)) + "…"
        }
        func pad(_ s: String, _ width: Int, right: Bool = true) -> String {
            // A number wider than its column widens the line rather than lose digits.
            let s = right ? s : fit(s, width)
            let fill = String(repeating: " ", count: max(0, width - s.count))
            return right ? fill + s : s + fill
        }
        out.append(fit("report: \(context.title)", 80))
        var scope = "\(ReportWords.count(records)) records: \(ReportWords.count(incidents)) incidents"
        if errors > 0 { scope += ", \(ReportWords.count(errors)) unreadable" }
        out.append(scope)
        if let now = context.now { out.append("status at \(ISOTime.string(utc: now))") }
        if from != nil || to != nil {
            let f = from.map { ISOTime.string(utc: $0) } ?? "the start"
            let t = to.map { ISOTime.string(utc: $0) } ?? "the end"
            out.append("clock from \(f) to before \(t); \(ReportWords.count(outside)) incidents outside left out")
        }
        out.append("on-time share = \(ReportWords.shareDefinition)")
        out.append("")
        out.append("ACTIONS")
        if actions.isEmpty { out.append("  none required") }
        for row in actionRows {
            let c = row.tally.counts, m = row.tally.margins
            out.append("  " + fit(row.label, 78))
            out.append(fit("    required \(ReportWords.count(c.total)): on time \(ReportWords.count(c.onTime)), late \(ReportWords.count(c.late)), overdue \(ReportWords.count(c.overdue)), open \(ReportWords.count(c.open))", 80))
            var more: [String] = []
            if c.done > 0 { more.append("done (no time) \(ReportWords.count(c.done))") }
            if c.notTracked > 0 { more.append("not tracked \(ReportWords.count(c.notTracked))") }
            if !more.isEmpty { out.append("    " + more.joined(separator: ", ")) }
            if c.settled > 0 {
                out.append("    on time \(ReportWords.share(c.onTimeShare)) of \(ReportWords.count(c.settled)) settled")
            }
            if !m.values.isEmpty {
                out.append(fit("    done vs deadline: median \(ReportWords.lateness(m.median)), 90th percentile \(ReportWords.lateness(m.p90))", 80))
                if m.business > 0 { out.append("    (\(ReportWords.count(m.business)) of \(ReportWords.count(m.values.count)) in business hours)") }
            }
        }
        out.append("")
        out.append("RULES, MOST FIRED FIRST")
        out.append("  " + pad("fired", 8) + pad("actions", 9) + pad("share", 7) + "  rule")
        for row in ruleRows where row.fired > 0 || row.tally.counts.total > 0 {
            let figures = "  " + pad(ReportWords.count(row.fired), 8) + pad(ReportWords.count(row.tally.counts.total), 9)
                + pad(ReportWords.share(row.tally.counts.onTimeShare), 7) + "  "
            out.append(figures + fit(row.rule.description, max(12, 80 - figures.count)))
        }
        let never = neverFired
        if !policyRules.isEmpty {
            out.append("")
            out.append(never.isEmpty ? "every rule fired" : "NEVER FIRED")
            for r in never { out.append("  " + fit(r.description, 78)) }
        }
        func bucketTable(_ heading: String, _ rows: [(String, ReportBucket)]) {
            out.append("")
            out.append(heading)
            out.append("  " + pad("", 20, right: false) + pad("incidents", 10) + pad("actions", 9) + pad("on time", 9)
                       + pad("late", 7) + pad("overdue", 9) + pad("share", 8))
            for (label, b) in rows {
                let c = b.counts
                out.append("  " + pad(label, 20, right: false) + pad(ReportWords.count(b.incidents), 10)
                           + pad(ReportWords.count(c.total), 9) + pad(ReportWords.count(c.onTime), 9)
                           + pad(ReportWords.count(c.late), 7) + pad(ReportWords.count(c.overdue), 9)
                           + pad(ReportWords.share(c.onTimeShare), 8))
            }
        }
        if !periods.isEmpty || unclocked > 0 {
            var rows = periodRows.map { ($0.label, $0.bucket) }
            if unclocked > 0 { rows.append(("(no clock)", ReportBucket(incidents: unclocked, counts: ReportCounts()))) }
            bucketTable("BY \(period.rawValue.uppercased()) (of the clock field, UTC)", rows)
        }
        if let by {
            bucketTable("BY \(by.uppercased())", groupRows.map { ($0.value ?? "(missing)", $0.bucket) })
        }
        let dist = ReportWords.distribution(allMargins)
        if dist.contains(where: { $0 > 0 }) {
            out.append("")
            out.append("DONE AGAINST THE DEADLINE (every action done with a time)")
            for (i, b) in ReportWords.lateBuckets.enumerated() {
                out.append("  " + pad(b.label, 24, right: false) + pad(ReportWords.count(dist[i]), 10))
            }
        }
        return out.joined(separator: "\n") + "\n"
    }
}

// MARK: - JSON

extension Report {
    private func counts(_ c: ReportCounts, total: String) -> [(String, JSONTree)] {
        [(total, .int(c.total)), ("on_time", .int(c.onTime)), ("late", .int(c.late)), ("overdue", .int(c.overdue)),
         ("open", .int(c.open)), ("done", .int(c.done)), ("not_tracked", .int(c.notTracked)),
         ("settled", .int(c.settled)), ("on_time_share", c.onTimeShare.map { .number(($0 * 10_000).rounded() / 10_000) } ?? .null)]
    }

    private func margins(_ m: ReportMargins) -> JSONTree {
        .object([("count", .int(m.values.count)), ("business", .int(m.business)),
                 ("median_seconds", m.median.map { .number(Double($0)) } ?? .null),
                 ("p90_seconds", m.p90.map { .number(Double($0)) } ?? .null)])
    }

    private func rule(_ r: ReportRule) -> [(String, JSONTree)] {
        var m: [(String, JSONTree)] = [("file", .string(r.file)), ("line", .int(r.line))]
        if let n = r.name { m.append(("rule", .string(n))) }
        return m
    }

    /// The document of docs/report.md.
    package func json(_ context: ReportContext) -> JSONTree {
        var head: [(String, JSONTree)] = [("policy", .string(context.title)),
                                          ("now", context.now.map { .string(ISOTime.string(utc: $0)) } ?? .null),
                                          ("from", from.map { .string(ISOTime.string(utc: $0)) } ?? .null),
                                          ("to", to.map { .string(ISOTime.string(utc: $0)) } ?? .null),
                                          ("every", .string(period.rawValue)), ("by", .optional(by))]
        head += [("records", .int(records)), ("incidents", .int(incidents)), ("unreadable", .int(errors)),
                 ("outside_dates", .int(outside)), ("without_clock", .int(unclocked)),
                 ("on_time_share_is", .string("on_time / (on_time + late + overdue)"))]
        let acts: [JSONTree] = actionRows.map { row in
            .object([("action", .string(row.label)), ("kind", .string(row.kind.jsonName))]
                    + counts(row.tally.counts, total: "required") + [("margins", margins(row.tally.margins))])
        }
        let rulesDoc: [JSONTree] = ruleRows.map { row in
            .object(rule(row.rule) + [("fired", .int(row.fired))] + counts(row.tally.counts, total: "actions")
                    + [("margins", margins(row.tally.margins))])
        }
        var doc = head
        doc.append(("actions", .array(acts)))
        doc.append(("rules", .array(rulesDoc)))
        doc.append(("never_fired", policyRules.isEmpty ? .null : .array(neverFired.map { .object(rule($0)) })))
        doc.append(("trend", .array(periodRows.map { p in
            .object([("period", .string(p.label)), ("incidents", .int(p.bucket.incidents))] + counts(p.bucket.counts, total: "actions"))
        })))
        doc.append(("groups", by == nil ? .null : .array(groupRows.map { g in
            .object([("value", .optional(g.value)), ("incidents", .int(g.bucket.incidents))] + counts(g.bucket.counts, total: "actions"))
        })))
        let dist = ReportWords.distribution(allMargins)
        doc.append(("lateness", .array(ReportWords.lateBuckets.enumerated().map { i, b in
            .object([("bucket", .string(b.label)), ("up_to_seconds", b.upTo.map { .number(Double($0)) } ?? .null),
                     ("count", .int(dist[i]))])
        })))
        return .object(doc)
    }
}

// MARK: - CSV

extension Report {
    /// One table: the first column, `table`, says which (`summary`,
    /// `action`, `rule`, `never_fired`, `period`, `group`, `lateness`);
    /// columns a table does not use are empty (docs/report.md).
    package func csv(_ context: ReportContext) -> String {
        let header = ["table", "name", "file", "line", "fired", "incidents", "required", "on_time", "late", "overdue",
                      "open", "done", "not_tracked", "settled", "on_time_share", "margins", "median_seconds", "p90_seconds"]
        var rows: [[String]] = [header]
        func cell(_ s: String) -> String {
            // RFC 4180; a cell a spreadsheet would take for a formula is quoted with a leading '.
            var s = s
            if let f = s.first, "=+-@".contains(f), Int(s) == nil { s = "'" + s }
            if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                return "\"" + s.replacingAll("\"", "\"\"") + "\""
            }
            return s
        }
        func share(_ c: ReportCounts) -> String {
            c.onTimeShare.map { String(($0 * 10_000).rounded() / 10_000) } ?? ""
        }
        func countCells(_ c: ReportCounts) -> [String] {
            [String(c.total), String(c.onTime), String(c.late), String(c.overdue), String(c.open), String(c.done),
             String(c.notTracked), String(c.settled), share(c)]
        }
        func marginCells(_ m: ReportMargins) -> [String] {
            [String(m.values.count), m.median.map(String.init) ?? "", m.p90.map(String.init) ?? ""]
        }
        rows.append(["summary", context.title, "", "", "", String(incidents), "", "", "", "", "", "", "", "", "", "", "", ""])
        for row in actionRows {
            rows.append(["action", row.label, "", "", "", ""] + countCells(row.tally.counts) + marginCells(row.tally.margins))
        }
        for row in ruleRows {
            rows.append(["rule", row.rule.name ?? "", row.rule.file, String(row.rule.line), String(row.fired), ""]
                        + countCells(row.tally.counts) + marginCells(row.tally.margins))
        }
        for r in neverFired {
            rows.append(["never_fired", r.name ?? "", r.file, String(r.line), "0"] + Array(repeating: "", count: 13))
        }
        for p in periodRows {
            rows.append(["period", p.label, "", "", "", String(p.bucket.incidents)] + countCells(p.bucket.counts) + ["", "", ""])
        }
        for g in groupRows {
            rows.append(["group", g.value ?? "", "", "", "", String(g.bucket.incidents)] + countCells(g.bucket.counts) + ["", "", ""])
        }
        let dist = ReportWords.distribution(allMargins)
        for (i, b) in ReportWords.lateBuckets.enumerated() {
            rows.append(["lateness", b.label, "", "", "", "", "", "", "", "", "", "", "", "", "", String(dist[i]), "", ""])
        }
        return rows.map { $0.map(cell).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }
}

extension String {
    /// Every `target` replaced by `with` (no Foundation).
    func replacingAll(_ target: Character, _ with: String) -> String {
        var out = ""
        out.reserveCapacity(count)
        for c in self { if c == target { out += with } else { out.append(c) } }
        return out
    }
}
