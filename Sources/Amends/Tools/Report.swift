/// Report: how well a policy was kept over many incidents (`amends report`,
/// docs/report.md). It adds up `ReportRecord`s, whichever way they were
/// made, and two reports of parts of an archive merge into the report of
/// the whole exactly: counts add, and the margins are kept whole (not as
/// per-part percentiles), so the percentiles of a merged report are those
/// of the whole.

/// Counts of statuses.
package struct ReportCounts: Sendable, Equatable {
    /// Incidents (for a rule: incidents it fired on; for an action or a
    /// period or group: required actions).
    package var total = 0
    package var onTime = 0
    package var late = 0
    package var overdue = 0
    package var open = 0
    package var done = 0
    package var notTracked = 0

    package init() {}

    package mutating func add(_ s: ProgressStatus) {
        switch s {
        case .onTime: onTime += 1
        case .late: late += 1
        case .overdue: overdue += 1
        case .open: open += 1
        case .done: done += 1
        case .notTracked: notTracked += 1
        }
    }

    package mutating func merge(_ o: ReportCounts) {
        total += o.total
        onTime += o.onTime
        late += o.late
        overdue += o.overdue
        open += o.open
        done += o.done
        notTracked += o.notTracked
    }

    /// The actions whose deadline has been met or missed: on time, late,
    /// and overdue (an overdue action has missed it already, whenever it
    /// is done). Open ones may still go either way, and `done` and
    /// `not_tracked` ones have no time to compare; they are left out.
    package var settled: Int { onTime + late + overdue }

    /// on time / (on time + late + overdue); nil when none is settled.
    package var onTimeShare: Double? { settled == 0 ? nil : Double(onTime) / Double(settled) }
}

/// Done times against the deadline, kept whole so that reports merge exactly.
package struct ReportMargins: Sendable, Equatable {
    /// Seconds, negative early and positive late; sorted once `sorted()`.
    package var values: [Int64] = []
    /// How many of them are open time (business deadlines).
    package var business = 0

    package init() {}

    package mutating func merge(_ o: ReportMargins) {
        values += o.values
        business += o.business
    }

    /// The nearest-rank percentile (`p` from 0 to 100) of the sorted values:
    /// the smallest value with at least p% of the values at or below it;
    /// it is always one of the values. nil when there are none.
    package static func percentile(_ sorted: [Int64], _ p: Int) -> Int64? {
        guard !sorted.isEmpty else { return nil }
        let rank = max(1, (p * sorted.count + 99) / 100)       // ceil(p/100 × n)
        return sorted[min(sorted.count, rank) - 1]
    }

    package var median: Int64? { ReportMargins.percentile(values, 50) }
    package var p90: Int64? { ReportMargins.percentile(values, 90) }
}

/// The figures of one action (or one rule).
package struct ReportTally: Sendable, Equatable {
    package var counts = ReportCounts()
    package var margins = ReportMargins()

    package init() {}

    @inline(__always)
    mutating func add(_ item: ReportItem) {
        counts.total += 1
        counts.add(item.status)
        if let l = item.lateness {
            margins.values.append(l)
            if item.business { margins.business += 1 }
        }
    }

    package mutating func merge(_ o: ReportTally) {
        counts.merge(o.counts)
        margins.merge(o.margins)
    }
}

/// One action's figures, with its kind for ordering.
package struct ReportActionRow: Sendable, Equatable {
    package var label: String
    package var kind: ActionKindName
    package var tally: ReportTally
}

/// One rule's figures: `fired` incidents, and the actions it asked for.
package struct ReportRuleRow: Sendable, Equatable {
    package var rule: ReportRule
    package var fired = 0
    package var tally = ReportTally()
}

/// A week or a month, or a value of the `--by` field: incidents and their
/// required actions.
package struct ReportBucket: Sendable, Equatable {
    package var incidents = 0
    package var counts = ReportCounts()
}

/// How the trend is cut.
package enum ReportPeriod: String, Sendable, CaseIterable {
    case week, month

    /// The first day (days since 1970-01-01, UTC) of the period holding `t`.
    package func start(of t: Int64) -> Int {
        let day = Int(t >= 0 ? t / 86_400 : (t - 86_399) / 86_400)
        switch self {
        case .week:
            // 1970-01-01 was a Thursday; weeks start on Monday.
            let weekday = ((day % 7) + 7 + 3) % 7          // 0 Monday … 6 Sunday
            return day - weekday
        case .month:
            let d = Civil.date(days: day)
            return Civil.days(year: d.year, month: d.month, day: 1)
        }
    }

    /// `2016-03` for a month, `2016-02-29` (its Monday) for a week.
    package func label(_ start: Int) -> String {
        let d = Civil.date(days: start)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        switch self {
        case .month: return "\(d.year)-\(two(d.month))"
        case .week: return "\(d.year)-\(two(d.month))-\(two(d.day))"
        }
    }
}

/// A Report adds up incidents.
package struct Report: Sendable, Equatable {
    package var period: ReportPeriod
    /// The `--by` field, if any.
    package var by: String?
    /// Records read (incidents and unreadable ones alike), within the dates.
    package var records = 0
    package var errors = 0
    /// Incidents with no clock value (not in the trend).
    package var unclocked = 0
    /// Incidents left out by `--from`/`--to`.
    package var outside = 0
    package var actions: [String: ReportActionRow] = [:]
    package var rules: [ReportRule: ReportRuleRow] = [:]
    /// Every rule of the policy, when it is known: those that never fired
    /// are listed.
    package var policyRules: [ReportRule] = []
    package var periods: [Int: ReportBucket] = [:]
    /// By the `--by` field's value; a missing value is the key `nil`.
    package var groups: [String?: ReportBucket] = [:]
    /// `--from` (inclusive) and `--to` (exclusive: the day after the date given), seconds.
    package var from: Int64?
    package var to: Int64?

    package init(period: ReportPeriod = .month, by: String? = nil, from: Int64? = nil, to: Int64? = nil) {
        self.period = period
        self.by = by
        self.from = from
        self.to = to
    }

    package var incidents: Int { records - errors }

    /// Adds another report of other incidents (of the same cut).
    package mutating func merge(_ o: Report) {
        records += o.records
        errors += o.errors
        unclocked += o.unclocked
        outside += o.outside
        for (k, v) in o.actions {
            if actions[k] == nil { actions[k] = v } else { actions[k]?.tally.merge(v.tally) }
        }
        for (k, v) in o.rules {
            if var mine = rules[k] {
                mine.fired += v.fired
                mine.tally.merge(v.tally)
                if mine.rule.name == nil { mine.rule.name = v.rule.name }
                rules[k] = mine
            } else {
                rules[k] = v
            }
        }
        for r in o.policyRules where !policyRules.contains(r) { policyRules.append(r) }
        for (k, v) in o.periods {
            periods[k, default: ReportBucket()].incidents += v.incidents
            periods[k, default: ReportBucket()].counts.merge(v.counts)
        }
        for (k, v) in o.groups {
            groups[k, default: ReportBucket()].incidents += v.incidents
            groups[k, default: ReportBucket()].counts.merge(v.counts)
        }
    }

    /// Sorts the margins (after the last add or merge), so that the
    /// percentiles can be read and two reports compared.
    package mutating func finish() {
        for k in actions.keys { actions[k]?.tally.margins.values.sort() }
        for k in rules.keys { rules[k]?.tally.margins.values.sort() }
    }

    // MARK: - In order, for showing

    /// Actions in the printing order of Grammar.md §7 (kind), then by name.
    package var actionRows: [ReportActionRow] {
        actions.values.sorted { ($0.kind.rank, $0.label) < ($1.kind.rank, $1.label) }
    }

    /// Rules that fired, most often first (then in file order).
    package var ruleRows: [ReportRuleRow] {
        rules.values.sorted { a, b in a.fired != b.fired ? a.fired > b.fired : a.rule < b.rule }
    }

    /// The policy's rules that never fired on these incidents (known only
    /// when the policy was read).
    package var neverFired: [ReportRule] {
        policyRules.filter { (rules[$0]?.fired ?? 0) == 0 }.sorted()
    }

    package var periodRows: [(label: String, bucket: ReportBucket)] {
        periods.keys.sorted().compactMap { k in periods[k].map { (period.label(k), $0) } }
    }

    /// Groups, most incidents first, then by value; the missing value last.
    package var groupRows: [(value: String?, bucket: ReportBucket)] {
        groups.map { ($0.key, $0.value) }.sorted { a, b in
            if (a.value == nil) != (b.value == nil) { return b.value == nil }
            if a.bucket.incidents != b.bucket.incidents { return a.bucket.incidents > b.bucket.incidents }
            return (a.value ?? "") < (b.value ?? "")
        }
    }
}

/// A ReportAccumulator adds up `ReportRecord`s by number (no name is looked
/// up a record), then gives the `Report`, by name, to merge with others.
package struct ReportAccumulator: Sendable {
    package var report: Report
    var actions: [ReportTally] = []
    var rules: [ReportTally] = []
    var fired: [Int] = []

    package init(_ template: Report) { report = template }

    /// Adds one record, whose numbers are `names`'.
    package mutating func add(_ r: ReportRecord, names: ReportNames) {
        if r.isError {
            // An unreadable record has no clock: it is counted whatever the dates.
            report.records += 1
            report.errors += 1
            return
        }
        if report.from != nil || report.to != nil {
            guard let c = r.clock, report.from.map({ c >= $0 }) ?? true, report.to.map({ c < $0 }) ?? true else {
                report.outside += 1
                return
            }
        }
        report.records += 1
        if actions.count < names.labels.count { actions += Array(repeating: ReportTally(), count: names.labels.count - actions.count) }
        if rules.count < names.rules.count {
            rules += Array(repeating: ReportTally(), count: names.rules.count - rules.count)
            fired += Array(repeating: 0, count: names.rules.count - fired.count)
        }
        var bucket = ReportCounts()
        for item in r.items {
            let a = Int(item.action)
            guard actions.indices.contains(a) else { continue }
            actions[a].add(item)
            var i = Int(item.becauseStart)
            while i < Int(item.becauseEnd) && i < r.because.count {
                let rule = Int(r.because[i])
                if rules.indices.contains(rule) { rules[rule].add(item) }
                i += 1
            }
            bucket.total += 1
            bucket.add(item.status)
        }
        for rule in r.fired where fired.indices.contains(Int(rule)) { fired[Int(rule)] += 1 }
        if let c = r.clock {
            let k = report.period.start(of: c)
            report.periods[k, default: ReportBucket()].incidents += 1
            report.periods[k, default: ReportBucket()].counts.merge(bucket)
        } else {
            report.unclocked += 1
        }
        if report.by != nil {
            report.groups[r.group, default: ReportBucket()].incidents += 1
            report.groups[r.group, default: ReportBucket()].counts.merge(bucket)
        }
    }

    /// The report, by name (its margins not yet sorted: `Report.finish`).
    package func finished(names: ReportNames) -> Report {
        var out = report
        for (a, tally) in actions.enumerated() where tally.counts.total > 0 && names.labels.indices.contains(a) {
            let label = names.labels[a]
            if out.actions[label] == nil {
                out.actions[label] = ReportActionRow(label: label, kind: names.kinds[a], tally: tally)
            } else {
                out.actions[label]?.tally.merge(tally)
            }
        }
        for (i, tally) in rules.enumerated() where (tally.counts.total > 0 || fired[i] > 0) && names.rules.indices.contains(i) {
            let rule = names.rules[i]
            var row = out.rules[rule] ?? ReportRuleRow(rule: rule)
            row.fired += fired[i]
            row.tally.merge(tally)
            out.rules[rule] = row
        }
        return out
    }
}
