/// The arithmetic of business time: walking a calendar's open intervals day by
/// day near the start and the end of a span, and skipping whole weeks in
/// between when nothing in them can differ from an ordinary week (no closed
/// date, no clock change inside or at the edge of open hours). The semantics
/// are described on `BusinessCalendar`.
extension BusinessCalendar {
    /// At most this many days are examined one by one in a single call.
    static let maxWalkedDays = 1_000_000
    /// No deadline is sought further than this many days from the start.
    static let maxSpanDays = 10_000_000

    // MARK: - Public operations

    /// The deadline `hours` business hours after `start` (UTC seconds), or nil.
    package func addBusinessHours(_ hours: Int64, to start: Int64) -> Int64? {
        let (seconds, overflow) = hours.multipliedReportingOverflow(by: 3_600)
        return overflow ? nil : addBusinessSeconds(seconds, to: start)
    }

    /// The deadline `seconds` of open time after `start` (UTC seconds), or nil.
    package func addBusinessSeconds(_ seconds: Int64, to start: Int64) -> Int64? {
        var trace = Trace(enabled: false)
        return addOpenTime(seconds, from: start, trace: &trace)
    }

    /// The deadline `days` business days after `start` (UTC seconds), or nil.
    package func addBusinessDays(_ days: Int64, to start: Int64) -> Int64? {
        var trace = Trace(enabled: false)
        return addOpenDays(days, from: start, trace: &trace)
    }

    // MARK: - Business hours

    func addOpenTime(_ amount: Int64, from start: Int64, trace: inout Trace) -> Int64? {
        guard weekSeconds > 0, amount >= 0, Self.clamp(start) == start else { return nil }
        let s = start
        let startDay = localDay(of: s)
        let lastDay = startDay + Self.maxSpanDays
        var remaining = amount
        var cursor = s  // nothing before this instant counts
        var day = startDay - 1  // the day before too: its hours may reach past a clock change
        var walked = 0
        // The next day that is closed or has a clock change in open hours; it
        // stays right for every day up to itself (nil: no such day ever).
        var event: Int?
        var eventKnown = false
        while day <= lastDay && walked <= Self.maxWalkedDays {
            if walked >= 2 {
                // Every day from here on lies wholly after the cursor.
                if !eventKnown || event.map({ day > $0 }) ?? false {
                    event = nextEventDay(from: day)
                    eventKnown = true
                }
                let free = event.map { ($0 - day) / 7 } ?? Int.max / 16
                let weeks = min(free, Int((remaining - 1) / weekSeconds))
                if weeks > 0 {
                    guard weeks <= (lastDay - day) / 7 else { return nil }
                    let seconds = Int64(weeks) * weekSeconds
                    trace.add(.skipped(first: day, last: day + 7 * weeks - 1, amount: seconds))
                    remaining -= seconds
                    day += 7 * weeks
                }
                // An ordinary day that does not hold the deadline counts whole,
                // without converting its hours (explanations walk it instead).
                let length = daySeconds[Self.weekdayIndex(day)]
                if !trace.enabled && (event.map { day < $0 } ?? true) && remaining > length {
                    remaining -= length
                    day += 1
                    walked += 1
                    continue
                }
            }
            if let run = closedRun(containing: day) {
                if run.upperBound >= startDay {
                    trace.add(.closed(first: max(day, startDay), last: min(run.upperBound, lastDay), reason: .closedDate))
                }
                day = run.upperBound + 1
                walked += 1
                continue
            }
            let ranges = openHours(day)
            if ranges.isEmpty && day >= startDay {
                trace.add(.closed(first: day, last: day, reason: Self.reasonWithoutHours(day)))
            }
            for r in ranges {
                let from = max(utc(day, r.from), cursor)
                let to = utc(day, r.to)
                if to <= from { continue }
                if remaining <= to - from {
                    trace.add(.worked(day: day, from: from, to: from + remaining, deadline: true))
                    return from + remaining
                }
                trace.add(.worked(day: day, from: from, to: to, deadline: false))
                remaining -= to - from
                cursor = to
            }
            day += 1
            walked += 1
        }
        return nil
    }

    // MARK: - Business days

    /// Where a start falls relative to its own local day's hours.
    enum StartPosition: Equatable {
        /// Between the day's first opening and last closing.
        case during
        /// On an open day, before its first opening.
        case beforeOpening
        /// After the day's last closing, or on a day that is not open.
        case after
    }

    func startPosition(_ s: Int64) -> (position: StartPosition, day: Int, timeOfDay: Int64) {
        let local = s + Int64(zone.offset(atUTC: s))
        let day = Int(Self.floorDiv(local, 86_400))
        let timeOfDay = local - Int64(day) * 86_400
        let ranges = hours(of: day)
        guard let first = ranges.first, let last = ranges.last else { return (.after, day, timeOfDay) }
        if timeOfDay < Int64(first.from) * 60 { return (.beforeOpening, day, timeOfDay) }
        if timeOfDay < Int64(last.to) * 60 { return (.during, day, timeOfDay) }
        return (.after, day, timeOfDay)
    }

    func addOpenDays(_ amount: Int64, from start: Int64, trace: inout Trace) -> Int64? {
        guard openWeekdays > 0, amount >= 0, Self.clamp(start) == start else { return nil }
        let s = start
        if amount == 0 { return addOpenTime(0, from: s, trace: &trace) }
        let (position, startDay, timeOfDay) = startPosition(s)
        let firstCounted = position == .beforeOpening ? startDay : startDay + 1
        guard let target = nthOpenDay(amount, from: firstCounted, trace: &trace) else { return nil }
        let ranges = hours(of: target)
        // INVARIANT: nthOpenDay only returns days that have hours.
        guard let last = ranges.last else { return nil }
        let time = position == .during ? Self.clampIntoHours(timeOfDay, ranges) : Int64(last.to) * 60
        return zone.utc(fromLocal: Int64(target) * 86_400 + time)
    }

    /// The `n`th open day counting `from` as the first candidate.
    func nthOpenDay(_ n: Int64, from firstDay: Int, trace: inout Trace) -> Int? {
        let lastDay = firstDay + Self.maxSpanDays
        let perWeek = Int64(openWeekdays)
        var remaining = n
        var day = firstDay
        var walked = 0
        while day <= lastDay && walked <= Self.maxWalkedDays {
            if let run = closedRun(containing: day) {
                trace.add(.closed(first: day, last: min(run.upperBound, lastDay), reason: .closedDate))
                day = run.upperBound + 1
                walked += 1
                continue
            }
            let free = nextIrregularDay(from: day).map { ($0 - day) / 7 } ?? Int.max / 16
            let weeks = min(free, Int((remaining - 1) / perWeek))
            if weeks > 0 {
                guard weeks <= (lastDay - day) / 7 else { return nil }
                trace.add(.skipped(first: day, last: day + 7 * weeks - 1, amount: Int64(weeks) * perWeek))
                remaining -= Int64(weeks) * perWeek
                day += 7 * weeks
                continue
            }
            if openHours(day).isEmpty {
                trace.add(.closed(first: day, last: day, reason: Self.reasonWithoutHours(day)))
            } else {
                remaining -= 1
                trace.add(.counted(day: day, number: n - remaining))
                if remaining == 0 { return day }
            }
            day += 1
            walked += 1
        }
        return nil
    }

    /// A local time of day (seconds) moved into a day's hours: after the last
    /// close to that close, before the first opening to that opening, in a
    /// break to the end of the interval before it.
    static func clampIntoHours(_ time: Int64, _ ranges: [ClockRange]) -> Int64 {
        for (i, r) in ranges.enumerated() {
            if time < Int64(r.from) * 60 { return i == 0 ? Int64(r.from) * 60 : Int64(ranges[i - 1].to) * 60 }
            if time < Int64(r.to) * 60 { return time }
        }
        return Int64(ranges.last?.to ?? 0) * 60
    }

    // MARK: - Days that break the weekly pattern

    /// The first day at or after `day` that is closed or on which the clocks
    /// change in or at the edge of open hours; nil when there is none.
    func nextEventDay(from day: Int) -> Int? {
        var best = nextIrregularDay(from: day)
        func consider(_ d: Int) { if best.map({ d < $0 }) ?? true { best = d } }
        var low = 0, high = disturbedDays.count
        while low < high {
            let mid = (low + high) / 2
            if disturbedDays[mid] < day { low = mid + 1 } else { high = mid }
        }
        if low < disturbedDays.count { consider(disturbedDays[low]) }
        if ruleDisturbs {
            var t = max(Int64(day) * 86_400 - 3 * 86_400, zone.times.last ?? Int64.min)
            var found = false
            for _ in 0..<8 {
                guard let change = zone.transition(after: t) else { found = true; break }
                let lastTouched = Int(Self.floorDiv(change.at + Int64(max(change.before, change.after)), 86_400))
                if lastTouched >= day {
                    let firstTouched = Int(Self.floorDiv(change.at + Int64(min(change.before, change.after)), 86_400)) - 1
                    consider(max(day, firstTouched))
                    found = true
                    break
                }
                t = change.at
            }
            if !found { consider(day) }
        }
        return best
    }

    /// The days whose open intervals a change of offset at `t` touches: the
    /// local times it skips or repeats meet an interval (ends included).
    static func disturbedDays(_ week: [[ClockRange]], at t: Int64, before: Int, after: Int) -> [Int] {
        guard before != after else { return [] }
        let low = t + Int64(min(before, after))
        let high = t + Int64(max(before, after))
        var days: [Int] = []
        for day in (floorDiv(low, 86_400) - 1)...floorDiv(high, 86_400) {
            let midnight = day * 86_400
            let touched = week[weekdayIndex(Int(day))].contains { r in
                low <= midnight + Int64(r.to) * 60 && high >= midnight + Int64(r.from) * 60
            }
            if touched { days.append(Int(day)) }
        }
        return days
    }

    /// Whether a closing rule's changes (at whatever weekday they fall) can
    /// touch open hours: their local windows compared with every day's hours.
    static func ruleDisturbs(_ week: [[ClockRange]], _ rule: PosixTZ) -> Bool {
        guard let daylight = rule.daylight, daylight != rule.standard else { return false }
        let delta = Int64(daylight - rule.standard)
        let windows = [(Int64(rule.startTime) + min(0, delta), abs(delta)),
                       (Int64(rule.endTime) + min(0, -delta), abs(delta))]
        for (start, length) in windows {
            if length >= 86_400 { return true }
            let low = ((start % 86_400) + 86_400) % 86_400
            let high = low + length
            for ranges in week {
                for r in ranges {
                    for shift in Int64(-1)...1 {
                        let from = Int64(r.from) * 60 + shift * 86_400
                        let to = Int64(r.to) * 60 + shift * 86_400
                        if low <= to && high >= from { return true }
                    }
                }
            }
        }
        return false
    }

    static func reasonWithoutHours(_ day: Int) -> Trace.Reason {
        weekdayIndex(day) >= 5 ? .weekend : .noHours
    }
}

// MARK: - Traces

/// A Trace records the steps of a computation for `amends explain`; when not
/// enabled it records nothing and costs nothing.
struct Trace {
    /// Why a day is closed.
    enum Reason: Equatable {
        case weekend, noHours, closedDate
    }

    /// A Step is one thing the walk did.
    enum Step {
        /// Open time used on a local day, between two UTC instants.
        case worked(day: Int, from: Int64, to: Int64, deadline: Bool)
        /// Closed local days, inclusive.
        case closed(first: Int, last: Int, reason: Reason)
        /// Whole weeks skipped: `amount` is open seconds (hours) or open days.
        case skipped(first: Int, last: Int, amount: Int64)
        /// An open day counted as business day `number`.
        case counted(day: Int, number: Int64)
    }

    let enabled: Bool
    var steps: [Step] = []

    init(enabled: Bool) { self.enabled = enabled }

    mutating func add(_ step: @autoclosure () -> Step) {
        if enabled { steps.append(step()) }
    }
}
