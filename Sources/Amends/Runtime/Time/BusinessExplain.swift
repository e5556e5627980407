/// Business-time explanations for `amends explain`: the walk from a start to a
/// deadline as short lines a person can check against a wall calendar, e.g.
///
///     start Fri 2026-03-06 16:00 (Europe/London)
///     Fri 16:00-17:30: 1h30m
///     Sat 2026-03-07 to Sun 2026-03-08: closed (weekend)
///     Mon 2026-03-09 09:00-11:30: 2h30m, deadline
///     deadline Mon 2026-03-09 11:30 (Europe/London) = 2026-03-09T11:30:00Z
///
/// Long walks keep their first and last lines and summarise the middle, so an
/// explanation stays under about 30 lines.
extension BusinessCalendar {
    // MARK: - Public

    /// How `hours` business hours from `start` (UTC seconds) were counted.
    package func explainBusinessHours(_ hours: Int64, from start: Int64) -> [String] {
        var lines = ["start \(localText(start)) (\(zone.identifier))"]
        let (seconds, overflow) = hours.multipliedReportingOverflow(by: 3_600)
        if let problem = refusal(amount: hours, overflow: overflow, hasHours: weekSeconds > 0, start: start) {
            return lines + [problem]
        }
        var trace = Trace(enabled: true)
        let deadline = addOpenTime(seconds, from: start, trace: &trace)
        lines += Self.summarised(render(trace.steps, countingDays: false, startDay: localDay(of: Self.clamp(start))),
                                 countingDays: false)
        lines.append(deadlineLine(deadline))
        return lines
    }

    /// How `days` business days from `start` (UTC seconds) were counted.
    package func explainBusinessDays(_ days: Int64, from start: Int64) -> [String] {
        var lines = ["start \(localText(start)) (\(zone.identifier))"]
        if let problem = refusal(amount: days, overflow: false, hasHours: openWeekdays > 0, start: start) {
            return lines + [problem]
        }
        if days > 0 {
            switch startPosition(Self.clamp(start)).position {
            case .during:
                lines.append("during opening hours: the deadline is the same time of day on the \(Self.ordinal(days)) open day after")
            case .beforeOpening:
                lines.append("before opening: this day counts as day 1; the deadline is the close of day \(days)")
            case .after:
                lines.append("outside opening hours: the next open day counts as day 1; the deadline is the close of day \(days)")
            }
        }
        var trace = Trace(enabled: true)
        let deadline = addOpenDays(days, from: start, trace: &trace)
        lines += Self.summarised(render(trace.steps, countingDays: days > 0, startDay: localDay(of: Self.clamp(start))),
                                 countingDays: days > 0)
        lines.append(deadlineLine(deadline))
        return lines
    }

    // MARK: - Rendering steps

    /// A Line is one rendered step with what it covers, for summarising.
    struct Line {
        var text: String
        var first: Int
        var last: Int
        /// Open seconds used, or open days counted.
        var amount: Int64
    }

    func render(_ steps: [Trace.Step], countingDays: Bool, startDay: Int) -> [Line] {
        var lines: [Line] = []
        var shownDay = startDay
        var counted: Int64 = 0
        var pendingClosed: (first: Int, last: Int, reason: Trace.Reason)?
        func flushClosed() {
            guard let run = pendingClosed else { return }
            let days = run.first == run.last ? Self.dateText(run.first) : "\(Self.dateText(run.first)) to \(Self.dateText(run.last))"
            lines.append(Line(text: "\(days): closed (\(Self.reasonText(run.reason, run.first)))", first: run.first, last: run.last, amount: 0))
            shownDay = run.last
            pendingClosed = nil
        }
        for step in steps {
            if case .closed(let first, let last, let reason) = step {
                if let run = pendingClosed, run.reason == reason, run.last + 1 == first {
                    pendingClosed = (run.first, last, reason)
                } else {
                    flushClosed()
                    pendingClosed = (first, last, reason)
                }
                continue
            }
            flushClosed()
            switch step {
            case .closed:
                break
            case .worked(let day, let from, let to, let deadline):
                let date = day == shownDay ? Self.dayName(Self.weekdayIndex(day)) : Self.dateText(day)
                let text = "\(date) \(clockText(from, day))-\(clockText(to, day)): \(Self.spanText(to - from))" + (deadline ? ", deadline" : "")
                lines.append(Line(text: text, first: day, last: day, amount: to - from))
                shownDay = day
            case .skipped(let first, let last, let amount):
                let weeks = (last - first + 1) / 7
                let span = "\(Self.dateText(first)) to \(Self.dateText(last))"
                let text = countingDays
                    ? "days \(counted + 1)-\(counted + amount): \(span) (\(weeks) \(weeks == 1 ? "week" : "weeks"))"
                    : "\(span): \(weeks) \(weeks == 1 ? "week" : "weeks"), \(Self.spanText(amount)) open"
                counted += amount
                lines.append(Line(text: text, first: first, last: last, amount: amount))
                shownDay = last
            case .counted(let day, let number):
                counted = number
                lines.append(Line(text: "day \(number): \(Self.dateText(day))", first: day, last: day, amount: 1))
                shownDay = day
            }
        }
        flushClosed()
        return lines
    }

    /// The first 12 and last 14 lines, with one line for what lies between.
    static func summarised(_ lines: [Line], countingDays: Bool) -> [String] {
        guard lines.count > 28 else { return lines.map(\.text) }
        let head = lines.prefix(12)
        let tail = lines.suffix(14)
        let middle = lines.dropFirst(12).dropLast(14)
        guard let first = middle.first, let last = middle.last else { return lines.map(\.text) }
        let amount = middle.reduce(Int64(0)) { $0 &+ $1.amount }
        let what = countingDays ? "\(amount) open \(amount == 1 ? "day" : "days")" : "\(spanText(amount)) of open time"
        let summary = "… \(dateText(first.first)) to \(dateText(last.last)): \(what) (\(middle.count) lines left out)"
        return head.map(\.text) + [summary] + tail.map(\.text)
    }

    // MARK: - Words

    func refusal(amount: Int64, overflow: Bool, hasHours: Bool, start: Int64) -> String? {
        if amount < 0 { return "no deadline: the amount is negative" }
        if Self.clamp(start) != start { return "no deadline: the start is too far from today's calendar" }
        if overflow { return "no deadline: the amount is too large" }
        if !hasHours { return "no deadline: the calendar has no opening hours" }
        return nil
    }

    func deadlineLine(_ deadline: Int64?) -> String {
        guard let deadline else {
            return "no deadline: not enough open time within \(Self.maxSpanDays / 365) years"
        }
        return "deadline \(localText(deadline)) (\(zone.identifier)) = \(ISOTime.string(utc: deadline))"
    }

    /// `Fri 2026-03-06 16:00` in the calendar's zone (seconds shown when not 0).
    func localText(_ instant: Int64) -> String {
        let t = Self.clamp(instant)
        let day = localDay(of: t)
        return "\(Self.dateText(day)) \(clockText(t, day))"
    }

    /// `16:00` for an instant, relative to the start of a local day (so the
    /// end of a day reads `24:00`).
    func clockText(_ instant: Int64, _ day: Int) -> String {
        let seconds = instant + Int64(zone.offset(atUTC: instant)) - Int64(day) * 86_400
        let minutes = Int(Self.floorDiv(seconds, 60))
        let rest = Int(seconds - Int64(minutes) * 60)
        return ClockRange.clock(minutes) + (rest == 0 ? "" : (rest < 10 ? ":0" : ":") + "\(rest)")
    }

    /// `Fri 2026-03-06`.
    static func dateText(_ day: Int) -> String {
        let (y, m, d) = Civil.date(days: day)
        let year = y >= 0 && y < 1000 ? String(repeating: "0", count: 4 - "\(y)".count) + "\(y)" : "\(y)"
        return "\(dayName(weekdayIndex(day))) \(year)-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d)"
    }

    /// `1h30m`, `45m`, `8h`, `30s`.
    static func spanText(_ seconds: Int64) -> String {
        let h = seconds / 3_600, m = seconds % 3_600 / 60, s = seconds % 60
        var text = ""
        if h > 0 { text += "\(h)h" }
        if m > 0 { text += "\(m)m" }
        if s > 0 { text += "\(s)s" }
        return text.isEmpty ? "0m" : text
    }

    static func reasonText(_ reason: Trace.Reason, _ day: Int) -> String {
        switch reason {
        case .weekend: return "weekend"
        case .noHours: return "no opening hours on \(dayName(weekdayIndex(day)))"
        case .closedDate: return "a closed date"
        }
    }

    static func ordinal(_ n: Int64) -> String {
        let suffix: String
        switch (n % 10, n % 100) {
        case (_, 11), (_, 12), (_, 13): suffix = "th"
        case (1, _): suffix = "st"
        case (2, _): suffix = "nd"
        case (3, _): suffix = "rd"
        default: suffix = "th"
        }
        return "\(n)\(suffix)"
    }
}
