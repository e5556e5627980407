/// Amends: a declarative language for a service business's standard
/// response to a mistake.
///
/// The pipeline, one folder each: `Syntax` (source, tokens, lexer, parser,
/// AST), `Semantics` (names, types, analyses, lints), `Runtime` (compiled
/// program, records, evaluation, actions), `Diagnostics` (the model and its
/// renderers), `Tools` (formatter, example runner, explainer) and `Driver`
/// (loading files and putting the stages together).
package enum Amends {
    package static let version = "0.1.0"
}
