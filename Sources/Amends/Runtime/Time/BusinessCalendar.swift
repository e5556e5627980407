/// A BusinessCalendar is a business's open time: opening hours per weekday
/// (local wall-clock ranges), a time zone and closed dates. It turns
/// `N business hours` and `N business days` into absolute deadlines.
///
/// All instants in and out are UTC seconds since 1970. Weekdays, dates and
/// opening hours are LOCAL: each open interval is a local range on a local
/// date, and its two ends are converted to UTC through the zone.
///
/// Business hours (`addBusinessHours(_:to:)`):
/// - If `start` is inside an open interval, counting starts at `start`;
///   otherwise at the next opening.
/// - Open time is consumed interval by interval, skipping weekdays without
///   hours and closed dates. Because each interval's local ends are converted
///   separately, an interval on the day clocks change still has its full local
///   length (09:00-17:30 is 8.5 hours of work on that day); only an interval
///   that contains the change itself (say 00:00-24:00) is as long as the time
///   that really elapses in it. Opening or closing times that fall in a gap
///   move forward by the gap; in a repeated hour they take the earlier instant.
/// - When the remaining time ends exactly at a closing time, the deadline IS
///   that closing time (not the next opening).
/// - `0` hours gives `start` when open, else the next opening.
///
/// Business days (`addBusinessDays(_:to:)`); a day is open when its weekday
/// has hours and its date is not closed:
/// - If `start` is during an open day (between its first opening and its last
///   closing, a lunch break included), the deadline is the same local time of
///   day on the Nth following open day, clamped into that day's hours: after
///   its last close, that close; before its first opening, that opening; in a
///   break between intervals, the end of the earlier interval.
/// - Otherwise the first open day that has not begun counts as day 1 in full
///   (the start's own day when `start` is before its opening) and the deadline
///   is the CLOSE of the Nth open day: Saturday + 1 = Monday's close; Friday
///   18:00 + 1 = Monday's close; Monday 08:00 + 1 = Monday's close; Friday
///   15:00 + 2 = Tuesday 15:00.
/// - `0` days gives `start` when open, else the next opening.
///
/// Both return nil for a negative amount, for a start more than 2^40 seconds
/// (about 35,000 years) from 1970, when the calendar has no opening hours,
/// or when the deadline would be more than 10 million days (about 27,000
/// years) away. Whole weeks without closed dates or clock
/// changes inside open hours are skipped arithmetically, so any amount takes
/// microseconds; at most a million days are examined one by one.
package struct BusinessCalendar: Sendable {
    /// A ClockRange is one open interval of a day, in minutes since local
    /// midnight: `from` inclusive, `to` exclusive, `0 <= from < to <= 1440`.
    package struct ClockRange: Sendable, Hashable, CustomStringConvertible {
        package var from: Int
        package var to: Int

        package init(from: Int, to: Int) {
            self.from = from
            self.to = to
        }

        /// `09:00-17:30`.
        package var description: String { Self.clock(from) + "-" + Self.clock(to) }

        static func clock(_ minutes: Int) -> String {
            guard minutes >= 0 else { return "\(minutes) minutes" }
            let h = minutes / 60, m = minutes % 60
            return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
        }
    }

    package let zone: ZoneInfo
    /// Opening hours by weekday, Monday first; sorted, non-overlapping.
    let week: [[ClockRange]]
    /// Closed dates as sorted, disjoint, non-adjacent runs of day numbers.
    let closed: [ClosedRange<Int>]
    /// Open seconds of each weekday, Monday first (local lengths).
    let daySeconds: [Int64]
    /// Open seconds in a week without closed dates (local lengths).
    let weekSeconds: Int64
    /// Weekdays that have opening hours.
    let openWeekdays: Int
    /// Days (sorted) on which a transition of the zone's table falls in or at
    /// the edge of open hours, so their intervals are not their local length.
    let disturbedDays: [Int]
    /// Whether the zone's closing rule changes clocks in or at open hours.
    let ruleDisturbs: Bool
    /// Hours that hold only on the days of a season, beside the week's.
    var seasons: [Season] = []

    /// A Season is a run of local days (day numbers, both ends included) on
    /// which further hours hold, by weekday, Monday first (`open sat
    /// 10:00-14:00 from 2027-01-02 to 2027-01-30`).
    package struct Season: Sendable {
        package var days: ClosedRange<Int>
        package var week: [[ClockRange]]
    }

    // MARK: - Construction

    /// A calendar from opening hours by weekday, a zone and closed local dates
    /// (day numbers, `Civil.days(...)`). Hours are tidied, not checked: ranges
    /// are clamped to 00:00-24:00, empty ones dropped, overlapping ones merged.
    /// Use `make` to have mistakes reported instead.
    package init(open: [Weekday: [ClockRange]], zone: ZoneInfo, closedDates: Set<Int>) {
        self.init(open: open, zone: zone, closedRuns: closedDates.map { $0...$0 })
    }

    init(open: [Weekday: [ClockRange]], zone: ZoneInfo, closedRuns: [ClosedRange<Int>]) {
        let week = Weekday.allCases.map { Self.tidy(open[$0] ?? []) }
        self.zone = zone
        self.week = week
        self.closed = Self.mergeRuns(closedRuns)
        self.daySeconds = week.map { day in day.reduce(0) { $0 + Int64($1.to - $1.from) * 60 } }
        self.weekSeconds = daySeconds.reduce(0, +)
        self.openWeekdays = week.filter { !$0.isEmpty }.count
        var disturbed: [Int] = []
        for i in zone.times.indices where (-(1 << 42)...(1 << 42)).contains(zone.times[i]) {
            let before = Int(i == 0 ? zone.initial : zone.offsets[i - 1])
            disturbed += Self.disturbedDays(week, at: zone.times[i], before: before, after: Int(zone.offsets[i]))
        }
        self.disturbedDays = Array(Set(disturbed)).sorted()
        self.ruleDisturbs = zone.footer.map { Self.ruleDisturbs(week, $0) } ?? false
    }

    /// Ranges clamped to 00:00-24:00, empty ones dropped, sorted, overlapping
    /// or touching ones merged.
    static func tidy(_ ranges: [ClockRange]) -> [ClockRange] {
        var merged: [ClockRange] = []
        let sorted = ranges
            .map { ClockRange(from: min(max($0.from, 0), 1440), to: min(max($0.to, 0), 1440)) }
            .filter { $0.from < $0.to }
            .sorted { $0.from < $1.from }
        for r in sorted {
            if let last = merged.last, r.from <= last.to {
                merged[merged.count - 1].to = max(last.to, r.to)
            } else {
                merged.append(r)
            }
        }
        return merged
    }

    /// A calendar, or what is wrong with its hours in words: a range that is
    /// not within 00:00-24:00, empty or reversed, or overlapping another.
    package static func make(open: [Weekday: [ClockRange]], zone: ZoneInfo, closedDates: Set<Int>) -> Result<BusinessCalendar, TextError> {
        make(open: open, zone: zone, closedRuns: closedDates.map { $0...$0 })
    }

    static func make(open: [Weekday: [ClockRange]], zone: ZoneInfo, closedRuns: [ClosedRange<Int>]) -> Result<BusinessCalendar, TextError> {
        for day in Weekday.allCases {
            let name = Self.dayName(day.rawValue - 1)
            let ranges = (open[day] ?? []).sorted { ($0.from, $0.to) < ($1.from, $1.to) }
            for r in ranges {
                guard (0...1440).contains(r.from), (0...1440).contains(r.to) else {
                    return .failure(TextError("opening hours \(r) on \(name) are not within a day; use times from 00:00 to 24:00"))
                }
                if r.from == r.to {
                    return .failure(TextError("opening hours \(r) on \(name) are empty: they close when they open"))
                }
                if r.from > r.to {
                    return .failure(TextError("opening hours \(r) on \(name) end before they start; hours cannot pass midnight, "
                                              + "so write \(ClockRange(from: r.from, to: 1440)) and \(ClockRange(from: 0, to: r.to)) on the next day"))
                }
            }
            for k in ranges.indices.dropFirst() where ranges[k].from < ranges[k - 1].to {
                return .failure(TextError("opening hours \(ranges[k - 1]) and \(ranges[k]) on \(name) overlap"))
            }
        }
        return .success(BusinessCalendar(open: open, zone: zone, closedRuns: closedRuns))
    }

    /// The calendar a policy declares, with its zone already loaded (the
    /// `time zone` line is read by the caller). `open mon-fri 09:00-17:30`
    /// covers Monday to Friday inclusive; `fri-mon` wraps over the weekend;
    /// `closed A to B` closes both dates and every date between.
    package static func from(_ decl: CalendarDecl, zone: ZoneInfo) -> Result<BusinessCalendar, TextError> {
        // The rules are the checker's (`CalendarValidation`), stated once.
        if let problem = CalendarValidation.problems(decl).first { return .failure(TextError(problem.message)) }
        var open: [Weekday: [ClockRange]] = [:]
        var closed: [ClosedRange<Int>] = []
        var seasons: [Season] = []
        for entry in decl.entries {
            switch entry {
            case .open(let days, let hours, _):
                for day in days.flatMap(CalendarValidation.days) {
                    for h in hours { open[day, default: []].append(ClockRange(from: h.from.minutes, to: h.to.minutes)) }
                }
            case .seasonal(let days, let hours, let season, _):
                var week = Array(repeating: [ClockRange](), count: 7)
                for day in days.flatMap(CalendarValidation.days) {
                    for h in hours { week[day.rawValue - 1].append(ClockRange(from: h.from.minutes, to: h.to.minutes)) }
                }
                let first = Self.dayNumber(season.first)
                let last = max(first, season.last.map(Self.dayNumber) ?? first)
                seasons.append(Season(days: first...last, week: week.map(Self.tidy)))
            case .timeZone:
                continue
            case .closed(let dates, _):
                for date in dates {
                    let first = Self.dayNumber(date.first)
                    closed.append(first...max(first, date.last.map(Self.dayNumber) ?? first))
                }
            }
        }
        var calendar = BusinessCalendar(open: open, zone: zone, closedRuns: closed)
        calendar.seasons = seasons.sorted { $0.days.lowerBound < $1.days.lowerBound }
        return .success(calendar)
    }

    // MARK: - What the calendar says

    /// The hours of a local day that is not closed: its weekday's, with those
    /// of every season that holds the day merged in.
    @inline(__always)
    func openHours(_ day: Int) -> [ClockRange] {
        let regular = week[Self.weekdayIndex(day)]
        if seasons.isEmpty { return regular }
        var extra: [ClockRange] = []
        for s in seasons where s.days.contains(day) { extra += s.week[Self.weekdayIndex(day)] }
        return extra.isEmpty ? regular : Self.tidy(regular + extra)
    }

    /// The hours of a local day: none when it is closed.
    func hours(of day: Int) -> [ClockRange] {
        closedRun(containing: day) == nil ? openHours(day) : []
    }

    /// The first day at or after `day` that breaks the weekly pattern by
    /// its dates: closed, or in a season.
    func nextIrregularDay(from day: Int) -> Int? {
        var best = nextClosedDay(from: day)
        for s in seasons where s.days.upperBound >= day {
            let d = max(s.days.lowerBound, day)
            if best.map({ d < $0 }) ?? true { best = d }
        }
        return best
    }

    /// Opening hours by weekday, as the calendar uses them.
    package var open: [Weekday: [ClockRange]] {
        var result: [Weekday: [ClockRange]] = [:]
        for day in Weekday.allCases where !week[day.rawValue - 1].isEmpty { result[day] = week[day.rawValue - 1] }
        return result
    }

    /// Closed dates as inclusive runs of day numbers.
    package var closedPeriods: [ClosedRange<Int>] { closed }

    /// Whether the calendar is open at a UTC instant.
    package func isOpen(at instant: Int64) -> Bool {
        let t = Self.clamp(instant)
        let today = localDay(of: t)
        for day in (today - 1)...(today + 1) where closedRun(containing: day) == nil {
            for r in openHours(day) where utc(day, r.from) <= t && t < utc(day, r.to) {
                return true
            }
        }
        return false
    }

    /// The first instant at or after `instant` when the calendar is open:
    /// `instant` itself when open now; nil when it never opens.
    package func nextOpening(after instant: Int64) -> Int64? {
        addBusinessSeconds(0, to: instant)
    }

    // MARK: - Days and instants

    /// Instants are kept within ±2^40 seconds (about 35,000 years) of 1970.
    static func clamp(_ t: Int64) -> Int64 { min(max(t, -(1 << 40)), 1 << 40) }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// The local day number of a UTC instant.
    func localDay(of t: Int64) -> Int { Int(Self.floorDiv(t + Int64(zone.offset(atUTC: t)), 86_400)) }

    /// The UTC instant of a local minute of a local day.
    func utc(_ day: Int, _ minute: Int) -> Int64 { zone.utc(fromLocal: Int64(day) * 86_400 + Int64(minute) * 60) }

    /// 0 for Monday ... 6 for Sunday.
    static func weekdayIndex(_ day: Int) -> Int { Civil.weekday(days: day) - 1 }

    static func dayName(_ index: Int) -> String {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][min(max(index, 0), 6)]
    }

    static func dayNumber(_ date: TimestampLiteral) -> Int {
        Civil.days(year: min(max(date.year, -1_000_000), 1_000_000), month: min(max(date.month, 1), 12),
                   day: min(max(date.day, 1), 31))
    }

    // MARK: - Closed dates

    static func mergeRuns(_ runs: [ClosedRange<Int>]) -> [ClosedRange<Int>] {
        let bound = 1 << 33  // far beyond any clamped instant's day
        var merged: [ClosedRange<Int>] = []
        for run in runs.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            guard run.upperBound >= -bound, run.lowerBound <= bound else { continue }
            let r = max(run.lowerBound, -bound)...min(run.upperBound, bound)
            if let last = merged.last, r.lowerBound <= last.upperBound + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        return merged
    }

    /// The closed run a day is in, if any.
    func closedRun(containing day: Int) -> ClosedRange<Int>? {
        guard let i = firstRun(endingAtOrAfter: day), closed[i].lowerBound <= day else { return nil }
        return closed[i]
    }

    /// The first closed date at or after `day`.
    func nextClosedDay(from day: Int) -> Int? {
        firstRun(endingAtOrAfter: day).map { max(closed[$0].lowerBound, day) }
    }

    private func firstRun(endingAtOrAfter day: Int) -> Int? {
        var low = 0, high = closed.count
        while low < high {
            let mid = (low + high) / 2
            if closed[mid].upperBound < day { low = mid + 1 } else { high = mid }
        }
        return low < closed.count ? low : nil
    }
}
