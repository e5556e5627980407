/// Calendar arithmetic on the proleptic Gregorian calendar, and the ISO 8601
/// timestamp syntax shared by policy text and records.
package enum Civil {
    package static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    package static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2: return isLeap(y) ? 29 : 28
        default: return 0
        }
    }

    /// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
    @inlinable
    package static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    @inlinable
    package static func date(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// ISO weekday (Monday 1 ... Sunday 7) of a day count since 1970-01-01.
    @inlinable
    package static func weekday(days: Int) -> Int {
        // 1970-01-01 was a Thursday (4).
        let w = (days + 3) % 7
        return (w < 0 ? w + 7 : w) + 1
    }
}

extension TimestampLiteral {
    /// Parses `YYYY-MM-DD`, optionally followed by `THH:MM[:SS[.fraction]]`
    /// (a space is accepted for `T`) and `Z` or an offset `+HH:MM`, `+HHMM`,
    /// `+HH`. Returns a message naming what is wrong otherwise.
    package static func parse<C: Collection>(_ text: C) -> Result<TimestampLiteral, TimestampError> where C.Element == UInt8 {
        let b = Array(text)
        var i = 0
        func digits(_ count: Int) -> Int? {
            guard i + count <= b.count else { return nil }
            var v = 0
            for k in 0..<count {
                let c = b[i + k]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            i += count
            return v
        }
        func take(_ c: UInt8) -> Bool {
            if i < b.count && b[i] == c { i += 1; return true }
            return false
        }
        let full = String(decoding: b, as: UTF8.self)
        let source = full.count > 40 ? String(full.prefix(40)) + "…" : full
        guard let year = digits(4), take(45), let month = digits(2), take(45), let day = digits(2) else {
            return .failure(TimestampError("`\(source)` is not a date; write it as YYYY-MM-DD, e.g. 2026-03-02"))
        }
        guard month >= 1 && month <= 12 else {
            return .failure(TimestampError("month \(month) does not exist in `\(source)`"))
        }
        guard day >= 1 && day <= Civil.daysInMonth(year, month) else {
            return .failure(TimestampError("\(year)-\(month < 10 ? "0" : "")\(month) has no day \(day)"))
        }
        var result = TimestampLiteral(year: year, month: month, day: day, text: full)
        if i == b.count { return .success(result) }
        guard take(UInt8(ascii: "T")) || take(UInt8(ascii: " ")) || take(UInt8(ascii: "t")) else {
            return .failure(TimestampError("unexpected text after the date in `\(source)`; a time follows a `T`, e.g. 2026-03-02T09:00:00Z"))
        }
        guard let hour = digits(2), take(58), let minute = digits(2) else {
            return .failure(TimestampError("`\(source)` has no valid time; write HH:MM or HH:MM:SS after the `T`"))
        }
        var second = 0
        var nanos = 0
        if take(58) {
            guard let s = digits(2) else {
                return .failure(TimestampError("`\(source)` has no valid seconds"))
            }
            second = s
            if take(UInt8(ascii: ".")) || take(UInt8(ascii: ",")) {
                var scale = 100_000_000
                var any = false
                while i < b.count, b[i] >= 48, b[i] <= 57 {
                    nanos += Int(b[i] - 48) * scale
                    scale /= 10
                    any = true
                    i += 1
                }
                guard any else { return .failure(TimestampError("`\(source)` has a decimal point with no digits")) }
            }
        }
        guard hour <= 23, minute <= 59, second <= 60 else {
            return .failure(TimestampError("`\(source)` has no such time of day"))
        }
        result.hour = hour
        result.minute = minute
        result.second = min(second, 59)
        result.nanosecond = nanos
        if i == b.count { return .success(result) }
        if take(UInt8(ascii: "Z")) || take(UInt8(ascii: "z")) {
            result.offsetSeconds = 0
        } else if i < b.count && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) {
            let negative = b[i] == UInt8(ascii: "-")
            i += 1
            guard let oh = digits(2) else {
                return .failure(TimestampError("`\(source)` has a malformed UTC offset; write it as +01:00"))
            }
            var om = 0
            if take(58) {
                guard let m = digits(2) else { return .failure(TimestampError("`\(source)` has a malformed UTC offset; write it as +01:00")) }
                om = m
            } else if let m = digits(2) {
                om = m
            }
            guard oh <= 18, om <= 59 else { return .failure(TimestampError("`\(source)` has an impossible UTC offset")) }
            result.offsetSeconds = (negative ? -1 : 1) * (oh * 3600 + om * 60)
        }
        guard i == b.count else {
            return .failure(TimestampError("unexpected text at the end of `\(source)`"))
        }
        return .success(result)
    }

    /// Seconds since the Unix epoch, reading a missing offset as `defaultOffset`.
    package func epochSeconds(defaultOffset: Int = 0) -> Int64 {
        let days = Int64(Civil.days(year: year, month: month, day: day))
        let secs = Int64((hour ?? 0) * 3600 + (minute ?? 0) * 60 + (second ?? 0))
        return days * 86_400 + secs - Int64(offsetSeconds ?? defaultOffset)
    }
}

/// Why a timestamp did not parse, in words for a message.
package struct TimestampError: Error, Sendable, Equatable {
    package var message: String
    package init(_ message: String) { self.message = message }
}
