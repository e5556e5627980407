/// Open time between two instants: how a margin is counted when the
/// deadline is in business time (Grammar.md §8, "Progress").
extension BusinessCalendar {
    /// The seconds the calendar is open between `a` and `b` (0 when `b` is
    /// not after `a`). Days wholly between them count their ordinary length,
    /// whole weeks at a time when no closed date or clock change lies in
    /// them; the days at either end, closed dates and days the clocks change
    /// are worked out interval by interval, as deadlines are.
    package func openSeconds(from a: Int64, to b: Int64) -> Int64 {
        let a = Self.clamp(a), b = Self.clamp(b)
        guard b > a, weekSeconds > 0 else { return 0 }
        let firstDay = localDay(of: a), endDay = localDay(of: b)
        var total: Int64 = 0
        var day = firstDay - 1 // the day before too: its hours may reach past a clock change
        var event: Int?
        var eventKnown = false
        var walked = 0
        while day <= endDay + 1 && walked <= Self.maxWalkedDays {
            if day > firstDay && day < endDay {
                // Every day from here to endDay (excluded) lies wholly between a and b.
                if !eventKnown || event.map({ day > $0 }) ?? false {
                    event = nextEventDay(from: day)
                    eventKnown = true
                }
                let inner = endDay - day
                let free = event.map { $0 - day } ?? inner
                let weeks = min(free, inner) / 7
                if weeks > 0 {
                    total += Int64(weeks) * weekSeconds
                    day += 7 * weeks
                    continue
                }
                if event.map({ day < $0 }) ?? true {
                    total += daySeconds[Self.weekdayIndex(day)]
                    day += 1
                    walked += 1
                    continue
                }
            }
            if let run = closedRun(containing: day) {
                day = run.upperBound + 1
                walked += 1
                continue
            }
            for r in week[Self.weekdayIndex(day)] {
                let from = max(utc(day, r.from), a)
                let to = min(utc(day, r.to), b)
                if to > from { total += to - from }
            }
            day += 1
            walked += 1
        }
        return total
    }
}
