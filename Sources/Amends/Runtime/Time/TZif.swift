/// TZif is the binary format of the system's time zone database (RFC 8536):
/// a header, a block of transitions with 32-bit times, and (version 2 and
/// later) a second header and block with 64-bit times followed by a POSIX TZ
/// rule for the times after the last transition.
///
/// Only what Amends needs is kept: the transition instants, the offset after
/// each, the offset before the first and the footer rule. Abbreviations and
/// the standard/wall and UT/local indicators are skipped. Files that count
/// leap seconds (the `right/` zones) are refused rather than read wrongly.
enum TZif {
    /// A Table is the part of a TZif file Amends uses.
    struct Table: Sendable, Equatable {
        /// Transition instants, UTC seconds, strictly increasing.
        var times: [Int64]
        /// The offset (seconds east of UTC) in effect from each transition on.
        var offsets: [Int32]
        /// The offset before the first transition (time type 0).
        var initial: Int32
        /// The rule for instants after the last transition, when the file has one.
        var footer: PosixTZ?
    }

    /// Why a file is not a usable TZif file, in words.
    enum Problem: Error, Equatable {
        case notTZif
        case damaged(String)
        case leapSeconds
    }

    /// Offsets beyond these are not in any real zone and RFC 8536 excludes them.
    static let offsetRange: ClosedRange<Int32> = -89_999...93_599

    // MARK: - Parsing

    static func parse(_ bytes: [UInt8]) -> Result<Table, Problem> {
        guard bytes.count >= 44, bytes[0] == 0x54, bytes[1] == 0x5A, bytes[2] == 0x69, bytes[3] == 0x66 else {
            return .failure(.notTZif)
        }
        let version = bytes[4]
        guard let first = header(bytes, at: 0) else { return .failure(.damaged("the header is cut short")) }
        if version == 0 {
            return block(bytes, header: first, at: 44, timeSize: 4).map { $0.table }
        }
        // Version 2 and later: skip the 32-bit block, read the 64-bit one.
        let second = 44 + first.blockLength(timeSize: 4)
        guard let header2 = header(bytes, at: second) else {
            return .failure(.damaged("the second header is missing"))
        }
        switch block(bytes, header: header2, at: second + 44, timeSize: 8) {
        case .failure(let problem):
            return .failure(problem)
        case .success(let (parsed, end)):
            var table = parsed
            switch footer(bytes, at: end) {
            case .success(let rule): table.footer = rule
            case .failure(let problem): return .failure(problem)
            }
            return .success(table)
        }
    }

    /// A Header holds the six counts that size a data block.
    struct Header {
        var isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0

        func blockLength(timeSize: Int) -> Int {
            timecnt * (timeSize + 1) + typecnt * 6 + charcnt + leapcnt * (timeSize + 4) + isstdcnt + isutcnt
        }
    }

    static func header(_ b: [UInt8], at offset: Int) -> Header? {
        guard offset >= 0, offset + 44 <= b.count,
              b[offset] == 0x54, b[offset + 1] == 0x5A, b[offset + 2] == 0x69, b[offset + 3] == 0x66 else { return nil }
        func count(_ k: Int) -> Int { Int(readUInt32(b, offset + 20 + 4 * k)) }
        return Header(isutcnt: count(0), isstdcnt: count(1), leapcnt: count(2),
                      timecnt: count(3), typecnt: count(4), charcnt: count(5))
    }

    /// Reads one data block; returns the table and where the block ends.
    static func block(_ b: [UInt8], header h: Header, at start: Int, timeSize: Int) -> Result<(table: Table, end: Int), Problem> {
        let end = start + h.blockLength(timeSize: timeSize)
        guard end <= b.count else { return .failure(.damaged("the data is cut short")) }
        guard h.typecnt >= 1, h.typecnt <= 256 else { return .failure(.damaged("it has \(h.typecnt) local time types")) }
        guard h.isutcnt == 0 || h.isutcnt == h.typecnt, h.isstdcnt == 0 || h.isstdcnt == h.typecnt else {
            return .failure(.damaged("its indicator counts do not match its time types"))
        }
        if h.leapcnt > 0 { return .failure(.leapSeconds) }
        var types: [Int32] = []
        types.reserveCapacity(h.typecnt)
        let typesAt = start + h.timecnt * (timeSize + 1)
        for k in 0..<h.typecnt {
            let offset = Int32(bitPattern: readUInt32(b, typesAt + 6 * k))
            guard offsetRange.contains(offset) else { return .failure(.damaged("it has an offset of \(offset) seconds")) }
            types.append(offset)
        }
        var times: [Int64] = []
        var offsets: [Int32] = []
        times.reserveCapacity(h.timecnt)
        offsets.reserveCapacity(h.timecnt)
        let indexesAt = start + h.timecnt * timeSize
        for k in 0..<h.timecnt {
            let time = timeSize == 8
                ? Int64(bitPattern: readUInt64(b, start + 8 * k))
                : Int64(Int32(bitPattern: readUInt32(b, start + 4 * k)))
            if let last = times.last, time <= last {
                return .failure(.damaged("its transitions are out of order"))
            }
            let index = Int(b[indexesAt + k])
            guard index < types.count else { return .failure(.damaged("a transition names a missing time type")) }
            times.append(time)
            offsets.append(types[index])
        }
        // INVARIANT: typecnt >= 1 was checked above, so `types` is not empty.
        let table = Table(times: times, offsets: offsets, initial: types[0], footer: nil)
        return .success((table, end))
    }

    /// The footer: a newline, a POSIX TZ string (possibly empty), a newline.
    static func footer(_ b: [UInt8], at start: Int) -> Result<PosixTZ?, Problem> {
        guard start < b.count, b[start] == 0x0A else { return .success(nil) }  // tolerated: no footer
        var end = start + 1
        while end < b.count, b[end] != 0x0A { end += 1 }
        guard end < b.count else { return .failure(.damaged("its closing rule is not terminated")) }
        if end == start + 1 { return .success(nil) }
        let text = Array(b[(start + 1)..<end])
        guard let rule = PosixTZ.parse(text) else {
            return .failure(.damaged("its closing rule `\(String(decoding: text, as: UTF8.self))` cannot be read"))
        }
        return .success(rule)
    }

    // MARK: - Big-endian integers

    static func readUInt32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    static func readUInt64(_ b: [UInt8], _ i: Int) -> UInt64 {
        UInt64(readUInt32(b, i)) << 32 | UInt64(readUInt32(b, i + 4))
    }
}
