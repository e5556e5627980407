/// A JSONRecordDecoder reads one JSON object (a record's bytes) straight
/// into a `RecordBuffer`, extracting only the declared fields.
///
/// Built once from a `RecordSchema`, it holds a key table per object level:
/// each entry is a key's bytes and what it leads to (a field, a nested
/// table for dotted keys such as `customer.name`, or both). Keys are matched
/// by length, then bytes, with no hashing or dictionary look-up per key;
/// and since the records of one input nearly always list their keys in
/// the same order, the entry after the last one matched is tried first.
///
/// More than that, the records of one input are nearly always laid out
/// alike: the same keys in the same order with the same spacing. So the
/// decoder learns the layout of each record it reads (`Layout`: the bytes
/// between one value and the next, `, "severity": `, and the entry each
/// leads to) and reads the next record by matching those bytes with a
/// compare each and reading only the values. A record laid out otherwise
/// is read from its start by the general path, which learns its layout
/// instead. Both paths read the values with the same code, so they give
/// the same results.
/// Values go through the schema's `assign…` methods; unknown keys are
/// skipped but must still be valid JSON; when a key repeats, the last value
/// wins; `null` leaves a field missing (so its default applies).
///
/// A decoder is a value with reusable scratch storage: after the first few
/// records it allocates nothing. Give each thread its own copy; `decode` is
/// `mutating` only because the scratch buffer is reused.
package struct JSONRecordDecoder: Sendable {
    package let schema: RecordSchema
    /// The key tables, flattened: table `t` is entries
    /// `tableStart[t]..<tableStart[t + 1]`; table 0 is the top level. An
    /// entry is a key (`keyStart`, `keyCount` in `keyBytes`), the field it
    /// holds or -1, and the table of the object it holds (dotted keys) or -1.
    let tableStart: [Int]
    let keyBytes: [UInt8]
    let keyStart: [Int]
    let keyCount: [Int]
    /// The first eight bytes of each key (`prefix`), to reject most
    /// mismatches with one compare.
    let keyPrefix: [UInt64]
    let keyField: [Int]
    let keyChild: [Int]
    /// The dotted path to each entry, for messages.
    let keyPath: [String]
    /// Per entry: the fields inside the object it holds (none for a field's
    /// own key). A repeated key replaces what the one before it held.
    let keyInner: [[Int]]
    /// Per field: 0 not a list, 1 a list of numbers, 2 a list of texts or
    /// choices.
    let listKind: [UInt8]
    /// Unescaped strings and keys, reused from record to record.
    var scratch: [UInt8] = []
    /// The entry the next key is guessed to be (the one after the last
    /// key found), or -1.
    var guess = -1
    /// The layout of the last record read by the general path.
    var layout = Layout()

    package init(schema: RecordSchema) {
        self.schema = schema
        // Build nested tables first, then flatten them.
        struct Entry { var key: [UInt8]; var field: Int; var child: Int; var path: String }
        var tables: [[Entry]] = [[]]
        for (f, info) in schema.fields.enumerated() {
            var table = 0
            var path = ""
            for (depth, key) in info.path.enumerated() {
                path += (depth == 0 ? "" : ".") + String(decoding: key, as: UTF8.self)
                let e: Int
                if let found = tables[table].firstIndex(where: { $0.key == key }) {
                    e = found
                } else {
                    tables[table].append(Entry(key: key, field: -1, child: -1, path: path))
                    e = tables[table].count - 1
                }
                if depth == info.path.count - 1 {
                    // The first field declared with a key keeps it.
                    if tables[table][e].field < 0 { tables[table][e].field = f }
                } else {
                    if tables[table][e].child < 0 {
                        tables.append([])
                        tables[table][e].child = tables.count - 1
                    }
                    table = tables[table][e].child
                }
            }
        }
        var tableStart = [0]
        var keyBytes: [UInt8] = [], keyStart: [Int] = [], keyCount: [Int] = []
        var keyField: [Int] = [], keyChild: [Int] = [], keyPath: [String] = []
        for table in tables {
            for e in table {
                keyStart.append(keyBytes.count)
                keyCount.append(e.key.count)
                keyBytes += e.key
                keyField.append(e.field)
                keyChild.append(e.child)
                keyPath.append(e.path)
            }
            tableStart.append(keyStart.count)
        }
        self.tableStart = tableStart
        self.keyBytes = keyBytes
        self.keyStart = keyStart
        self.keyCount = keyCount
        keyPrefix = keyStart.indices.map { i in
            keyBytes.withUnsafeBufferPointer { JSONRecordDecoder.prefix(UnsafeBufferPointer(rebasing: $0[keyStart[i]..<(keyStart[i] + keyCount[i])])) }
        }
        self.keyField = keyField
        self.keyChild = keyChild
        self.keyPath = keyPath
        keyInner = keyPath.indices.map { e in
            guard keyChild[e] >= 0 else { return [] }
            let prefix = keyPath[e] + "."
            return schema.fields.indices.filter { schema.fields[$0].key.hasPrefix(prefix) }
        }
        listKind = schema.fields.map { info -> UInt8 in
            guard case .list(let element) = info.kind else { return 0 }
            return JSONRecordDecoder.isNumber(element) ? 1 : 2
        }
        scratch.reserveCapacity(256)
    }

    // MARK: - Decoding

    /// Decodes one record: resets `buffer`, reads the object, applies
    /// defaults (`schema.finish`). A syntax error wins over a field error;
    /// of field errors, the first is reported. `firstLine` and
    /// `firstColumn` are where the record's first byte is in its input, so
    /// that syntax errors give input positions.
    package mutating func decode(_ bytes: UnsafeBufferPointer<UInt8>, into buffer: inout RecordBuffer,
                                firstLine: Int = 1, firstColumn: Int = 1) -> FieldError? {
        buffer.reset()
        // The scratch buffer is moved in and out (swapped), not copied: a
        // copy would retain and release it on every record.
        var st = ReadState(scratch: [], guess: self.guess)
        swap(&st.scratch, &self.scratch)
        defer {
            swap(&st.scratch, &self.scratch)
            self.guess = st.guess
        }
        if layout.usable, let result = readLaidOut(bytes, &buffer, &st) { return result }
        // The general path, from the start, learning this record's layout.
        buffer.reset()
        st.outcome = FieldOutcome()
        st.learning = Layout()
        swap(&st.learning, &layout)
        st.learning.reset()
        st.recording = true
        var read = false
        defer {
            swap(&st.learning, &layout)
            layout.usable = read && st.recording
        }
        var scanner = JSONScanner(bytes)
        do throws(JSONSyntaxError) {
            scanner.skipWhitespace()
            guard let c = scanner.peek() else { return .structure("the record is empty") }
            if c != UInt8(ascii: "{") {
                if let kind = JSONRecordDecoder.kindName(c) {
                    return .structure("a record must be a JSON object, not \(kind)")
                }
                throw scanner.unexpected(expecting: "a JSON object")
            }
            try readObject(&scanner, table: 0, &buffer, &st)
            scanner.skipWhitespace()
            if !scanner.atEnd {
                throw scanner.failure("unexpected \(JSONScanner.describe(bytes, at: scanner.pos)) after the end of the record",
                                      at: scanner.pos)
            }
            read = true
        } catch {
            if error.unclosedString {
                // A JSON Lines record is one line: a string still open at its
                // end is not closed before the line ends (Grammar.md §10).
                let last = firstLine + JSONSyntaxError(offset: bytes.count, message: "").location(in: bytes).line - 1
                return .structure("a string in this record is not closed before the end of line \(last)")
            }
            return .structure(JSONRecordDecoder.syntaxMessage(error, in: bytes, firstLine: firstLine, firstColumn: firstColumn))
        }
        if st.outcome.failed { return st.outcome.error }
        return finish(bytes, &buffer)
    }

    /// Defaults and required fields (`schema.finish`); a missing field whose
    /// key the record has in another letter case says so (on the error
    /// path only: the record is parsed again to find its keys).
    func finish(_ bytes: UnsafeBufferPointer<UInt8>, _ r: inout RecordBuffer) -> FieldError? {
        let error = schema.finish(&r)
        guard case .missing? = error, case .success(let value) = JSONValue.parse(Array(bytes)) else { return error }
        return schema.nearKey(error, in: value)
    }


    /// Reads a record laid out as `layout` says: nil when it is not (or
    /// is not valid JSON), and then nothing it read counts; else the
    /// record's result, as `decode` gives it.
    func readLaidOut(_ bytes: UnsafeBufferPointer<UInt8>, _ r: inout RecordBuffer,
                              _ st: inout ReadState) -> FieldError?? {
        var s = JSONScanner(bytes)
        do throws(JSONSyntaxError) {
            s.skipWhitespace()
            guard s.peek() == UInt8(ascii: "{") else { return nil }
            s.pos += 1
            try s.enter()
            let matched = try layout.bytes.withUnsafeBufferPointer { learned throws(JSONSyntaxError) -> Bool in
                for segment in layout.segments {
                    let start = Int(segment.start), count = Int(segment.count)
                    guard s.pos + count <= bytes.count,
                          Layout.same(bytes, s.pos, learned, start, count) else { return false }
                    s.pos += count
                    if segment.entry < 0 {
                        try s.skipValue(scratch: &st.scratch)
                    } else {
                        try readMember(&s, Int(segment.entry), &r, &st)
                    }
                }
                return true
            }
            guard matched else { return nil }
            s.skipWhitespace()
            guard s.peek() == UInt8(ascii: "}") else { return nil }
            s.pos += 1
            s.skipWhitespace()
            guard s.atEnd else { return nil }
        } catch {
            return nil
        }
        if st.outcome.failed { return .some(st.outcome.error) }
        return .some(finish(bytes, &r))
    }

    /// Decodes one record held in an array.
    package mutating func decode(_ bytes: [UInt8], into buffer: inout RecordBuffer, firstLine: Int = 1) -> FieldError? {
        bytes.withUnsafeBufferPointer { decode($0, into: &buffer, firstLine: firstLine) }
    }

    /// "invalid JSON at line 3, column 7: …", the line counted in the input.
    static func syntaxMessage(_ error: JSONSyntaxError, in bytes: UnsafeBufferPointer<UInt8>, firstLine: Int,
                              firstColumn: Int) -> String {
        let (line, column) = error.location(in: bytes)
        let inputColumn = line == 1 ? column + firstColumn - 1 : column
        return "invalid JSON at line \(firstLine + line - 1), column \(inputColumn): \(error.message)"
    }

    /// How a value that is not an object reads, from its first byte.
    static func kindName(_ c: UInt8) -> String? {
        switch c {
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return "a number"
        case UInt8(ascii: "t"): return "`true`"
        case UInt8(ascii: "f"): return "`false`"
        case UInt8(ascii: "n"): return "`null`"
        default: return nil
        }
    }

    // MARK: - Objects

    /// Reads an object (at its `{`) whose keys are looked up in `table`.
    /// The record's own object (table 0) has its layout learned when
    /// `st.recording` is set.
    func readObject(_ s: inout JSONScanner, table: Int, _ r: inout RecordBuffer, _ st: inout ReadState) throws(JSONSyntaxError) {
        s.pos += 1
        try s.enter()
        let learn = table == 0 && st.recording
        var segmentStart = s.pos
        s.skipWhitespace()
        if s.peek() == UInt8(ascii: "}") {
            s.pos += 1
            s.leave()
            return
        }
        while true {
            s.skipWhitespace()
            guard s.peek() == UInt8(ascii: "\"") else { throw s.unexpected(expecting: "a key in double quotes") }
            let key = try s.readString(into: &st.scratch)
            let entry = key.unescaped ? st.scratch.withUnsafeBufferPointer { find(table, $0, guess: st.guess) }
                                      : find(table, UnsafeBufferPointer(rebasing: s.bytes[key.start..<key.end]), guess: st.guess)
            if entry >= 0 { st.guess = entry + 1 }
            try s.expectColon()
            s.skipWhitespace()
            if learn && st.recording {
                // An escaped key is matched by the general path only.
                st.recording = !key.unescaped && st.learning.add(s.bytes, segmentStart..<s.pos, entry: entry)
            }
            if entry < 0 {
                try s.skipValue(scratch: &st.scratch)
            } else {
                try readMember(&s, entry, &r, &st)
            }
            segmentStart = s.pos
            if try s.endOfMember(closer: UInt8(ascii: "}")) { break }
        }
        s.leave()
    }

    /// The entry of `table` whose key is `key`, or -1: entry `guess`
    /// first, then each in turn; length and first eight bytes first (one
    /// compare each), then any further bytes.
    @inline(__always)
    func find(_ table: Int, _ key: UnsafeBufferPointer<UInt8>, guess: Int) -> Int {
        // INVARIANT: `table` is 0 or a `keyChild` value, so table + 1 < tableStart.count.
        let first = tableStart[table], end = tableStart[table + 1]
        let n = key.count
        let prefix = JSONRecordDecoder.prefix(key)
        return keyBytes.withUnsafeBufferPointer { all -> Int in
            func matches(_ i: Int) -> Bool {
                guard keyCount[i] == n && keyPrefix[i] == prefix else { return false }
                // INVARIANT: keyStart[i] + n <= keyBytes.count, by construction.
                let k = keyStart[i]
                var j = 8
                while j < n && all[k + j] == key[j] { j += 1 }
                return j >= n
            }
            if guess >= first && guess < end && matches(guess) { return guess }
            var i = first
            while i < end {
                if matches(i) { return i }
                i += 1
            }
            return -1
        }
    }

    /// A key's first eight bytes (zero-padded) as one number.
    @inline(__always)
    static func prefix(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let base = key.baseAddress else { return 0 }
        return Layout.word(UnsafeRawPointer(base), min(key.count, 8))
    }

    // MARK: - Values

    /// Reads a known key's value into its field (or nested table).
    func readMember(_ s: inout JSONScanner, _ entry: Int, _ r: inout RecordBuffer, _ st: inout ReadState) throws(JSONSyntaxError) {
        guard let c = s.peek() else { throw s.unexpected(expecting: "a value") }
        // INVARIANT: `entry` is an index `find` returned.
        let f = keyField[entry]
        let child = keyChild[entry]
        if child >= 0 {
            // The last of repeated keys wins: `{"c": {"name": "x"}, "c": null}`
            // has no `c.name`.
            for inner in keyInner[entry] where r.isPresent(inner) { r.clear(inner) }
        }
        if c == UInt8(ascii: "{") && child >= 0 {
            try readObject(&s, table: child, &r, &st)
            return
        }
        guard f >= 0 else {
            // A key that only leads to nested fields holds a non-object.
            let start = s.pos
            try s.skipValue(scratch: &st.scratch)
            if c != UInt8(ascii: "n") && !st.outcome.failed {
                st.outcome.note(.structure("`\(keyPath[entry])` should be an object holding \(holding(keyPath[entry])), "
                                   + "not \(JSONRecordDecoder.kindName(s.bytes[start]) ?? "a value")"))
            }
            return
        }
        if r.isPresent(f) { r.clear(f) }
        let list = listKind[f]
        switch c {
        case UInt8(ascii: "\""):
            let span = try s.readString(into: &st.scratch)
            guard !st.outcome.failed else { return }
            if !span.unescaped {
                let text = UnsafeBufferPointer(rebasing: s.bytes[span.start..<span.end])
                if !schema.assignCommon(f, text, &r) { st.outcome.note(schema.assignString(f, text, into: &r)) }
            } else {
                st.outcome.note(schema.assignString(f, st.scratch, into: &r))
            }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = s.pos
            let value = try s.readNumber()
            guard !st.outcome.failed else { return }
            let text = UnsafeBufferPointer(rebasing: s.bytes[start..<s.pos])
            if list == 2, let element = element(f) {
                if let e = schema.assignListItem(f, text, element, into: &r) { st.outcome.note(e) }
            } else if let e = schema.assignNumber(f, value, text: text, into: &r) {
                st.outcome.note(e)
            }
        case UInt8(ascii: "["):
            guard list != 0, let element = element(f) else {
                try s.skipValue(scratch: &st.scratch)
                if !st.outcome.failed { st.outcome.note(.wrongType(schema.fields[f], "an array")) }
                return
            }
            r.markPresent(f)
            try readList(&s, f, element, &r, &st)
        case UInt8(ascii: "{"):
            try s.skipValue(scratch: &st.scratch)
            if !st.outcome.failed { st.outcome.note(.wrongType(schema.fields[f], "an object")) }
        default:
            guard let b = try s.readLiteral() else { return }     // null: missing
            guard !st.outcome.failed else { return }
            if list == 1 {
                r.appendListScalar(f, b ? 1 : 0)
            } else if list == 2, let element = element(f) {
                if let e = schema.assignListItem(f, JSONRecordDecoder.word(b), element, into: &r) { st.outcome.note(e) }
            } else if let e = schema.assignBool(f, b, into: &r) {
                st.outcome.note(e)
            }
        }
    }

    /// The element kind of a list field.
    func element(_ f: Int) -> RecordSchema.ElementKind? {
        if case .list(let element) = schema.fields[f].kind { return element }
        return nil
    }

    /// The items of an array for a list field (at the `[`).
    func readList(_ s: inout JSONScanner, _ f: Int, _ element: RecordSchema.ElementKind, _ r: inout RecordBuffer,
                  _ st: inout ReadState) throws(JSONSyntaxError) {
        s.pos += 1
        try s.enter()
        s.skipWhitespace()
        if s.peek() == UInt8(ascii: "]") {
            s.pos += 1
            s.leave()
            return
        }
        while true {
            s.skipWhitespace()
            guard let c = s.peek() else { throw s.unexpected(expecting: "a value") }
            switch c {
            case UInt8(ascii: "\""):
                let span = try s.readString(into: &st.scratch)
                if !st.outcome.failed {
                    st.outcome.note(span.unescaped ? schema.assignListItem(f, st.scratch, element, into: &r)
                        : schema.assignListItem(f, UnsafeBufferPointer(rebasing: s.bytes[span.start..<span.end]), element, into: &r))
                }
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = s.pos
                let value = try s.readNumber()
                if !st.outcome.failed {
                    if JSONRecordDecoder.isNumber(element) {
                        r.appendListScalar(f, value)
                    } else {
                        st.outcome.note(schema.assignListItem(f, UnsafeBufferPointer(rebasing: s.bytes[start..<s.pos]), element, into: &r))
                    }
                }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                try s.skipValue(scratch: &st.scratch)
                if !st.outcome.failed { st.outcome.note(.wrongType(schema.fields[f], c == UInt8(ascii: "[") ? "a list holding an array" : "a list holding an object")) }
            default:
                if let b = try s.readLiteral(), !st.outcome.failed {
                    if JSONRecordDecoder.isNumber(element) {
                        r.appendListScalar(f, b ? 1 : 0)
                    } else {
                        st.outcome.note(schema.assignListItem(f, JSONRecordDecoder.word(b), element, into: &r))
                    }
                }
            }
            if try s.endOfMember(closer: UInt8(ascii: "]")) { break }
        }
        s.leave()
    }

    // MARK: - Helpers

    @inline(__always)
    static func isNumber(_ element: RecordSchema.ElementKind) -> Bool {
        if case .number = element { return true }
        return false
    }

    /// `true` or `false` as bytes (no allocation).
    static func word(_ b: Bool) -> UnsafeBufferPointer<UInt8> {
        let s: StaticString = b ? "true" : "false"
        return UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)
    }

    /// The fields under a dotted prefix, for a message: "`name`, `email`".
    func holding(_ prefix: String) -> String {
        let names = schema.fields.filter { $0.key.hasPrefix(prefix + ".") }.map { "`\($0.key.dropFirst(prefix.count + 1))`" }
        return names.isEmpty ? "fields" : names.joined(separator: ", ")
    }
}

/// A ReadState is what reading one record keeps besides the record: the
/// scratch buffer for unescaped strings, the first field error, and the
/// guess at the next key.
struct ReadState {
    var scratch: [UInt8]
    var outcome = FieldOutcome()
    var guess: Int
    /// The layout being learned, and whether it still can be.
    var learning = Layout()
    var recording = false
}

/// A Layout is how a record's members were laid out: for each, the bytes
/// from the end of the value before it (or the `{`) to the start of its
/// value, such as `, "severity": `, and the key's entry (-1: a key no
/// field reads).
struct Layout {
    struct Segment {
        var start: Int32
        var count: Int32
        var entry: Int32
    }

    var bytes: [UInt8] = []
    var segments: [Segment] = []
    /// Whether it describes a record that was read without error.
    var usable = false

    /// At most this many members, and bytes between values, are learned.
    static let maxSegments = 256
    static let maxSegmentBytes = 256

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        segments.removeAll(keepingCapacity: true)
        usable = false
    }

    /// Adds a segment; false when past the limits (then nothing is learned).
    mutating func add(_ input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, entry: Int) -> Bool {
        guard segments.count < Layout.maxSegments, range.count <= Layout.maxSegmentBytes,
              range.lowerBound >= 0, range.upperBound <= input.count else { return false }
        segments.append(Segment(start: Int32(bytes.count), count: Int32(range.count), entry: Int32(entry)))
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: input[range]))
        return true
    }

    /// Whether `a[i..<i + n]` and `b[j..<j + n]` hold the same bytes (both
    /// ranges in bounds), eight at a time.
    @inline(__always)
    static func same(_ a: UnsafeBufferPointer<UInt8>, _ i: Int, _ b: UnsafeBufferPointer<UInt8>, _ j: Int, _ n: Int) -> Bool {
        guard let pa = a.baseAddress, let pb = b.baseAddress else { return n == 0 }
        let x = UnsafeRawPointer(pa + i), y = UnsafeRawPointer(pb + j)
        if n < 8 { return word(x, n) == word(y, n) }
        var k = 0
        while k + 8 <= n {
            if x.loadUnaligned(fromByteOffset: k, as: UInt64.self) != y.loadUnaligned(fromByteOffset: k, as: UInt64.self) { return false }
            k += 8
        }
        // The last eight bytes, overlapping those already compared.
        return k == n || x.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == y.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
    }

    /// The `n` bytes at `p` (n at most 8) as one number, zero-padded, read
    /// without touching a byte past them: two overlapping loads.
    @inline(__always)
    static func word(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
        switch n {
        case 8...: return UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
        case 4...7:
            let low = UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)))
            return low | high << UInt64(8 * (n - 4))
        case 1...3:
            let first = UInt64(p.load(as: UInt8.self))
            let middle = UInt64(p.load(fromByteOffset: n / 2, as: UInt8.self))
            let last = UInt64(p.load(fromByteOffset: n - 1, as: UInt8.self))
            return first | middle << UInt64(8 * (n / 2)) | last << UInt64(8 * (n - 1))
        default: return 0
        }
    }
}

/// A FieldOutcome is the first field error of a record being read; the
/// flag keeps the hot path from touching the (large) error value.
struct FieldOutcome {
    var failed = false
    var error: FieldError?

    @inline(__always)
    mutating func note(_ e: FieldError?) {
        guard !failed, let e else { return }
        error = e
        failed = true
    }
}

extension RecordSchema {
    /// `missing` as `missingBut` when the record has the field's key in
    /// another letter case (Grammar.md §10: keys are matched exactly).
    func nearKey(_ error: FieldError?, in value: JSONValue) -> FieldError? {
        guard case .missing(let f)? = error else { return error }
        var node = value
        var path: [String] = []
        for component in f.path {
            guard case .object(let members) = node else { break }
            let key = String(decoding: component, as: UTF8.self)
            if let exact = members.last(where: { $0.key == key }) {
                node = exact.value
                path.append(key)
                continue
            }
            if let near = members.last(where: { $0.key.lowercased() == key.lowercased() }) {
                return .missingBut(f, nearKey: (path + [near.key]).joined(separator: "."))
            }
            break
        }
        return .missing(f)
    }
}
