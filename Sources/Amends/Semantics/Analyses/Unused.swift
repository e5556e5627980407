/// W303-W306: a `define`, role, remedy or channel the policy declares and
/// never uses.
///
/// Only names declared in the main file are judged: a file that others
/// `use` offers names that not every user needs. A main file with no rules
/// at all is a shared declarations file, so its names are not judged either.
/// A role, remedy or channel counts as used when an action of a rule (or an
/// example's `expect`) names it; a define counts as used when a rule's
/// condition or a mark (`our fault: our_fault`) reaches it, directly or through other defines. The built-in
/// channels are never reported; channels declared in `channels:` are.
enum Unused {
    static func run(_ c: AnalysisContext) -> [Diagnostic] {
        let loaded = c.compiled.loaded
        let main = loaded.main
        guard loaded.files.indices.contains(main) else { return [] }
        let mainItems = loaded.files[main].items
        let mainHasRules = mainItems.contains { if case .rule = $0.kind { return true } else { return false } }
        guard mainHasRules else { return [] }
        let source = loaded.files[main].source
        let usage = c.compiled.usage
        let reachable = reachableDefines(c.model)
        var out: [Diagnostic] = []
        for item in mainItems {
            switch item.kind {
            case .names(let decl):
                for name in decl.names {
                    let used: Bool
                    let code: DiagnosticCode
                    switch decl.kind {
                    case .roles:
                        used = c.model.roles.firstIndex(of: name.name).map(usage.roles.contains) ?? true
                        code = .unusedRole
                    case .remedies:
                        used = c.model.remedies.firstIndex(of: name.name).map(usage.remedies.contains) ?? true
                        code = .unusedRemedy
                    case .channels:
                        used = c.model.channels.firstIndex(of: name.name).map(usage.channels.contains) ?? true
                        code = .unusedChannel
                    }
                    if used { continue }
                    let kind = decl.kind.singular
                    out.append(Diagnostic(code, "the \(kind) `\(name.name)` is never used", source: source, span: name.span,
                                          help: "remove it from `\(decl.kind.rawValue):`, or name it in an action"))
                }
            case .define(let decl):
                guard let d = c.model.defines.firstIndex(where: { $0.name == decl.name.name }), !reachable.contains(d) else { continue }
                let viaOthers = usage.defines.contains(d)
                out.append(Diagnostic(.unusedDefine,
                                      viaOthers ? "`\(decl.name.name)` is used only by defines that no rule uses"
                                                : "`\(decl.name.name)` is never used",
                                      source: source, span: decl.name.span,
                                      help: "use it in a rule's condition, e.g. `when \(decl.name.name): …`, or remove it"))
            default:
                continue
            }
        }
        return out
    }

    /// The defines a rule's condition or a mark reaches, directly or through others.
    static func reachableDefines(_ model: PolicyModel) -> Set<Int> {
        var seen = Set<Int>()
        var pending: [Condition] = model.rules.compactMap(\.condition) + model.marks.values.map(\.condition)
        while let node = pending.popLast() {
            switch node.kind {
            case .define(let d):
                if seen.insert(d).inserted, model.defines.indices.contains(d) { pending.append(model.defines[d].condition) }
            case .not(let a):
                pending.append(a)
            case .and(let a, let b), .or(let a, let b):
                pending.append(a)
                pending.append(b)
            default:
                continue
            }
        }
        return seen
    }
}
