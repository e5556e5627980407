/// The report as one self-contained HTML page.
extension Report {
    package func html(_ context: ReportContext) -> String { text(context) }
}
