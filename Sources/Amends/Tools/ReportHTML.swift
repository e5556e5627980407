/// The report as one self-contained HTML page (`amends report --format
/// html`): no network, no script, charts as inline SVG with a title and a
/// table for each, readable without colour (values are written on the
/// bars, early and late told apart by a hatch as well as a shade), and
/// printable. Every text from the policy or the records is escaped.
extension Report {
    package func html(_ context: ReportContext) -> String {
        var h = HTMLPage()
        let title = "Report: " + context.title
        h.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        h.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        h.raw("<title>")
        h.text(title)
        h.raw("</title>\n<style>\n\(HTMLPage.style)</style>\n</head>\n<body>\n<main>\n<h1>")
        h.text(title)
        h.raw("</h1>\n<p class=\"scope\">")
        var scope = "\(ReportWords.count(records)) records: \(ReportWords.count(incidents)) incidents"
        if errors > 0 { scope += ", \(ReportWords.count(errors)) unreadable" }
        if let now = context.now { scope += ". Statuses at \(ISOTime.string(utc: now))" }
        if from != nil || to != nil {
            scope += ". Clock from \(from.map { ISOTime.string(utc: $0) } ?? "the start") to before \(to.map { ISOTime.string(utc: $0) } ?? "the end")"
            scope += " (\(ReportWords.count(outside)) incidents outside left out)"
        }
        h.text(scope + ".")
        h.raw("</p>\n<p>The on-time share is on time / (on time + late + overdue): the actions whose deadline has been met or missed. Open actions may still go either way; actions done with no time, and those not tracked, cannot be compared with a deadline.</p>\n")

        // Chart 1: on-time share per action.
        let rows = actionRows
        let shared = rows.filter { $0.tally.counts.settled > 0 }
        h.raw("<section>\n<h2>On time, by action</h2>\n")
        if shared.isEmpty {
            h.raw("<p>No action has a deadline met or missed: the policy tracks none (it has no <code>done:</code> block), or none has come due.</p>\n")
        } else {
            let bars = shared.map { (label: $0.label, value: $0.tally.counts.onTimeShare ?? 0,
                                     note: "\(ReportWords.share($0.tally.counts.onTimeShare)) of \(ReportWords.count($0.tally.counts.settled))") }
            h.horizontalBars(id: "share", title: "On-time share per action", bars: bars)
        }
        h.raw("<table>\n<caption>Each action required</caption>\n<thead><tr><th scope=\"col\">action</th><th scope=\"col\">required</th><th scope=\"col\">on time</th><th scope=\"col\">late</th><th scope=\"col\">overdue</th><th scope=\"col\">open</th><th scope=\"col\">done (no time)</th><th scope=\"col\">not tracked</th><th scope=\"col\">on-time share</th><th scope=\"col\">median</th><th scope=\"col\">90th percentile</th></tr></thead>\n<tbody>\n")
        for row in rows {
            let c = row.tally.counts, m = row.tally.margins
            h.row(header: row.label, [ReportWords.count(c.total), ReportWords.count(c.onTime), ReportWords.count(c.late),
                                      ReportWords.count(c.overdue), ReportWords.count(c.open), ReportWords.count(c.done),
                                      ReportWords.count(c.notTracked), ReportWords.share(c.onTimeShare),
                                      ReportWords.lateness(m.median), ReportWords.lateness(m.p90)])
        }
        h.raw("</tbody>\n</table>\n</section>\n")

        // Chart 2: the trend.
        let periods = periodRows
        h.raw("<section>\n<h2>Over time, by \(period.rawValue)</h2>\n")
        if periods.isEmpty {
            h.raw("<p>No incident has a clock value.</p>\n")
        } else {
            h.columns(id: "trend", title: "Incidents and on-time share per \(period.rawValue)",
                      columns: periods.map { (label: $0.label, value: Double($0.bucket.incidents),
                                              note: ReportWords.share($0.bucket.counts.onTimeShare), hatched: false) },
                      caption: "bar height: incidents; the figure above each bar: its on-time share")
        }
        bucketTable(&h, caption: "By \(period.rawValue) of the clock field (UTC)", periods.map { ($0.label, $0.bucket) }
                    + (unclocked > 0 ? [("(no clock)", ReportBucket(incidents: unclocked, counts: ReportCounts()))] : []))
        h.raw("</section>\n")

        // Chart 3: the lateness distribution.
        let dist = ReportWords.distribution(allMargins)
        h.raw("<section>\n<h2>When actions were done, against the deadline</h2>\n")
        if dist.allSatisfy({ $0 == 0 }) {
            h.raw("<p>No action was done with a time against a deadline.</p>\n")
        } else {
            h.columns(id: "lateness", title: "Actions done, by how early or late", columns: ReportWords.lateBuckets.enumerated().map { i, b in
                (label: b.label, value: Double(dist[i]), note: ReportWords.count(dist[i]), hatched: i >= 3)
            }, caption: "plain bars: on time; hatched bars: late")
        }
        h.raw("<table>\n<caption>Actions done with a time</caption>\n<thead><tr><th scope=\"col\">done</th><th scope=\"col\">actions</th></tr></thead>\n<tbody>\n")
        for (i, b) in ReportWords.lateBuckets.enumerated() { h.row(header: b.label, [ReportWords.count(dist[i])]) }
        h.raw("</tbody>\n</table>\n</section>\n")

        // Rules.
        h.raw("<section>\n<h2>Rules, most fired first</h2>\n<table>\n<caption>Each rule that fired</caption>\n<thead><tr><th scope=\"col\">rule</th><th scope=\"col\">fired</th><th scope=\"col\">actions</th><th scope=\"col\">on time</th><th scope=\"col\">late</th><th scope=\"col\">overdue</th><th scope=\"col\">on-time share</th><th scope=\"col\">median</th><th scope=\"col\">90th percentile</th></tr></thead>\n<tbody>\n")
        for row in ruleRows where row.fired > 0 || row.tally.counts.total > 0 {
            let c = row.tally.counts, m = row.tally.margins
            h.row(header: row.rule.description, [ReportWords.count(row.fired), ReportWords.count(c.total), ReportWords.count(c.onTime),
                                                 ReportWords.count(c.late), ReportWords.count(c.overdue), ReportWords.share(c.onTimeShare),
                                                 ReportWords.lateness(m.median), ReportWords.lateness(m.p90)])
        }
        h.raw("</tbody>\n</table>\n")
        if !policyRules.isEmpty {
            let never = neverFired
            if never.isEmpty {
                h.raw("<p>Every rule fired.</p>\n")
            } else {
                h.raw("<h3>Never fired on these incidents</h3>\n<ul>\n")
                for r in never {
                    h.raw("<li>")
                    h.text(r.description)
                    h.raw("</li>\n")
                }
                h.raw("</ul>\n")
            }
        }
        h.raw("</section>\n")
        if let by {
            h.raw("<section>\n<h2>By ")
            h.text(by)
            h.raw("</h2>\n")
            bucketTable(&h, caption: "By the value of " + by, groupRows.map { ($0.value ?? "(missing)", $0.bucket) })
            h.raw("</section>\n")
        }
        h.raw("<footer><p>Made by <code>amends report</code>. Median and 90th percentile: nearest rank, of done time minus deadline.</p></footer>\n")
        h.raw("</main>\n</body>\n</html>\n")
        return h.out
    }

    private func bucketTable(_ h: inout HTMLPage, caption: String, _ rows: [(String, ReportBucket)]) {
        h.raw("<table>\n<caption>")
        h.text(caption)
        h.raw("</caption>\n<thead><tr><th scope=\"col\"></th><th scope=\"col\">incidents</th><th scope=\"col\">actions</th><th scope=\"col\">on time</th><th scope=\"col\">late</th><th scope=\"col\">overdue</th><th scope=\"col\">open</th><th scope=\"col\">on-time share</th></tr></thead>\n<tbody>\n")
        for (label, b) in rows {
            let c = b.counts
            h.row(header: label, [ReportWords.count(b.incidents), ReportWords.count(c.total), ReportWords.count(c.onTime),
                                  ReportWords.count(c.late), ReportWords.count(c.overdue), ReportWords.count(c.open),
                                  ReportWords.share(c.onTimeShare)])
        }
        h.raw("</tbody>\n</table>\n")
    }
}

/// An HTML page being written.
package struct HTMLPage {
    package var out = ""

    mutating func raw(_ s: String) { out += s }

    /// Text, escaped for an element's content or an attribute's value.
    mutating func text(_ s: String) { out += HTMLPage.escape(s) }

    package static func escape(_ s: String) -> String {
        var r = ""
        r.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": r += "&amp;"
            case "<": r += "&lt;"
            case ">": r += "&gt;"
            case "\"": r += "&quot;"
            case "'": r += "&#39;"
            default:
                // Control characters other than tab and line ends have no place in a page.
                if c.value < 0x20 && c != "\t" && c != "\n" && c != "\r" { r += "\u{FFFD}" } else { r.unicodeScalars.append(c) }
            }
        }
        return r
    }

    mutating func row(header: String, _ cells: [String]) {
        raw("<tr><th scope=\"row\">")
        text(header)
        raw("</th>")
        for c in cells {
            raw("<td>")
            text(c)
            raw("</td>")
        }
        raw("</tr>\n")
    }

    static func fmt(_ v: Double) -> String {
        let t = Int((v * 10).rounded())
        return t % 10 == 0 ? "\(t / 10)" : "\(t / 10).\(abs(t % 10))"
    }

    /// Bars of shares (0…1), one a row, the label above each.
    mutating func horizontalBars(id: String, title: String, bars: [(label: String, value: Double, note: String)]) {
        let width = 640.0, barWidth = 440.0, rowHeight = 38.0
        let height = Double(bars.count) * rowHeight + 24
        raw("<figure>\n<svg id=\"\(id)\" role=\"img\" aria-labelledby=\"\(id)-title\" viewBox=\"0 0 \(HTMLPage.fmt(width)) \(HTMLPage.fmt(height))\" width=\"\(HTMLPage.fmt(width))\" height=\"\(HTMLPage.fmt(height))\">\n<title id=\"\(id)-title\">")
        text(title + ": " + bars.map { "\($0.label) \($0.note)" }.joined(separator: "; "))
        raw("</title>\n")
        for (i, b) in bars.enumerated() {
            let y = Double(i) * rowHeight
            let w = max(0, min(1, b.value)) * barWidth
            raw("<text x=\"0\" y=\"\(HTMLPage.fmt(y + 12))\" class=\"label\">")
            text(b.label.count > 80 ? String(b.label.prefix(79)) + "…" : b.label)
            raw("</text>\n<rect x=\"0\" y=\"\(HTMLPage.fmt(y + 16))\" width=\"\(HTMLPage.fmt(barWidth))\" height=\"16\" class=\"track\"/>\n")
            raw("<rect x=\"0\" y=\"\(HTMLPage.fmt(y + 16))\" width=\"\(HTMLPage.fmt(w))\" height=\"16\" class=\"bar\"/>\n")
            raw("<text x=\"\(HTMLPage.fmt(barWidth + 8))\" y=\"\(HTMLPage.fmt(y + 29))\" class=\"value\">")
            text(b.note)
            raw("</text>\n")
        }
        raw("<line x1=\"\(HTMLPage.fmt(barWidth))\" y1=\"0\" x2=\"\(HTMLPage.fmt(barWidth))\" y2=\"\(HTMLPage.fmt(height - 24))\" class=\"axis\"/>\n")
        raw("<text x=\"\(HTMLPage.fmt(barWidth))\" y=\"\(HTMLPage.fmt(height - 6))\" class=\"value\" text-anchor=\"middle\">100%</text>\n")
        raw("</svg>\n<figcaption>bar length: on-time share (full width is 100%); the figures are in the table below</figcaption>\n</figure>\n")
    }

    /// Vertical bars of counts, with a note above each and the label below.
    mutating func columns(id: String, title: String, columns: [(label: String, value: Double, note: String, hatched: Bool)],
                          caption: String) {
        let n = max(1, columns.count)
        let slot = max(24.0, min(90.0, 720.0 / Double(n)))
        let plot = 180.0, top = 20.0, bottom = 90.0
        let width = slot * Double(n) + 60, height = top + plot + bottom
        let maxValue = max(1, columns.map(\.value).max() ?? 1)
        raw("<figure>\n<svg id=\"\(id)\" role=\"img\" aria-labelledby=\"\(id)-title\" viewBox=\"0 0 \(HTMLPage.fmt(width)) \(HTMLPage.fmt(height))\" width=\"\(HTMLPage.fmt(width))\" height=\"\(HTMLPage.fmt(height))\">\n<title id=\"\(id)-title\">")
        text(title + ": " + columns.map { "\($0.label) \(HTMLPage.fmt($0.value)) (\($0.note))" }.joined(separator: "; "))
        raw("</title>\n<defs><pattern id=\"\(id)-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff\"/><rect width=\"3\" height=\"6\" fill=\"#333\"/></pattern></defs>\n")
        raw("<line x1=\"0\" y1=\"\(HTMLPage.fmt(top + plot))\" x2=\"\(HTMLPage.fmt(width))\" y2=\"\(HTMLPage.fmt(top + plot))\" class=\"axis\"/>\n")
        for (i, c) in columns.enumerated() {
            let x = Double(i) * slot + 55
            let hgt = c.value / maxValue * plot
            let fill = c.hatched ? " style=\"fill: url(#\(id)-hatch); stroke: #333\"" : ""
            raw("<rect x=\"\(HTMLPage.fmt(x + 2))\" y=\"\(HTMLPage.fmt(top + plot - hgt))\" width=\"\(HTMLPage.fmt(slot - 4))\" height=\"\(HTMLPage.fmt(hgt))\" class=\"bar\"\(fill)/>\n")
            raw("<text x=\"\(HTMLPage.fmt(x + slot / 2))\" y=\"\(HTMLPage.fmt(top + plot - hgt - 4))\" class=\"value\" text-anchor=\"middle\">")
            text(c.note)
            raw("</text>\n<text class=\"label\" text-anchor=\"end\" transform=\"translate(\(HTMLPage.fmt(x + slot / 2 + 4)) \(HTMLPage.fmt(top + plot + 12))) rotate(-40)\">")
            text(c.label)
            raw("</text>\n")
        }
        raw("</svg>\n<figcaption>")
        text(caption + "; the figures are in the table below")
        raw("</figcaption>\n</figure>\n")
    }

    static let style = """
    body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111; background: #fff; margin: 0; }
    main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
    h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
    h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #999; }
    table { border-collapse: collapse; margin: .75rem 0; font-variant-numeric: tabular-nums; }
    caption { text-align: left; font-weight: 600; padding: .25rem 0; }
    th, td { border: 1px solid #bbb; padding: .2rem .5rem; text-align: right; }
    th[scope=row] { text-align: left; font-weight: normal; max-width: 28rem; }
    thead th { background: #eee; }
    figure { margin: .75rem 0; }
    figure svg { max-width: 100%; height: auto; }
    figcaption { font-size: .85rem; color: #333; }
    svg text { font: 12px system-ui, sans-serif; fill: #111; }
    svg .bar { fill: #3b5b8c; }
    svg .track { fill: #fff; stroke: #888; }
    svg .axis { stroke: #111; }
    @media print {
      body { font-size: 11pt; }
      main { max-width: none; padding: 0; }
      section, figure, table { break-inside: avoid; page-break-inside: avoid; }
      thead th { background: none; }
      svg .bar { fill: #555; }
    }

    """
}
