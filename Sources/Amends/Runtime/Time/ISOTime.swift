/// ISOTime reads and writes ISO 8601 timestamps quickly, without allocating:
/// it runs once per record.
///
/// Accepted: `YYYY-MM-DD`, optionally followed by `T` (or `t`, or a space) and
/// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fraction` (a comma works too; the
/// fraction is dropped), then optionally `Z`, `+HH:MM`, `+HHMM` or `+HH`.
/// A second of 60 (a leap second) reads as 59. Written: always
/// `YYYY-MM-DDTHH:MM:SSZ`, in UTC.
public enum ISOTime {
    // MARK: - Parsing

    /// With an offset (or `Z`): UTC seconds and `hasOffset` true. Without one:
    /// naive local seconds since 1970-01-01T00:00 and false. Nil when the text
    /// is not such a timestamp or names no such date or time.
    public static func parseLocalOrUTC<C: Collection>(_ bytes: C) -> (seconds: Int64, hasOffset: Bool)? where C.Element == UInt8 {
        if let result = bytes.withContiguousStorageIfAvailable({ parse(buffer: $0) }) { return result }
        guard bytes.count <= 64 else { return nil }
        return Array(bytes).withUnsafeBufferPointer { parse(buffer: $0) }
    }

    static func parse(buffer b: UnsafeBufferPointer<UInt8>) -> (seconds: Int64, hasOffset: Bool)? {
        if b.count == 20, let t = parseUTC(b) { return (t, true) }
        var c = Cursor(b: b)
        guard let year = c.digits(4), c.take(45), let month = c.digits(2), c.take(45), let day = c.digits(2),
              (1...12).contains(month), day >= 1, day <= Civil.daysInMonth(year, month) else { return nil }
        let midnight = Int64(Civil.days(year: year, month: month, day: day)) * 86_400
        if c.atEnd { return (midnight, false) }
        guard c.take(UInt8(ascii: "T")) || c.take(UInt8(ascii: "t")) || c.take(UInt8(ascii: " ")) else { return nil }
        guard let hour = c.digits(2), c.take(58), let minute = c.digits(2), hour <= 23, minute <= 59 else { return nil }
        var second = 0
        if c.take(58) {
            guard let s = c.digits(2), s <= 60 else { return nil }
            second = min(s, 59)
            if c.take(UInt8(ascii: ".")) || c.take(UInt8(ascii: ",")) {
                let first = c.i
                while c.i < b.count, b[c.i] >= 48, b[c.i] <= 57 { c.i += 1 }
                guard c.i > first else { return nil }
            }
        }
        let local = midnight + Int64(hour * 3_600 + minute * 60 + second)
        if c.atEnd { return (local, false) }
        if c.take(UInt8(ascii: "Z")) || c.take(UInt8(ascii: "z")) {
            return c.atEnd ? (local, true) : nil
        }
        let negative: Bool
        if c.take(UInt8(ascii: "+")) { negative = false } else if c.take(UInt8(ascii: "-")) { negative = true } else { return nil }
        guard let offsetHours = c.digits(2) else { return nil }
        var offsetMinutes = 0
        if c.take(58) {
            guard let m = c.digits(2) else { return nil }
            offsetMinutes = m
        } else if !c.atEnd {
            guard let m = c.digits(2) else { return nil }
            offsetMinutes = m
        }
        guard c.atEnd, offsetHours <= 18, offsetMinutes <= 59 else { return nil }
        let offset = Int64(offsetHours * 3_600 + offsetMinutes * 60)
        return (negative ? local + offset : local - offset, true)
    }

    /// Why a text shaped like a timestamp names no time, as the end of
    /// "which is not …": a day the month does not have, a month past 12, an
    /// hour past 23. Nil when the text is not shaped like one.
    package static func problem(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        var c = Cursor(b: b)
        guard let year = c.digits(4), c.take(45), let month = c.digits(2), c.take(45), let day = c.digits(2) else { return nil }
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December"]
        guard (1...12).contains(month) else { return "a date: there is no month \(month) (months go from 01 to 12)" }
        let days = Civil.daysInMonth(year, month)
        guard day >= 1, day <= days else { return "a date that exists: \(months[month - 1]) \(year) has \(days) days" }
        guard c.take(UInt8(ascii: "T")) || c.take(UInt8(ascii: "t")) || c.take(UInt8(ascii: " ")),
              let hour = c.digits(2), c.take(58), let minute = c.digits(2) else { return nil }
        if hour > 23 { return "a time of day that exists: hours go from 00 to 23 (midnight is 00:00 of the next day)" }
        if minute > 59 { return "a time of day that exists: minutes go from 00 to 59" }
        return nil
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` exactly, the form nearly every export uses:
    /// all digits and separators checked at once, eight bytes at a time.
    /// Nil for anything else (which the general reader then reads).
    @inline(__always)
    static func parseUTC(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard b.count == 20, let base = b.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        // Bytes 0-7 `YYYY-MM-`, 8-15 `DDTHH:MM`, 12-19 `HH:MM:SSZ`'s tail.
        let a = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        let m = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let z = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt64.self))
        // Separators where they belong (- - T : : Z).
        guard a & 0xFF00_00FF_0000_0000 == 0x2D00_002D_0000_0000,
              m & 0x0000_FF00_00FF_0000 == 0x0000_3A00_0054_0000,
              z & 0xFF00_00FF_0000_0000 == 0x5A00_003A_0000_0000 else { return nil }
        func digit(_ i: Int) -> Int? {
            let d = Int(b[i]) &- 48
            return d >= 0 && d <= 9 ? d : nil
        }
        guard let y0 = digit(0), let y1 = digit(1), let y2 = digit(2), let y3 = digit(3),
              let mo0 = digit(5), let mo1 = digit(6), let d0 = digit(8), let d1 = digit(9),
              let h0 = digit(11), let h1 = digit(12), let mi0 = digit(14), let mi1 = digit(15),
              let s0 = digit(17), let s1 = digit(18) else { return nil }
        let year = y0 * 1000 + y1 * 100 + y2 * 10 + y3
        let month = mo0 * 10 + mo1, day = d0 * 10 + d1
        let hour = h0 * 10 + h1, minute = mi0 * 10 + mi1, second = min(s0 * 10 + s1, 59)
        guard month >= 1 && month <= 12, day >= 1, day <= Civil.daysInMonth(year, month),
              hour <= 23, minute <= 59, s0 * 10 + s1 <= 60 else { return nil }
        return Int64(Civil.days(year: year, month: month, day: day)) * 86_400 + Int64(hour * 3_600 + minute * 60 + second)
    }

    /// A read position in a timestamp's bytes.
    struct Cursor {
        let b: UnsafeBufferPointer<UInt8>
        var i = 0

        var atEnd: Bool { i == b.count }

        /// `n` decimal digits as a number, or nil (and no move).
        @inline(__always)
        mutating func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var value = 0
            for k in i..<(i + n) {
                guard b[k] >= 48 && b[k] <= 57 else { return nil }
                value = value * 10 + Int(b[k] - 48)
            }
            i += n
            return value
        }

        /// Steps over `c` if it is next.
        @inline(__always)
        mutating func take(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
    }

    // MARK: - Writing

    /// The earliest and latest instants written as they are; others are
    /// clamped to 0000-01-01T00:00:00Z ... 9999-12-31T23:59:59Z.
    static let earliest = Int64(Civil.days(year: 0, month: 1, day: 1)) * 86_400
    static let latest = Int64(Civil.days(year: 9_999, month: 12, day: 31)) * 86_400 + 86_399

    /// The length of a written instant: `2026-03-02T10:00:00Z`.
    package static let length = 20

    /// Appends `2026-03-02T10:00:00Z` for a UTC instant.
    package static func format(utc seconds: Int64, into buffer: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length) { p in
            guard let base = p.baseAddress else { return }
            format(utc: seconds, to: base)
            buffer.append(contentsOf: UnsafeBufferPointer(start: base, count: length))
        }
    }

    /// Writes the `length` bytes of `2026-03-02T10:00:00Z` at `p`.
    @inline(__always)
    static func format(utc seconds: Int64, to p: UnsafeMutablePointer<UInt8>) {
        let t = min(max(seconds, earliest), latest)
        let days = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
        let timeOfDay = Int(t - days * 86_400)
        let (year, month, day) = Civil.date(days: Int(days))
        // INVARIANT: every value below is 0...99 (years are clamped to 0...9999).
        func two(_ v: Int, at i: Int) {
            p[i] = UInt8(truncatingIfNeeded: 48 &+ v / 10)
            p[i + 1] = UInt8(truncatingIfNeeded: 48 &+ v % 10)
        }
        two(year / 100, at: 0)
        two(year % 100, at: 2)
        p[4] = UInt8(ascii: "-")
        two(month, at: 5)
        p[7] = UInt8(ascii: "-")
        two(day, at: 8)
        p[10] = UInt8(ascii: "T")
        two(timeOfDay / 3_600, at: 11)
        p[13] = UInt8(ascii: ":")
        two(timeOfDay / 60 % 60, at: 14)
        p[16] = UInt8(ascii: ":")
        two(timeOfDay % 60, at: 17)
        p[19] = UInt8(ascii: "Z")
    }

    /// `2026-03-02T10:00:00Z` for a UTC instant.
    public static func string(utc seconds: Int64) -> String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(20)
        format(utc: seconds, into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
