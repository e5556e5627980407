/// The members `amends run --for-report` adds to each result line, so that
/// `amends report --results` can make from saved lines the report it makes
/// from records (Grammar.md §11): `clock`, the record's clock value;
/// `fired`, every rule that fired; and with `--keep FIELD` a `fields`
/// object with each kept field's value as the policy writes it.
package enum ReportMembers {
    /// The bytes to add to a record's line (they start with a comma).
    package static func maker(program: Program, keep: [Int]) -> @Sendable (Evaluation, RecordBuffer) -> [UInt8] {
        let schema = program.schema
        // The rules as JSON objects, made once.
        let rules: [String] = program.model.rules.map { rule in
            var s = "{\"file\":"
            JSONValue.appendQuoted(rule.file, to: &s)
            s += ",\"line\":\(rule.line)"
            if let name = rule.name {
                s += ",\"rule\":"
                JSONValue.appendQuoted(name, to: &s)
            }
            return s + "}"
        }
        let names: [String] = keep.map { f in
            var s = ""
            JSONValue.appendQuoted(schema.fields.indices.contains(f) ? schema.fields[f].name : "", to: &s)
            return s
        }
        return { evaluation, record in
            var s = ""
            if let c = schema.clockField, record.isPresent(c) {
                s += ",\"clock\":\"" + ISOTime.string(utc: Evaluator.seconds(record.scalar(c))) + "\""
            }
            s += ",\"fired\":["
            for (i, r) in evaluation.firedRules.enumerated() where rules.indices.contains(r) {
                if i > 0 { s += "," }
                s += rules[r]
            }
            s += "]"
            if !keep.isEmpty {
                s += ",\"fields\":{"
                for (i, f) in keep.enumerated() {
                    if i > 0 { s += "," }
                    s += names[i] + ":"
                    if record.isPresent(f) {
                        JSONValue.appendQuoted(schema.text(of: f, in: record), to: &s)
                    } else {
                        s += "null"
                    }
                }
                s += "}"
            }
            return Array(s.utf8)
        }
    }
}
