import Amends

/// A SymbolIndex is every place a policy (and the files it uses) names a
/// field, define, role, remedy, channel, scale, level, `one of` value, rule
/// or example: where each is declared and where it is used. Definition,
/// references, rename, hover and semantic tokens read it.
///
/// Names are resolved as the checker resolves them: a bare word in a
/// condition is a field, else a `define`, else a level of the scale (or a
/// value of the `one of`) of the field it is compared with, else any
/// level or value of that spelling.
struct SymbolIndex: Sendable {
    enum Kind: String, Sendable {
        case field, define, role, remedy, channel, scale, level, value, rule, example
    }

    /// A Symbol is one declared thing: a level belongs to its scale, a
    /// value to its field.
    struct Symbol: Sendable, Hashable {
        var kind: Kind
        var name: String
        var owner: String = ""
    }

    struct Occurrence: Sendable {
        var symbol: Symbol
        var path: String
        var span: Span
        var isDeclaration: Bool
    }

    private(set) var occurrences: [Occurrence] = []
    /// Occurrences of each file, in text order (indexes into `occurrences`).
    private var byPath: [String: [Int]] = [:]
    private let model: PolicyModel
    private var defines: Set<String> = []

    init(_ compiled: Driver.Compiled) {
        model = compiled.model
        for file in compiled.loaded.files {
            for item in file.items {
                if case .define(let d) = item.kind { defines.insert(d.name.name) }
            }
        }
        for file in compiled.loaded.files {
            for item in file.items { add(item, path: file.source.path) }
        }
        for (k, o) in occurrences.enumerated() { byPath[o.path, default: []].append(k) }
        for (path, list) in byPath {
            byPath[path] = list.sorted { occurrences[$0].span.start < occurrences[$1].span.start }
        }
    }

    // MARK: - Queries

    /// The occurrence at `offset` in the file at `path` (its end counts,
    /// so a cursor just after a name finds it).
    func occurrence(at offset: Int, path: String) -> Occurrence? {
        guard let list = byPath[path] else { return nil }
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if occurrences[list[mid]].span.end < offset { lo = mid + 1 } else { hi = mid }
        }
        guard lo < list.count else { return nil }
        let o = occurrences[list[lo]]
        return o.span.start <= offset && offset <= o.span.end ? o : nil
    }

    func occurrences(of symbol: Symbol) -> [Occurrence] { occurrences.filter { $0.symbol == symbol } }

    func occurrences(in path: String) -> [Occurrence] { (byPath[path] ?? []).map { occurrences[$0] } }

    // MARK: - Building

    private mutating func note(_ kind: Kind, _ name: String, owner: String = "", _ path: String, _ span: Span,
                               declaration: Bool = false) {
        guard span.end > span.start else { return }
        occurrences.append(Occurrence(symbol: Symbol(kind: kind, name: name, owner: owner), path: path, span: span,
                                      isDeclaration: declaration))
    }

    private mutating func add(_ item: Item, path: String) {
        switch item.kind {
        case .scale(let scale):
            note(.scale, scale.name.name, path, scale.name.span, declaration: true)
            for level in scale.levels { note(.level, level.name.name, owner: scale.name.name, path, level.name.span, declaration: true) }
        case .record(let record):
            for field in record.fields {
                note(.field, field.name.name, path, field.name.span, declaration: true)
                addType(field.type, field: field.name.name, path: path)
                if let value = field.defaultValue { expr(value, path: path, expected: fieldType(field.name.name)) }
            }
        case .deadlinesFrom(let id):
            note(.field, id.name, path, id.span)
        case .names(let list):
            let kind: Kind = list.kind == .roles ? .role : list.kind == .remedies ? .remedy : .channel
            for name in list.names { note(kind, name.name, path, name.span, declaration: true) }
        case .define(let d):
            note(.define, d.name.name, path, d.name.span, declaration: true)
            expr(d.condition, path: path, expected: nil)
        case .rule(let rule):
            if let name = rule.name { note(.rule, name.value, path, name.span, declaration: true) }
            if let condition = rule.condition { expr(condition, path: path, expected: nil) }
            for action in rule.actions { self.action(action, path: path) }
        case .example(let example):
            note(.example, example.name.value, path, example.name.span, declaration: true)
            if let given = example.given { expr(given, path: path, expected: nil) }
            for expectation in example.expectations {
                if let action = expectation.action { self.action(action, path: path) }
            }
        case .mark(let mark):
            expr(mark.condition, path: path, expected: nil)
        case .historyKey(let id):
            note(.field, id.name, path, id.span)
        case .done(let done):
            // The roles and fields a `done:` line names are found and renamed with the rest.
            for line in done.lines {
                if let role = line.target.role { note(.role, role.name, path, role.span) }
                note(.field, line.field.name, path, line.field.span)
            }
        case .policyName, .use, .calendar, .usingCalendar:
            break
        }
    }

    private mutating func addType(_ type: TypeExpr, field: String, path: String) {
        switch type.kind {
        case .named(let id):
            if model.scales.contains(where: { $0.name == id.name }) { note(.scale, id.name, path, id.span) }
        case .oneOf(let values):
            for value in values { note(.value, value.name.name, owner: field, path, value.name.span, declaration: true) }
        case .list(let element):
            addType(element, field: field, path: path)
        default:
            break
        }
    }

    private mutating func action(_ action: Action, path: String) {
        switch action.kind {
        case .notify(let roles, _): for r in roles { note(.role, r.name, path, r.span) }
        case .escalate(let role, _), .assign(let role): note(.role, role.name, path, role.span)
        case .respond(_, let by), .followUp(_, let by), .apology(_, _, let by):
            if let by { note(.channel, by.name, path, by.span) }
        case .offer(let remedies): for r in remedies { note(.remedy, r.name, path, r.span) }
        case .review, .task, .waive: break
        }
    }

    private func fieldType(_ name: String) -> ValueType? {
        model.fieldIndex(name).map { model.fields[$0].type }
    }

    /// The type of an operand, when it is a field.
    private func type(of e: Expr) -> ValueType? {
        switch e.kind {
        case .name(let n): return fieldType(n)
        case .group(let inner): return type(of: inner)
        default: return nil
        }
    }

    private mutating func expr(_ e: Expr, path: String, expected: ValueType?) {
        switch e.kind {
        case .name(let n): name(n, span: e.span, path: path, expected: expected)
        case .compare(_, let a, let b), .text(_, let a, let b):
            expr(a, path: path, expected: type(of: b))
            expr(b, path: path, expected: type(of: a))
        case .member(let a, let list, _):
            var element = type(of: a)
            if case .list(let inner)? = element { element = inner }
            expr(a, path: path, expected: nil)
            expr(list, path: path, expected: element)
        case .list(let items):
            let element: ValueType?
            if case .list(let inner)? = expected { element = inner } else { element = expected }
            for item in items { expr(item, path: path, expected: element) }
        case .record(let entries):
            for entry in entries {
                note(.field, entry.key.name, path, entry.key.span)
                expr(entry.value, path: path, expected: fieldType(entry.key.name))
            }
        case .presence(let inner, _), .clock(let inner, _), .not(let inner), .group(let inner): expr(inner, path: path, expected: expected)
        case .and(let a, let b), .or(let a, let b):
            expr(a, path: path, expected: nil)
            expr(b, path: path, expected: nil)
        case .history(let h): if let filter = h.filter { expr(filter, path: path, expected: nil) }
        case .age, .number, .string, .bool, .null, .duration, .timestamp, .error: break
        }
    }

    private mutating func name(_ n: String, span: Span, path: String, expected: ValueType?) {
        if model.fieldIndex(n) != nil { return note(.field, n, path, span) }
        if defines.contains(n) { return note(.define, n, path, span) }
        var want = expected
        if case .list(let inner)? = want { want = inner }
        switch want {
        case .scale(let s)? where model.scales.indices.contains(s) && model.scales[s].levels.contains(n):
            return note(.level, n, owner: model.scales[s].name, path, span)
        case .enumeration(let e)? where model.enumerations.indices.contains(e) && model.enumerations[e].values.contains(n):
            return note(.value, n, owner: model.enumerations[e].owner, path, span)
        default: break
        }
        if let scale = model.scales.first(where: { $0.levels.contains(n) }) { return note(.level, n, owner: scale.name, path, span) }
        if let e = model.enumerations.first(where: { $0.values.contains(n) }) { return note(.value, n, owner: e.owner, path, span) }
    }
}
