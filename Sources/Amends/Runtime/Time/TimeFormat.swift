/// A TimeFormat is a compiled date-time pattern for reading exported records,
/// such as `d/M/yyyy HH:mm` (ServiceNow writes `29/2/2016 01:16`),
/// `dd-MM-yyyy`, `MM/dd/yyyy`, `yyyy-MM-dd HH:mm:ss` or `d MMM yyyy h:mm a`.
///
/// Fields:
/// - `yyyy` four-digit year; `yy` two-digit year (69-99 → 1969-1999,
///   00-68 → 2000-2068, as POSIX `strptime` reads them);
/// - `M`, `d`, `H`, `h`, `m`, `s`: one or two digits; `MM`, `dd`, `HH`, `hh`,
///   `mm`, `ss`: exactly two;
/// - `MMM` month abbreviation, `Jan` ... `Dec`, any case;
/// - `H`/`HH` hour 0-23; `h`/`hh` hour 1-12 with `a` (`AM`/`PM`, any case);
/// - every other character is literal; letters must be quoted (`'T'`), and
///   `''` is a quote.
///
/// `parse` returns naive LOCAL seconds since 1970-01-01T00:00 (the caller
/// applies a zone), or nil when the text does not match or names no such
/// date or time. Spaces around the text are ignored. It does not allocate.
package struct TimeFormat: Sendable, Equatable {
    /// The pattern as written.
    package let pattern: String
    let pieces: [Piece]

    /// A Field is one variable part of a pattern.
    enum Field: Sendable, Equatable {
        case year4, year2, month, monthName, day, hour24, hour12, minute, second, meridiem

        var isNumeric: Bool { self != .monthName && self != .meridiem }

        var words: String {
            switch self {
            case .year4, .year2: return "the year"
            case .month, .monthName: return "the month"
            case .day: return "the day"
            case .hour24, .hour12: return "the hour"
            case .minute: return "the minutes"
            case .second: return "the seconds"
            case .meridiem: return "AM/PM"
            }
        }
    }

    /// A Piece is a field (with its digit counts) or one literal byte.
    enum Piece: Sendable, Equatable {
        case field(Field, minDigits: Int, maxDigits: Int)
        case literal(UInt8)
    }

    // MARK: - Suggesting

    /// The `format` to add to a time field for a text that is a date with
    /// slashes, dots or dashes, day and month first (`25/12/2026`,
    /// `12/25/2026 14:30`), when ISO 8601 does not read it: the day-first
    /// form when the first number cannot be a month, the month-first form
    /// when the second cannot, else both. Nil for anything else.
    static func suggestion(for text: UnsafeBufferPointer<UInt8>) -> String? {
        let words = String(decoding: text, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: true)
        guard let date = words.first, words.count <= 2 else { return nil }
        guard let separator = date.first(where: { $0 == "/" || $0 == "." || $0 == "-" }) else { return nil }
        let parts = date.split(separator: separator, omittingEmptySubsequences: false)
        guard parts.count == 3, let a = Int(parts[0]), let b = Int(parts[1]), parts[2].count == 4 || parts[2].count == 2,
              Int(parts[2]) != nil, (1...31).contains(a), (1...31).contains(b), parts[0].count <= 2, parts[1].count <= 2 else { return nil }
        let year = parts[2].count == 4 ? "yyyy" : "yy"
        var time = ""
        if words.count == 2 {
            let clock = words[1].split(separator: ":")
            guard clock.count == 2 || clock.count == 3, clock.allSatisfy({ Int($0) != nil }) else { return nil }
            time = clock.count == 2 ? " H:mm" : " H:mm:ss"
        }
        let s = String(separator)
        let dayFirst = "`format \"d\(s)M\(s)\(year)\(time)\"`", monthFirst = "`format \"M\(s)d\(s)\(year)\(time)\"`"
        if a > 12 { return dayFirst }
        if b > 12 { return monthFirst }
        return "\(dayFirst) (day first) or \(monthFirst) (month first)"
    }

    // MARK: - Compiling

    /// A format from a pattern, or a message saying what is wrong with it.
    package static func compile(_ pattern: String) -> Result<TimeFormat, TextError> {
        let bytes = Array(pattern.utf8)
        guard !bytes.isEmpty else { return .failure(TextError("the time format is empty")) }
        var pieces: [Piece] = []
        var fields: [Field] = []
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "'") {
                if i + 1 < bytes.count && bytes[i + 1] == c {
                    pieces.append(.literal(c))
                    i += 2
                    continue
                }
                // Quoted text, where `''` stands for a quote (`'o''clock'`).
                var j = i + 1
                var closed = false
                while j < bytes.count {
                    if bytes[j] == c {
                        if j + 1 < bytes.count && bytes[j + 1] == c {
                            pieces.append(.literal(c))
                            j += 2
                            continue
                        }
                        closed = true
                        break
                    }
                    pieces.append(.literal(bytes[j]))
                    j += 1
                }
                guard closed else {
                    return .failure(TextError("the time format `\(pattern)` has a quote (') that is not closed"))
                }
                i = j + 1
                continue
            }
            guard (c | 0x20) >= 97 && (c | 0x20) <= 122 else {
                pieces.append(.literal(c))
                i += 1
                continue
            }
            var n = 1
            while i + n < bytes.count && bytes[i + n] == c { n += 1 }
            let run = String(decoding: bytes[i..<(i + n)], as: UTF8.self)
            i += n
            guard let piece = field(letter: c, count: n) else {
                return .failure(TextError(unknownField(run, in: pattern)))
            }
            if case .field(let f, _, _) = piece {
                if fields.contains(where: { $0.words == f.words }) {
                    return .failure(TextError("the time format `\(pattern)` gives \(f.words) twice"))
                }
                fields.append(f)
            }
            pieces.append(piece)
        }
        if let problem = check(fields, pieces, pattern) { return .failure(TextError(problem)) }
        return .success(TimeFormat(pattern: pattern, pieces: pieces))
    }

    static func field(letter: UInt8, count n: Int) -> Piece? {
        func numeric(_ f: Field) -> Piece? {
            n == 1 ? .field(f, minDigits: 1, maxDigits: 2) : n == 2 ? .field(f, minDigits: 2, maxDigits: 2) : nil
        }
        switch letter {
        case UInt8(ascii: "y"):
            return n == 4 ? .field(.year4, minDigits: 4, maxDigits: 4) : n == 2 ? .field(.year2, minDigits: 2, maxDigits: 2) : nil
        case UInt8(ascii: "M"):
            return n == 3 ? .field(.monthName, minDigits: 0, maxDigits: 0) : numeric(.month)
        case UInt8(ascii: "d"): return numeric(.day)
        case UInt8(ascii: "H"): return numeric(.hour24)
        case UInt8(ascii: "h"): return numeric(.hour12)
        case UInt8(ascii: "m"): return numeric(.minute)
        case UInt8(ascii: "s"): return numeric(.second)
        case UInt8(ascii: "a"): return n == 1 ? .field(.meridiem, minDigits: 0, maxDigits: 0) : nil
        default: return nil
        }
    }

    static func unknownField(_ run: String, in pattern: String) -> String {
        let hint: String
        switch run.first {
        case "y": hint = "use yyyy (or yy) for the year"
        case "M": hint = "use M, MM or MMM for the month"
        case "d": hint = "use d or dd for the day"
        case "H", "h": hint = "use H or HH (24-hour clock), or h or hh with a (12-hour clock)"
        case "m": hint = "use m or mm for the minutes"
        case "s": hint = "use s or ss for the seconds"
        case "a": hint = "use a single a for AM/PM"
        default: hint = "fields are yyyy, yy, M, MM, MMM, d, dd, H, HH, h, hh, m, mm, s, ss and a; put other letters in single quotes, e.g. 'T'"
        }
        return "`\(run)` in the time format `\(pattern)` is not a field; \(hint)"
    }

    static func check(_ fields: [Field], _ pieces: [Piece], _ pattern: String) -> String? {
        if !fields.contains(where: { $0 == .year4 || $0 == .year2 }) {
            return "the time format `\(pattern)` has no year; add yyyy"
        }
        if !fields.contains(where: { $0 == .month || $0 == .monthName }) {
            return "the time format `\(pattern)` has no month; add M, MM or MMM"
        }
        if !fields.contains(.day) { return "the time format `\(pattern)` has no day; add d or dd" }
        if fields.contains(.hour12) && !fields.contains(.meridiem) {
            return "the time format `\(pattern)` has a 12-hour clock (h) but no AM/PM (a); use H for a 24-hour clock"
        }
        if fields.contains(.meridiem) && !fields.contains(.hour12) {
            return "the time format `\(pattern)` has AM/PM (a) but no 12-hour clock; use h with a"
        }
        for k in pieces.indices.dropFirst() {
            if case .field(let a, let min, let max) = pieces[k - 1], a.isNumeric, min != max,
               case .field(let b, _, _) = pieces[k], b.isNumeric {
                return "in the time format `\(pattern)`, \(a.words) and \(b.words) follow each other without a separator; give \(a.words) two letters (e.g. dd, MM, HH)"
            }
        }
        return nil
    }

    // MARK: - Parsing

    /// Naive local seconds since 1970 of a text in this format, or nil.
    package func parse<C: Collection>(_ bytes: C) -> Int64? where C.Element == UInt8 {
        if let result = bytes.withContiguousStorageIfAvailable({ parse(buffer: $0) }) { return result }
        guard bytes.count <= 128 else { return nil }
        return Array(bytes).withUnsafeBufferPointer { parse(buffer: $0) }
    }

    func parse(buffer b: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        var end = b.count
        while i < end && (b[i] == 32 || b[i] == 9) { i += 1 }
        while end > i && (b[end - 1] == 32 || b[end - 1] == 9) { end -= 1 }
        var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0
        var pm: Bool?
        for piece in pieces {
            switch piece {
            case .literal(let c):
                guard i < end, b[i] == c else { return nil }
                i += 1
            case .field(.monthName, _, _):
                guard i + 3 <= end, let m = Self.monthNumber(b[i], b[i + 1], b[i + 2]) else { return nil }
                month = m
                i += 3
            case .field(.meridiem, _, _):
                guard i + 2 <= end, b[i + 1] | 0x20 == UInt8(ascii: "m") else { return nil }
                switch b[i] | 0x20 {
                case UInt8(ascii: "a"): pm = false
                case UInt8(ascii: "p"): pm = true
                default: return nil
                }
                i += 2
            case .field(let field, let minDigits, let maxDigits):
                var value = 0, count = 0
                while count < maxDigits, i < end, b[i] >= 48, b[i] <= 57 {
                    value = value * 10 + Int(b[i] - 48)
                    count += 1
                    i += 1
                }
                guard count >= minDigits else { return nil }
                switch field {
                case .year4: year = value
                case .year2: year = value >= 69 ? 1900 + value : 2000 + value
                case .month: month = value
                case .day: day = value
                case .hour24, .hour12: hour = value
                case .minute: minute = value
                case .second: second = value
                case .monthName, .meridiem: break
                }
            }
        }
        guard i == end else { return nil }
        if let pm {
            guard (1...12).contains(hour) else { return nil }
            hour = (hour % 12) + (pm ? 12 : 0)
        }
        guard (1...12).contains(month), day >= 1, day <= Civil.daysInMonth(year, month),
              hour <= 23, minute <= 59, second <= 60 else { return nil }
        let days = Int64(Civil.days(year: year, month: month, day: day))
        return days * 86_400 + Int64(hour * 3_600 + minute * 60 + min(second, 59))
    }

    /// 1...12 for a three-letter English month abbreviation in any case.
    static func monthNumber(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int? {
        switch (UInt32(a | 0x20) << 16) | (UInt32(b | 0x20) << 8) | UInt32(c | 0x20) {
        case 0x6A616E: return 1   // jan
        case 0x666562: return 2   // feb
        case 0x6D6172: return 3   // mar
        case 0x617072: return 4   // apr
        case 0x6D6179: return 5   // may
        case 0x6A756E: return 6   // jun
        case 0x6A756C: return 7   // jul
        case 0x617567: return 8   // aug
        case 0x736570: return 9   // sep
        case 0x6F6374: return 10  // oct
        case 0x6E6F76: return 11  // nov
        case 0x646563: return 12  // dec
        default: return nil
        }
    }
}
