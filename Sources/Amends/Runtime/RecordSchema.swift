/// A RecordSchema says how to read each declared field from a record and
/// how to type what is read: the one place where raw text, numbers and
/// booleans from JSON or CSV become slot values.
///
/// Readers (JSON, CSV, examples) find a field's raw value and call one of the
/// `assign…` methods; `finish` then applies defaults and checks required
/// fields. Errors are values (`FieldError`), made only on the error path.
package struct RecordSchema: Sendable {
    package enum Kind: Sendable {
        case text, number, bool, time, duration
        /// A scale level or `one of` value: index by name or spelling.
        case choice(LevelTable)
        case list(ElementKind)
    }

    package enum ElementKind: Sendable {
        case text, number
        case choice(LevelTable)
    }

    package struct FieldInfo: Sendable {
        package var name: String
        package var key: String
        /// The key split on dots: the path into nested JSON objects.
        package var path: [[UInt8]]
        /// The key as one column heading (CSV).
        package var column: [UInt8]
        package var kind: Kind
        package var required: Bool
        package var defaultValue: Value?
        package var format: TimeFormat?
        /// How the field's type reads in a message.
        package var typeName: String
    }

    package let fields: [FieldInfo]
    /// What reading needs of each field, trivially copyable (reading
    /// `fields[f].kind` would copy the level table it holds).
    let plans: [FieldPlan]
    /// Every accepted text of every choice field, for exact matches.
    let choices: ChoiceTexts
    package let missingTexts: [[UInt8]]
    package let zone: ZoneLookup
    package let clockField: Int?
    /// The field named `id`, echoed in results.
    package let idField: Int?

    package init(model: PolicyModel, zone: ZoneLookup) {
        var infos: [FieldInfo] = []
        for field in model.fields {
            let kind: Kind
            switch field.type {
            case .text: kind = .text
            case .number: kind = .number
            case .bool: kind = .bool
            case .time: kind = .time
            case .duration: kind = .duration
            case .scale(let s): kind = .choice(LevelTable(names: model.scales[s].levels, spellings: model.scales[s].spellings))
            case .enumeration(let e):
                kind = .choice(LevelTable(names: model.enumerations[e].values, spellings: model.enumerations[e].spellings))
            case .list(let element):
                switch element {
                case .scale(let s): kind = .list(.choice(LevelTable(names: model.scales[s].levels, spellings: model.scales[s].spellings)))
                case .enumeration(let e):
                    kind = .list(.choice(LevelTable(names: model.enumerations[e].values, spellings: model.enumerations[e].spellings)))
                case .number, .time, .duration, .bool: kind = .list(.number)
                default: kind = .list(.text)
                }
            }
            var format: TimeFormat?
            if let pattern = field.format, case .success(let f) = TimeFormat.compile(pattern) { format = f }
            infos.append(FieldInfo(name: field.name, key: field.key,
                                   path: field.key.split(separator: ".", omittingEmptySubsequences: false).map { Array($0.utf8) },
                                   column: Array(field.key.utf8), kind: kind, required: field.isRequired,
                                   defaultValue: field.defaultValue, format: format, typeName: model.describe(field.type)))
        }
        fields = infos
        var choices = ChoiceTexts()
        plans = infos.map { info in
            switch info.kind {
            case .text: return FieldPlan(kind: .text)
            case .number: return FieldPlan(kind: .number)
            case .bool: return FieldPlan(kind: .bool)
            case .time: return FieldPlan(kind: info.format == nil ? .time : .formattedTime)
            case .duration: return FieldPlan(kind: .duration)
            case .list: return FieldPlan(kind: .list)
            case .choice(let table):
                let range = choices.append(table)
                return FieldPlan(kind: .choice, first: range.lowerBound, end: range.upperBound)
            }
        }
        self.choices = choices
        missingTexts = model.missingTexts.map { Array($0.utf8) }
        self.zone = zone
        clockField = model.clockField
        idField = model.fields.firstIndex { $0.name == "id" }
    }

    // MARK: - Assigning raw values

    /// A text value: a CSV cell (an empty one is no value and never comes
    /// here), or the content of a JSON string read through `assignString`.
    /// Every type but text ignores spaces and tabs around the value.
    package func assignText<C: Collection>(_ f: Int, _ bytes: C, into r: inout RecordBuffer) -> FieldError?
        where C.Element == UInt8 {
        if let result = bytes.withContiguousStorageIfAvailable({ assignText(f, buffer: $0, into: &r) }) { return result }
        return Array(bytes).withUnsafeBufferPointer { assignText(f, buffer: $0, into: &r) }
    }

    func assignText(_ f: Int, buffer bytes: UnsafeBufferPointer<UInt8>, into r: inout RecordBuffer) -> FieldError? {
        if assignCommon(f, bytes, &r) { return nil }
        if !missingTexts.isEmpty && isMissingText(bytes) { return nil }
        // `fields[f]` is read in place: copying a FieldInfo costs retains.
        if case .text = fields[f].kind {
            r.setText(f, bytes)
            return nil
        }
        // An empty CSV cell, quoted (`""`), is no value as an unquoted one is.
        if bytes.isEmpty { return nil }
        let value = UnsafeBufferPointer(rebasing: RecordSchema.trimmed(bytes))
        switch fields[f].kind {
        case .text:
            return nil
        case .choice(let table):
            if let i = table.index(of: value) {
                r.setScalar(f, Double(i))
                return nil
            }
            return .unknownValue(fields[f], String(decoding: bytes, as: UTF8.self), table)
        case .number:
            if let v = RecordSchema.parseNumber(value) {
                r.setScalar(f, v)
                return nil
            }
            return .wrongType(fields[f], RecordSchema.describeNotNumber(bytes))
        case .bool:
            if let b = RecordSchema.parseBool(value) {
                r.setScalar(f, b ? 1 : 0)
                return nil
            }
            return .wrongType(fields[f], "`\(String(decoding: bytes, as: UTF8.self))`")
        case .time:
            if let format = fields[f].format {
                if let local = format.parse(value) {
                    r.setScalar(f, Double(zone.utc(fromLocal: local)))
                    return nil
                }
                return .badTime(fields[f], String(decoding: bytes, as: UTF8.self), expected: "a time in its format `\(format.pattern)`")
            }
            if let t = ISOTime.parseLocalOrUTC(value) {
                r.setScalar(f, Double(t.hasOffset ? t.seconds : zone.utc(fromLocal: t.seconds)))
                return nil
            }
            return .badTime(fields[f], String(decoding: bytes, as: UTF8.self),
                            expected: ISOTime.problem(value) ?? "an ISO 8601 time such as 2026-03-02T09:00:00Z"
                                + (TimeFormat.suggestion(for: value).map { "; for times written like this, give the field \($0)" } ?? ""))
        case .duration:
            if let seconds = ISODuration.parse(value) ?? RecordSchema.parseSpokenDuration(value) {
                r.setScalar(f, Double(seconds))
                return nil
            }
            return .wrongType(fields[f], "`\(String(decoding: bytes, as: UTF8.self))`")
        case .list(let element):
            // A text for a list field (a CSV cell): items separated by commas.
            r.markPresent(f)
            for part in bytes.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                let item = RecordSchema.trimmed(part)
                if !item.isEmpty, let error = assignListItem(f, item, element, into: &r) { return error }
            }
            return nil
        }
    }

    /// A JSON string's content (unescaped). As `assignText`, except that
    /// JSON has `null` for no value and arrays for lists: an empty string
    /// is a value (text, or a mistake for any other type, unless the
    /// record's `missing` line lists `""`), and a string for a list field
    /// is a mistake, not items separated by commas (Grammar.md §10).
    package func assignString<C: Collection>(_ f: Int, _ bytes: C, into r: inout RecordBuffer) -> FieldError?
        where C.Element == UInt8 {
        guard plans.indices.contains(f) else { return nil }
        switch plans[f].kind {
        case .text:
            break
        case .list:
            if !missingTexts.isEmpty && isMissingText(bytes) { return nil }
            return .stringForList(fields[f], String(decoding: bytes, as: UTF8.self))
        default:
            if bytes.isEmpty && !missingTexts.contains(where: \.isEmpty) { return .emptyText(fields[f]) }
        }
        return assignText(f, bytes, into: &r)
    }

    /// The common cases of `assignText`, with no look-up beyond the
    /// field's plan: a text, a level written as declared, an ISO time with
    /// an offset, a plain number. False: not one of them (the general path
    /// then reads it, or says what is wrong).
    @inline(__always)
    func assignCommon(_ f: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ r: inout RecordBuffer) -> Bool {
        guard missingTexts.isEmpty, plans.indices.contains(f) else { return false }
        let plan = plans[f]
        switch plan.kind {
        case .text:
            r.setText(f, bytes)
            return true
        case .choice:
            guard let i = choices.exact(bytes, plan) else { return false }
            r.setScalar(f, Double(i))
            return true
        case .time:
            guard let t = ISOTime.parse(buffer: bytes), t.hasOffset else { return false }
            r.setScalar(f, Double(t.seconds))
            return true
        case .number:
            guard let v = RecordSchema.plainNumber(bytes) else { return false }
            r.setScalar(f, v)
            return true
        case .bool, .duration, .formattedTime, .list:
            return false
        }
    }

    /// A number written plainly (`42`, `-1.5`, `1e3`: JSON's grammar, with
    /// nothing around it), or nil.
    static func plainNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard let c = bytes.first, c == UInt8(ascii: "-") || JSONScanner.isDigit(c) else { return nil }
        var scanner = JSONScanner(bytes)
        guard let v = try? scanner.readNumber(), scanner.atEnd, v.isFinite else { return nil }
        return v
    }

    /// One item of a list field, given as text.

    package func assignListItem<C: Collection>(_ f: Int, _ bytes: C, _ element: ElementKind, into r: inout RecordBuffer) -> FieldError?
        where C.Element == UInt8 {
        if case .text = element {
            r.appendListText(f, bytes)
            return nil
        }
        if let result = bytes.withContiguousStorageIfAvailable({ assignListItem(f, buffer: $0, element, into: &r) }) { return result }
        return Array(bytes).withUnsafeBufferPointer { assignListItem(f, buffer: $0, element, into: &r) }
    }

    /// A number or choice item; spaces and tabs around it are ignored.
    func assignListItem(_ f: Int, buffer bytes: UnsafeBufferPointer<UInt8>, _ element: ElementKind,
                        into r: inout RecordBuffer) -> FieldError? {
        let item = UnsafeBufferPointer(rebasing: RecordSchema.trimmed(bytes))
        switch element {
        case .text:
            r.appendListText(f, bytes)
        case .number:
            guard let v = RecordSchema.parseNumber(item) else {
                return .wrongType(fields[f], RecordSchema.describeNotNumber(bytes) + " in its list")
            }
            r.appendListScalar(f, v)
        case .choice(let table):
            guard let i = table.index(of: item) else {
                return .unknownValue(fields[f], String(decoding: bytes, as: UTF8.self), table)
            }
            r.appendListScalar(f, Double(i))
        }
        return nil
    }

    /// A JSON number (its text is kept for text fields: `"id": 42`).

    package func assignNumber<C: Collection>(_ f: Int, _ value: Double, text: C, into r: inout RecordBuffer) -> FieldError?
        where C.Element == UInt8 {
        if plans.indices.contains(f) && plans[f].kind == .number && value.isFinite {
            r.setScalar(f, value)
            return nil
        }
        switch fields[f].kind {
        case .text:
            r.setText(f, text)
            return nil
        case .number, .list(.number):
            // A JSON number beyond a double's range is read as infinite.
            guard value.isFinite else { return .wrongType(fields[f], "the number \(String(decoding: text, as: UTF8.self)) (too large for a number)") }
            if case .number = fields[f].kind { r.setScalar(f, value) } else { r.appendListScalar(f, value) }
            return nil
        default:
            return .wrongType(fields[f], "the number \(String(decoding: text, as: UTF8.self))")
        }
    }

    package func assignBool(_ f: Int, _ value: Bool, into r: inout RecordBuffer) -> FieldError? {
        switch fields[f].kind {
        case .bool:
            r.setScalar(f, value ? 1 : 0)
            return nil
        case .text:
            r.setText(f, value ? Array("true".utf8) : Array("false".utf8))
            return nil
        default:
            return .wrongType(fields[f], value ? "`true`" : "`false`")
        }
    }

    /// A typed value (from an example or the library API).
    package func assign(_ f: Int, _ value: Value, into r: inout RecordBuffer) {
        switch value {
        case .text(let s): r.setText(f, Array(s.utf8))
        case .list(let items):
            r.markPresent(f)
            for item in items {
                if case .text(let s) = item { r.appendListText(f, Array(s.utf8)) } else if let v = item.scalar { r.appendListScalar(f, v) }
            }
        default:
            if let v = value.scalar { r.setScalar(f, v) }
        }
    }

    /// After all fields are read: defaults for missing fields, then the
    /// first required field still missing, as an error.

    package func finish(_ r: inout RecordBuffer, requireAll: Bool = true) -> FieldError? {
        for f in fields.indices where !r.isPresent(f) {
            if let d = fields[f].defaultValue {
                assign(f, d, into: &r)
            } else if requireAll && fields[f].required {
                return .missing(fields[f])
            }
        }
        return nil
    }

    /// A field's value as the policy writes it, for echoing a record's
    /// `id` (Grammar.md §11): a text as it is, a number in its shortest
    /// form, a level or `one of` value by its name, a time in ISO 8601
    /// (UTC), a duration in ISO 8601, yes/no as `yes` or `no`.
    package func text(of f: Int, in r: RecordBuffer) -> String {
        guard fields.indices.contains(f) else { return "" }
        let v = r.scalar(f)
        switch fields[f].kind {
        case .text: return r.textString(f)
        case .number: return SExpr.number(v)
        case .bool: return v != 0 ? "yes" : "no"
        case .time: return ISOTime.string(utc: Int64(exactly: v) ?? 0)
        case .duration: return ISODuration.format(seconds: Int64(exactly: v) ?? 0)
        case .choice(let table):
            guard let level = ConditionCode.level(v, below: table.names.count) else { return SExpr.number(v) }
            return table.names[level]
        case .list: return ""
        }
    }

    // MARK: - Text helpers

    func isMissingText<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        for m in missingTexts where m.count == bytes.count && m.elementsEqual(bytes) { return true }
        return false
    }

    static func trimmed<C: BidirectionalCollection>(_ bytes: C) -> C.SubSequence where C.Element == UInt8 {
        var s = bytes[...]
        while let c = s.first, c == 0x20 || c == 0x09 { s = s.dropFirst() }
        while let c = s.last, c == 0x20 || c == 0x09 { s = s.dropLast() }
        return s
    }

    /// A decimal number written as text, the whole text: an optional sign,
    /// digits with an optional fraction (`5000`, `-1.5`, `+2`, `.5`, `5.`),
    /// an optional exponent (`1e3`), as a finite double (IEEE 754, rounded
    /// to nearest). Nil for anything else: `5 apples`, `12 3`, `1e400`,
    /// `0x10`, `inf`. Callers remove surrounding spaces first.
    package static func parseNumber<C: Collection>(_ bytes: C) -> Double? where C.Element == UInt8 {
        var i = bytes.startIndex
        func digits() -> Int {
            var n = 0
            while i != bytes.endIndex, bytes[i] &- 48 < 10 {
                n += 1
                i = bytes.index(after: i)
            }
            return n
        }
        if i != bytes.endIndex, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i = bytes.index(after: i) }
        var count = digits()
        if i != bytes.endIndex, bytes[i] == UInt8(ascii: ".") {
            i = bytes.index(after: i)
            count += digits()
        }
        guard count > 0 else { return nil }
        if i != bytes.endIndex, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i = bytes.index(after: i)
            if i != bytes.endIndex, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i = bytes.index(after: i) }
            guard digits() > 0 else { return nil }
        }
        guard i == bytes.endIndex, let v = Double(String(decoding: bytes, as: UTF8.self)), v.isFinite else { return nil }
        return v
    }

    /// How a text that is not a number reads in a message, with why when
    /// it looks like one.
    static func describeNotNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let text = "`\(String(decoding: bytes, as: UTF8.self))`"
        let value = trimmed(bytes)
        if let space = value.firstIndex(where: { $0 == 0x20 || $0 == 0x09 }),
           parseNumber(value[value.startIndex..<space]) != nil {
            return text + " (a number followed by more text)"
        }
        if value.allSatisfy({ $0 &- 48 < 10 || $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") }),
           Double(String(decoding: value, as: UTF8.self))?.isInfinite == true {
            return text + " (too large for a number)"
        }
        return text
    }

    /// `yes`, `no`, `true`, `false`, `y`, `n`, `1`, `0`, in any ASCII letter
    /// case. Callers remove surrounding spaces first.
    static func parseBool<C: Collection>(_ bytes: C) -> Bool? where C.Element == UInt8 {
        guard bytes.count <= 5 else { return nil }
        let lower = String(decoding: bytes.map(LevelTable.lower), as: UTF8.self)
        switch lower {
        case "true", "yes", "y", "1": return true
        case "false", "no", "n", "0": return false
        default: return nil
        }
    }

    /// `2 hours`, `3 days`: the language's own spelling of a duration.
    static func parseSpokenDuration<C: Collection>(_ bytes: C) -> Int64? where C.Element == UInt8 {
        let parts = String(decoding: bytes, as: UTF8.self).split(separator: " ")
        guard parts.count == 2, let n = Int64(parts[0]), n >= 0, n <= 1_000_000,
              let unit = Parser.unitWords[String(parts[1])], let size = unit.seconds else { return nil }
        return n * size
    }
}

/// A FieldPlan is how a field's value is read, in a form copied freely.
struct FieldPlan: Sendable {
    enum Kind: UInt8, Sendable {
        case text, number, bool, time, formattedTime, duration, choice, list
    }

    var kind: Kind
    /// For a choice field: its texts in `ChoiceTexts`.
    var first: Int32 = 0
    var end: Int32 = 0

    init(kind: Kind, first: Int = 0, end: Int = 0) {
        self.kind = kind
        self.first = Int32(first)
        self.end = Int32(end)
    }
}

/// ChoiceTexts holds the accepted texts of every choice field back to back,
/// each with its length and first eight bytes, so that the level a record
/// names is found by one or two compares a candidate (as keys are).
struct ChoiceTexts: Sendable {
    var bytes: [UInt8] = []
    var start: [Int] = []
    var count: [Int] = []
    var prefix: [UInt64] = []
    var level: [Int] = []

    /// Adds a table's texts; returns the range of entries they take.
    mutating func append(_ table: LevelTable) -> Range<Int> {
        let first = level.count
        for e in table.level.indices {
            let text = Array(table.texts[table.start[e]..<table.start[e + 1]])
            start.append(bytes.count)
            count.append(text.count)
            prefix.append(text.withUnsafeBufferPointer { JSONRecordDecoder.prefix($0) })
            level.append(table.level[e])
            bytes += text
        }
        return first..<level.count
    }

    /// The level of the field of `plan` written exactly as `text`, or nil.
    @inline(__always)
    func exact(_ text: UnsafeBufferPointer<UInt8>, _ plan: FieldPlan) -> Int? {
        let n = text.count
        let p = JSONRecordDecoder.prefix(text)
        return bytes.withUnsafeBufferPointer { all -> Int? in
            var e = Int(plan.first)
            while e < Int(plan.end) {
                // INVARIANT: entries `first..<end` are the field's, made by `append`.
                if count[e] == n && prefix[e] == p {
                    let s = start[e]
                    var k = 8
                    while k < n && all[s + k] == text[k] { k += 1 }
                    if k >= n { return level[e] }
                }
                e += 1
            }
            return nil
        }
    }
}

/// A LevelTable finds the index of a scale level or `one of` value from the
/// text a record uses: the name, one of its declared spellings, or either in
/// another letter case.
package struct LevelTable: Sendable {
    package let names: [String]
    /// Every accepted text, names first, back to back: text `e` is
    /// `texts[start[e]..<start[e + 1]]` and means level `level[e]`.
    let texts: [UInt8]
    let start: [Int]
    let level: [Int]

    init(names: [String], spellings: [[String]]) {
        self.names = names
        var all: [(text: [UInt8], index: Int)] = names.enumerated().map { (Array($0.element.utf8), $0.offset) }
        for (i, list) in spellings.enumerated() {
            for s in list { all.append((Array(s.utf8), i)) }
        }
        texts = all.flatMap(\.text)
        var start = [0]
        for e in all { start.append(start[start.count - 1] + e.text.count) }
        self.start = start
        level = all.map(\.index)
    }

    package func index<C: Collection>(of bytes: C) -> Int? where C.Element == UInt8 {
        if let found = bytes.withContiguousStorageIfAvailable({ index(buffer: $0) }) { return found }
        return Array(bytes).withUnsafeBufferPointer { index(buffer: $0) }
    }

    /// The level a text means: exactly first, then in any ASCII letter case
    /// (`High`, `CRITICAL`).
    func index(buffer bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = bytes.count
        return texts.withUnsafeBufferPointer { texts -> Int? in
            for e in level.indices where start[e + 1] - start[e] == n {
                let s = start[e]
                var k = 0
                while k < n && texts[s + k] == bytes[k] { k += 1 }
                if k == n { return level[e] }
            }
            for e in level.indices where start[e + 1] - start[e] == n {
                let s = start[e]
                var k = 0
                while k < n && LevelTable.lower(texts[s + k]) == LevelTable.lower(bytes[k]) { k += 1 }
                if k == n { return level[e] }
            }
            return nil
        }
    }

    @inline(__always)
    static func lower(_ c: UInt8) -> UInt8 { c | (c >= 65 && c <= 90 ? 0x20 : 0) }
}

/// Why one field of a record could not be read.
package indirect enum FieldError: Error, Sendable {
    case missing(RecordSchema.FieldInfo)
    /// Missing, while the record has a key that differs only in letter case.
    case missingBut(RecordSchema.FieldInfo, nearKey: String)
    case wrongType(RecordSchema.FieldInfo, String)
    case unknownValue(RecordSchema.FieldInfo, String, LevelTable)
    case badTime(RecordSchema.FieldInfo, String, expected: String)
    /// An empty JSON string for a field that is not text.
    case emptyText(RecordSchema.FieldInfo)
    /// A JSON string for a list field.
    case stringForList(RecordSchema.FieldInfo, String)
    case structure(String)

    /// Whether a required field is missing (however the message says it).
    package var isMissing: Bool {
        switch self {
        case .missing, .missingBut: return true
        default: return false
        }
    }

    /// The message in an error line: what is wrong and, where likely, the fix.
    package var message: String {
        switch self {
        case .missing(let f):
            return "missing required field `\(f.name)`" + (f.key != f.name ? " (read from `\(f.key)`)" : "")
        case .missingBut(let f, let near):
            return "missing required field `\(f.name)`" + (f.key != f.name ? " (read from `\(f.key)`)" : "")
                + "; the record has `\(near)`, but keys are matched exactly, letter case too: write `\(f.key)`, "
                + "or read it with `from \"\(near)\"`"
        case .wrongType(let f, let what):
            return "`\(f.name)` should be \(f.typeName), not \(what)"
        case .unknownValue(let f, let text, let table):
            var message = "`\(f.name)` is \(SExpr.quote(text)), which is not one of \(table.names.map { "`\($0)`" }.joined(separator: ", "))"
            if let s = Suggest.closest(to: text, in: table.names) { message += "; did you mean `\(s)`?" }
            return message
        case .badTime(let f, let text, let expected):
            return "`\(f.name)` is \(SExpr.quote(text)), which is not \(expected)"
        case .emptyText(let f):
            return "`\(f.name)` should be \(f.typeName), not an empty text; write `null` for no value, "
                + "or list `\"\"` in the record's `missing` line"
        case .stringForList(let f, let text):
            return "`\(f.name)` should be \(f.typeName), not the text \(SExpr.quote(text)); in JSON a list is an array, "
                + "such as `[\"a\", \"b\"]`"
        case .structure(let text):
            return text
        }
    }
}
