/// Reading a parsed `JSONValue` as a record: the same rules as
/// `JSONRecordDecoder` (dotted keys reach into nested objects, the last of
/// repeated keys wins but each is read, `null` is missing, unknown keys are ignored), for the
/// library API, the REPL and examples, where a record is already a tree.
extension RecordSchema {
    // MARK: - Reading a JSONValue

    /// Resets `buffer` and reads the fields of a JSON object into it, then
    /// applies defaults (`finish`). The first problem is returned.
    package func read(_ value: JSONValue, into buffer: inout RecordBuffer) -> FieldError? {
        buffer.reset()
        guard case .object(let members) = value else { return .structure("a record must be a JSON object, not \(value.kindDescription)") }
        for f in fields.indices {
            if let error = readMembers(f, members, depth: 0, into: &buffer) { return error }
        }
        return nearKey(finish(&buffer), in: value)
    }

    /// Reads every member on field `f`'s path in an object, in order, as
    /// `JSONRecordDecoder` does: each value of a repeated key is read (and
    /// must fit the field), and the last one stays.
    func readMembers(_ f: Int, _ members: [(key: String, value: JSONValue)], depth: Int,
                     into buffer: inout RecordBuffer) -> FieldError? {
        let path = fields[f].path
        guard depth < path.count else { return nil }
        for member in members where member.key.utf8.elementsEqual(path[depth]) {
            if depth == path.count - 1 {
                if buffer.isPresent(f) { buffer.clear(f) }
                if let error = assignJSON(f, member.value, into: &buffer) { return error }
                continue
            }
            // A repeated key holding an object replaces the object before
            // it: what that one held is forgotten (the last key wins).
            if buffer.isPresent(f) { buffer.clear(f) }
            switch member.value {
            case .object(let inner):
                if let error = readMembers(f, inner, depth: depth + 1, into: &buffer) { return error }
            case .null:
                continue
            default:
                let holder = path[0...depth].map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".")
                let rest = path[(depth + 1)...].map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".")
                return .structure("`\(holder)` should be an object holding `\(rest)`, not \(member.value.kindDescription)")
            }
        }
        return nil
    }

    /// One field's JSON value.
    func assignJSON(_ f: Int, _ value: JSONValue, into r: inout RecordBuffer) -> FieldError? {
        let info = fields[f]
        switch value {
        case .null:
            return nil
        case .string(let s):
            return assignString(f, Array(s.utf8), into: &r)
        case .number(let v):
            if case .list(let element) = info.kind, !JSONRecordDecoder.isNumber(element) {
                return assignListItem(f, Array(JSONValue.numberText(v).utf8), element, into: &r)
            }
            return assignNumber(f, v, text: Array(JSONValue.numberText(v).utf8), into: &r)
        case .bool(let b):
            if case .list(let element) = info.kind {
                if JSONRecordDecoder.isNumber(element) {
                    r.appendListScalar(f, b ? 1 : 0)
                    return nil
                }
                return assignListItem(f, JSONRecordDecoder.word(b), element, into: &r)
            }
            return assignBool(f, b, into: &r)
        case .array(let items):
            guard case .list(let element) = info.kind else { return .wrongType(info, "an array") }
            r.markPresent(f)
            for item in items {
                switch item {
                case .null: continue
                case .string(let s):
                    if let error = assignListItem(f, Array(s.utf8), element, into: &r) { return error }
                case .number(let v):
                    if JSONRecordDecoder.isNumber(element) {
                        r.appendListScalar(f, v)
                    } else if let error = assignListItem(f, Array(JSONValue.numberText(v).utf8), element, into: &r) {
                        return error
                    }
                case .bool(let b):
                    if JSONRecordDecoder.isNumber(element) {
                        r.appendListScalar(f, b ? 1 : 0)
                    } else if let error = assignListItem(f, JSONRecordDecoder.word(b), element, into: &r) {
                        return error
                    }
                case .array: return .wrongType(info, "a list holding an array")
                case .object: return .wrongType(info, "a list holding an object")
                }
            }
            return nil
        case .object:
            // A key that is both a field and the parent of dotted fields
            // holds those fields, as in `JSONRecordDecoder`.
            let prefix = info.key + "."
            if fields.contains(where: { $0.key.hasPrefix(prefix) }) { return nil }
            return .wrongType(info, "an object")
        }
    }
}
