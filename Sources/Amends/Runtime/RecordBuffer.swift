/// A RecordBuffer holds one incident's field values in slots, one slot per
/// declared field, ready for evaluation: no dictionaries, no boxing.
///
/// Scalars of every type are kept as `Double` (numbers; seconds for times
/// and durations; the index of a scale level or `one of` value; 0 or 1 for
/// yes/no), so a compiled comparison is a single floating-point compare.
/// Texts are byte ranges into `textBytes`. A buffer is reused from record to
/// record (`reset()`), so reading a record allocates nothing once warm.
public struct RecordBuffer: Sendable {
    /// Whether each field has a value (after defaults).
    public var present: [Bool]
    public var scalars: [Double]
    /// For text fields: the value's bytes in `textBytes`.
    public var textStart: [Int]
    public var textCount: [Int]
    public var textBytes: [UInt8]
    /// For list fields: the items, scalars or text ranges (added with
    /// `appendListScalar` and `appendListText`).
    public internal(set) var listScalars: [[Double]]
    public internal(set) var listTexts: [[Range<Int>]]
    /// Whether any list may hold items (so `reset` has lists to empty).
    var listsInUse = false
    /// The time `age` is measured at, in seconds since the epoch.
    public var now: Double = 0

    public init(fieldCount: Int) {
        present = Array(repeating: false, count: fieldCount)
        scalars = Array(repeating: 0, count: fieldCount)
        textStart = Array(repeating: 0, count: fieldCount)
        textCount = Array(repeating: 0, count: fieldCount)
        textBytes = []
        textBytes.reserveCapacity(1024)
        listScalars = Array(repeating: [], count: fieldCount)
        listTexts = Array(repeating: [], count: fieldCount)
    }

    /// Empties every slot, keeping the storage.
    public mutating func reset() {
        present.withUnsafeMutableBufferPointer { $0.update(repeating: false) }
        textBytes.removeAll(keepingCapacity: true)
        guard listsInUse else { return }
        for i in listScalars.indices where !listScalars[i].isEmpty { listScalars[i].removeAll(keepingCapacity: true) }
        for i in listTexts.indices where !listTexts[i].isEmpty { listTexts[i].removeAll(keepingCapacity: true) }
        listsInUse = false
    }

    public mutating func setScalar(_ field: Int, _ value: Double) {
        scalars[field] = value
        present[field] = true
    }

    /// Stores a text value (copied into `textBytes`).
    public mutating func setText<C: Collection>(_ field: Int, _ bytes: C) where C.Element == UInt8 {
        textStart[field] = textBytes.count
        textBytes.append(contentsOf: bytes)
        textCount[field] = textBytes.count - textStart[field]
        present[field] = true
    }

    /// The bytes of a text field (valid until the next reset).
    public func text(_ field: Int) -> ArraySlice<UInt8> {
        textBytes[textStart[field]..<(textStart[field] + textCount[field])]
    }

    public func textString(_ field: Int) -> String {
        String(decoding: text(field), as: UTF8.self)
    }

    public mutating func appendListText<C: Collection>(_ field: Int, _ bytes: C) where C.Element == UInt8 {
        let start = textBytes.count
        textBytes.append(contentsOf: bytes)
        listTexts[field].append(start..<textBytes.count)
        listsInUse = true
        present[field] = true
    }

    public mutating func appendListScalar(_ field: Int, _ value: Double) {
        listScalars[field].append(value)
        listsInUse = true
        present[field] = true
    }

    /// Marks a list field present (an empty list is a value, not missing).
    public mutating func markPresent(_ field: Int) {
        present[field] = true
    }
}
