/// A PosixTZ is the rule a TZif file ends with (its "footer"), a POSIX `TZ`
/// string such as `GMT0BST,M3.5.0/1,M10.5.0`, `EST5EDT,M3.2.0,M11.1.0`,
/// `<+03>-3` or `CET-1CEST,M3.5.0,M10.5.0/3`. It gives the offset for every
/// instant after the file's last transition (RFC 8536 section 3.3).
///
/// Offsets are kept as seconds EAST of UTC (the POSIX text counts west, so the
/// sign is flipped on reading). Rule times may be negative or above 24 hours,
/// up to ±167 hours, as RFC 8536 (version 3) allows.
struct PosixTZ: Sendable, Equatable {
    /// A RuleDate is the day of the year a change happens on.
    enum RuleDate: Sendable, Equatable {
        /// `Jn`: day 1...365, February 29 never counted.
        case julian(Int)
        /// `n`: day 0...365, counting February 29 in leap years.
        case zeroBased(Int)
        /// `Mm.w.d`: weekday `d` (0 = Sunday) of week `w` (5 = last) of month `m`.
        case month(Int, week: Int, weekday: Int)
    }

    /// Standard time's offset, seconds east of UTC.
    var standard: Int
    /// Daylight time's offset; nil for a zone without daylight time.
    var daylight: Int?
    var start: RuleDate = .month(3, week: 2, weekday: 0)
    /// Seconds after local (standard) midnight of the start day.
    var startTime: Int = 7_200
    var end: RuleDate = .month(11, week: 1, weekday: 0)
    /// Seconds after local (daylight) midnight of the end day.
    var endTime: Int = 7_200

    // MARK: - Offsets

    /// The offset in effect at a UTC instant.
    func offset(atUTC t: Int64) -> Int {
        guard let daylight else { return standard }
        return inDaylight(atUTC: t) ? daylight : standard
    }

    /// Whether daylight time is in effect at `t`: the latest change at or
    /// before `t` among the neighbouring years decides. A start and an end at
    /// the same instant (the RFC's "daylight all year") leave daylight in force.
    func inDaylight(atUTC t: Int64) -> Bool {
        let year = Self.year(ofLocal: t &+ Int64(standard))
        var best = Int64.min
        var bestIsDaylight = false
        var earliest = Int64.max
        var earliestIsDaylight = false
        for y in (year - 1)...(year + 1) {
            let (s, e) = changes(inYear: y)
            // The end first, so that a start at the same instant wins the tie.
            if e <= t && e > best { best = e; bestIsDaylight = false }
            if s <= t && s >= best { best = s; bestIsDaylight = true }
            if e < earliest { earliest = e; earliestIsDaylight = false }
            if s < earliest { earliest = s; earliestIsDaylight = true }
        }
        if best != Int64.min { return bestIsDaylight }
        // Every change found is after `t`: the state is the opposite of the first.
        return !earliestIsDaylight
    }

    /// The first instant after `t` at which the offset really changes, or nil
    /// when it never does (no daylight time, or daylight all year).
    func nextChange(after t: Int64) -> Int64? {
        guard daylight != nil else { return nil }
        var after = t
        // A real change happens at least once a year; a few steps suffice.
        for _ in 0..<4 {
            let year = Self.year(ofLocal: after &+ Int64(standard))
            var next = Int64.max
            for y in (year - 1)...(year + 2) {
                let (s, e) = changes(inYear: y)
                if s > after && s < next { next = s }
                if e > after && e < next { next = e }
            }
            guard next != Int64.max else { return nil }
            if offset(atUTC: next &- 1) != offset(atUTC: next) { return next }
            after = next
        }
        return nil
    }

    /// The changes of these years, worked out once (`rememberChanges`):
    /// start and end of year `firstRemembered + i` at `2i` and `2i + 1`.
    var remembered: [Int64] = []
    var firstRemembered = 0
    /// The last year remembered: instants are written up to 9999.
    static let rememberedUntil = 10_000

    /// Works out the changes of `years` once, for `changes(inYear:)`.
    mutating func rememberChanges(years: ClosedRange<Int>) {
        guard daylight != nil, years.count <= 20_000 else { return }
        var table: [Int64] = []
        table.reserveCapacity(2 * years.count)
        for y in years {
            let (s, e) = computeChanges(inYear: y)
            table.append(s)
            table.append(e)
        }
        remembered = table
        firstRemembered = years.lowerBound
    }

    /// The UTC instants daylight time starts and ends in a year.
    @inline(__always)
    func changes(inYear year: Int) -> (start: Int64, end: Int64) {
        let i = (year &- firstRemembered) &* 2
        if i >= 0 && i + 1 < remembered.count { return (remembered[i], remembered[i + 1]) }
        return computeChanges(inYear: year)
    }

    func computeChanges(inYear year: Int) -> (start: Int64, end: Int64) {
        let startDay = Int64(Self.day(of: start, inYear: year))
        let endDay = Int64(Self.day(of: end, inYear: year))
        let s = startDay * 86_400 + Int64(startTime) - Int64(standard)
        let e = endDay * 86_400 + Int64(endTime) - Int64(daylight ?? standard)
        return (s, e)
    }

    /// The day number (days since 1970-01-01) a rule date falls on in a year.
    static func day(of date: RuleDate, inYear year: Int) -> Int {
        let jan1 = Civil.days(year: year, month: 1, day: 1)
        switch date {
        case .julian(let n):
            return jan1 + n - 1 + (Civil.isLeap(year) && n >= 60 ? 1 : 0)
        case .zeroBased(let n):
            return jan1 + n
        case .month(let m, let week, let weekday):
            let first = Civil.days(year: year, month: m, day: 1)
            let firstWeekday = Civil.weekday(days: first) % 7  // Sunday 0 ... Saturday 6
            var d = first + (weekday - firstWeekday + 7) % 7 + (week - 1) * 7
            let length = Civil.daysInMonth(year, m)
            while d >= first + length { d -= 7 }
            return d
        }
    }

    /// The civil year of a local time in seconds since 1970.
    static func year(ofLocal t: Int64) -> Int {
        // Callers clamp instants to a few hundred thousand years, so this fits.
        let days = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
        return Civil.date(days: Int(days)).year
    }

    // MARK: - Parsing

    /// Reads a POSIX TZ string; nil when it is not one.
    static func parse(_ text: [UInt8]) -> PosixTZ? {
        var reader = Reader(bytes: text)
        guard reader.name(), let std = reader.offset(maxHours: 25) else { return nil }
        var rule = PosixTZ(standard: -std, daylight: nil)
        if reader.atEnd { return rule }
        guard reader.name() else { return nil }
        rule.daylight = rule.standard + 3_600
        if !reader.atEnd && reader.peek != UInt8(ascii: ",") {
            guard let dst = reader.offset(maxHours: 25) else { return nil }
            rule.daylight = -dst
        }
        if reader.atEnd { return rule }  // no rule written: the US rule, as POSIX systems assume
        guard reader.take(UInt8(ascii: ",")), let start = reader.date() else { return nil }
        rule.start = start
        if reader.take(UInt8(ascii: "/")) {
            guard let time = reader.offset(maxHours: 167) else { return nil }
            rule.startTime = time
        }
        guard reader.take(UInt8(ascii: ",")), let end = reader.date() else { return nil }
        rule.end = end
        if reader.take(UInt8(ascii: "/")) {
            guard let time = reader.offset(maxHours: 167) else { return nil }
            rule.endTime = time
        }
        return reader.atEnd ? rule : nil
    }

    /// A Reader walks a TZ string byte by byte.
    private struct Reader {
        let bytes: [UInt8]
        var i = 0

        var atEnd: Bool { i >= bytes.count }
        var peek: UInt8 { i < bytes.count ? bytes[i] : 0 }

        mutating func take(_ c: UInt8) -> Bool {
            if peek == c && !atEnd { i += 1; return true }
            return false
        }

        /// A zone abbreviation: letters, or anything alphanumeric, `+` or `-` in `<...>`.
        mutating func name() -> Bool {
            let begin = i
            if take(UInt8(ascii: "<")) {
                while !atEnd, peek != UInt8(ascii: ">") {
                    let c = peek
                    guard Self.isAlnum(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") else { return false }
                    i += 1
                }
                return take(UInt8(ascii: ">")) && i - begin > 2
            }
            while !atEnd, Self.isAlpha(peek) { i += 1 }
            return i > begin
        }

        /// `[+-]hh[:mm[:ss]]` in seconds (the sign as written).
        mutating func offset(maxHours: Int) -> Int? {
            var sign = 1
            if take(UInt8(ascii: "-")) { sign = -1 } else { _ = take(UInt8(ascii: "+")) }
            guard let h = number(maxDigits: 3), h <= maxHours else { return nil }
            var total = h * 3_600
            if take(UInt8(ascii: ":")) {
                guard let m = number(maxDigits: 2), m <= 59 else { return nil }
                total += m * 60
                if take(UInt8(ascii: ":")) {
                    guard let s = number(maxDigits: 2), s <= 59 else { return nil }
                    total += s
                }
            }
            return sign * total
        }

        /// `Jn`, `n` or `Mm.w.d`.
        mutating func date() -> RuleDate? {
            if take(UInt8(ascii: "J")) {
                guard let n = number(maxDigits: 3), (1...365).contains(n) else { return nil }
                return .julian(n)
            }
            if take(UInt8(ascii: "M")) {
                guard let m = number(maxDigits: 2), (1...12).contains(m), take(UInt8(ascii: ".")),
                      let w = number(maxDigits: 1), (1...5).contains(w), take(UInt8(ascii: ".")),
                      let d = number(maxDigits: 1), (0...6).contains(d) else { return nil }
                return .month(m, week: w, weekday: d)
            }
            guard let n = number(maxDigits: 3), (0...365).contains(n) else { return nil }
            return .zeroBased(n)
        }

        mutating func number(maxDigits: Int) -> Int? {
            var value = 0
            var count = 0
            while count < maxDigits, !atEnd, peek >= 48, peek <= 57 {
                value = value * 10 + Int(peek - 48)
                count += 1
                i += 1
            }
            return count > 0 ? value : nil
        }

        static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 }
        static func isAlnum(_ c: UInt8) -> Bool { isAlpha(c) || (c >= 48 && c <= 57) }
    }
}
