/// A RecordBuffer holds one incident's field values in slots, one slot per
/// declared field, ready for evaluation: no dictionaries, no boxing.
///
/// Scalars of every type are kept as `Double` (numbers; seconds for times
/// and durations; the index of a scale level or `one of` value; 0 or 1 for
/// yes/no), so a compiled comparison is a single floating-point compare.
/// Texts are byte ranges into `textBytes`. A slot is one word (`Slot`). All of a record's slots are one
/// array, so a record is two allocations (its slots and its text), however
/// many fields it has: records held in memory stay compact, and the slots
/// a condition reads are next to one another. A buffer is reused from
/// record to record (`reset()`), so reading a record allocates nothing
/// once warm.
package struct RecordBuffer: Sendable {
    /// A Slot is one field's value in one word, so that a record's slots
    /// are few cache lines and a leaf reads its field with one load: the
    /// bits of a `Double` for every type but text (the value; a scale
    /// level's or `one of` value's index; 0 or 1 for yes/no; seconds), the
    /// range of a text's bytes in `textBytes` (start in the low 32 bits,
    /// count in the next 31), or `Slot.missing` when the field has no value.
    /// `missing` is a NaN with its sign set, so a missing slot compares
    /// false with every number, and no value of a present field has its
    /// bits (a value with them is kept as a plain NaN).
    package struct Slot: Sendable {
        var bits: UInt64 = Slot.missing

        static let missing: UInt64 = 0xFFF4_0000_DEAD_BEEF

        /// Whether the field has a value (after defaults).
        package var present: Bool {
            @inline(__always) get { bits != Slot.missing }
        }

        /// The value of a field of any type but text and lists; 0 when it
        /// has none.
        package var scalar: Double {
            @inline(__always) get { bits != Slot.missing ? Double(bitPattern: bits) : 0 }
        }

        /// The value's bits as a `Double`, whatever they are: NaN when the
        /// field has none, so that a compare with it is false.
        var raw: Double {
            @inline(__always) get { Double(bitPattern: bits) }
        }

        @inline(__always)
        mutating func set(_ value: Double) {
            bits = value.bitPattern == Slot.missing ? Double.nan.bitPattern : value.bitPattern
        }

        /// Present with no scalar (a list, an empty text).
        mutating func markPresent() {
            if bits == Slot.missing { bits = 0 }
        }

        var textStart: Int {
            Int(UInt32(truncatingIfNeeded: bits))
        }
        var textCount: Int {
            Int(UInt32(truncatingIfNeeded: bits >> 32))
        }

        /// Texts are shorter than 2 GiB (a record is at most 1 MiB), so the
        /// top bit stays clear and the range is never `missing`.
        mutating func setTextRange(start: Int, count: Int) {
            bits = UInt64(UInt32(truncatingIfNeeded: start)) | UInt64(UInt32(truncatingIfNeeded: min(count, Int(Int32.max)))) << 32
        }
    }

    package internal(set) var slots: [Slot]
    package internal(set) var textBytes: [UInt8] = []
    /// For list fields: the items, scalars or text ranges; empty (no lists
    /// at all) until a list is given items.
    var scalarLists: [[Double]] = []
    var textLists: [[Range<Int>]] = []
    /// The time `age` is measured at, in seconds since the epoch.
    package var now: Double = 0
    /// The record's history facts (`PolicyModel.historyTerms`), set before
    /// it is evaluated; NaN when one is missing. Empty without history.
    package var history: [Double] = []

    /// History fact `i`, nil when missing.
    @inline(__always)
    package func historyValue(_ i: Int) -> Double? {
        guard history.indices.contains(i), !history[i].isNaN else { return nil }
        return history[i]
    }

    package init(fieldCount: Int) {
        slots = Array(repeating: Slot(), count: max(0, fieldCount))
    }

    package var fieldCount: Int { slots.count }

    /// Whether field `f` has a value (false for a field the buffer has no
    /// slot for).
    @inline(__always)
    package func isPresent(_ f: Int) -> Bool { slots.indices.contains(f) && slots[f].present }

    /// The scalar value of field `f` (0 when it has none).
    @inline(__always)
    package func scalar(_ f: Int) -> Double { slots.indices.contains(f) ? slots[f].scalar : 0 }

    /// Empties every slot, keeping the storage.
    package mutating func reset() {
        slots.withUnsafeMutableBufferPointer { all in
            for i in all.indices { all[i].bits = Slot.missing }
        }
        textBytes.removeAll(keepingCapacity: true)
        for i in scalarLists.indices where !scalarLists[i].isEmpty { scalarLists[i].removeAll(keepingCapacity: true) }
        for i in textLists.indices where !textLists[i].isEmpty { textLists[i].removeAll(keepingCapacity: true) }
    }

    package mutating func setScalar(_ field: Int, _ value: Double) {
        slots[field].set(value)
    }

    /// Stores a text value (copied into `textBytes`).
    package mutating func setText<C: Collection>(_ field: Int, _ bytes: C) where C.Element == UInt8 {
        let start = textBytes.count
        textBytes.append(contentsOf: bytes)
        slots[field].setTextRange(start: start, count: textBytes.count - start)
    }

    /// Empties one field (a repeated key in a record: the last one wins).
    mutating func clear(_ field: Int) {
        slots[field].bits = Slot.missing
        if scalarLists.indices.contains(field) && !scalarLists[field].isEmpty { scalarLists[field].removeAll(keepingCapacity: true) }
        if textLists.indices.contains(field) && !textLists[field].isEmpty { textLists[field].removeAll(keepingCapacity: true) }
    }

    /// The bytes of a text field (valid until the next reset).
    package func text(_ field: Int) -> ArraySlice<UInt8> {
        guard slots.indices.contains(field) else { return [] }
        let start = slots[field].textStart
        let end = start + slots[field].textCount
        guard start >= 0, end <= textBytes.count, start <= end else { return [] }
        return textBytes[start..<end]
    }

    /// Calls `body` with the bytes of a text field (empty when it has
    /// none), without making a slice of `textBytes`.
    @inline(__always)
    func withText<R>(_ field: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        guard slots.indices.contains(field) else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        let start = slots[field].textStart
        let end = start + slots[field].textCount
        return textBytes.withUnsafeBufferPointer { all in
            guard start >= 0, end <= all.count, start <= end else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
            return body(UnsafeBufferPointer(rebasing: all[start..<end]))
        }
    }

    package func textString(_ field: Int) -> String {
        String(decoding: text(field), as: UTF8.self)
    }

    /// The items of a list field of numbers, levels or choices.
    package func listScalars(_ field: Int) -> [Double] {
        scalarLists.indices.contains(field) ? scalarLists[field] : []
    }

    /// The items of a list field of texts, as ranges of `textBytes`.
    package func listTexts(_ field: Int) -> [Range<Int>] {
        textLists.indices.contains(field) ? textLists[field] : []
    }

    package mutating func appendListText<C: Collection>(_ field: Int, _ bytes: C) where C.Element == UInt8 {
        if textLists.isEmpty { textLists = Array(repeating: [], count: slots.count) }
        let start = textBytes.count
        textBytes.append(contentsOf: bytes)
        textLists[field].append(start..<textBytes.count)
        slots[field].markPresent()
    }

    package mutating func appendListScalar(_ field: Int, _ value: Double) {
        if scalarLists.isEmpty { scalarLists = Array(repeating: [], count: slots.count) }
        scalarLists[field].append(value)
        slots[field].markPresent()
    }

    /// Marks a list field present (an empty list is a value, not missing).
    package mutating func markPresent(_ field: Int) {
        slots[field].markPresent()
    }
}
