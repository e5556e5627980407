#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import Amends

/// Where `amends run` writes, when writing goes wrong: a reader that stops
/// reading (`| head -1`), a full disk (`> /dev/full`, `ulimit -f`), an
/// output file that cannot be made, a signal in the middle of a run.
/// Results are never claimed when they were not written, and `--output`
/// never leaves a file half-written.
@Suite("Output")
struct OutputTests {
    static let fixtures = Tool.packageRoot + "/Tests/AmendsTests/fixtures/run"
    static let policy = fixtures + "/standard.policy"
    static let record = #"{"id": "INC-1", "severity": "critical", "tier": "enterprise", "category": "outage", "caused_by": "us", "reported": "2026-03-02T09:00:00Z"}"#

    /// A fresh folder under /tmp, removed with its files afterwards.
    static func folder() -> String {
        let dir = "/tmp/amends-output-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        mkdir(dir, 0o755)
        return dir
    }

    static func remove(_ dir: String) {
        for name in entries(dir) { unlink(dir + "/" + name) }
        rmdir(dir)
    }

    /// The names in a folder, hidden ones too.
    static func entries(_ dir: String) -> [String] { FileSystem.entries(of: dir) }

    static func quote(_ s: String) -> String { "'" + s.replacing("'", with: "'\\''") + "'" }

    // MARK: - A reader that goes away

    /// `yes` never ends: without stopping at the closed pipe the run would
    /// never end either (`timeout` would give 124).
    @Test func aClosedPipeEndsTheRunQuietly() {
        let r = Tool.shell("""
            yes \(Self.quote(Self.record)) | { timeout 120 "$AMENDS" run \(Self.policy) - --now 2026-03-02T10:00:00Z 2>&1; echo "status $?" >&2; } | head -1
            """)
        #expect(r.lines.count == 1)
        #expect(r.stdout.hasPrefix(#"{"record":1,"id":"INC-1","actions":["#))
        #expect(r.stderr == "status 0\n", "quiet, status 0: \(r.stderr)")
    }

    @Test func aClosedPipeAfterManyFilesStopsAtOnce() {
        let dir = Self.folder()
        defer { Self.remove(dir) }
        let many = String(repeating: Self.record + "\n", count: 20_000)
        _ = FileSystem.writeAtomically(dir + "/a.jsonl", Array(many.utf8))
        let files = Array(repeating: dir + "/a.jsonl", count: 50).joined(separator: " ")
        let r = Tool.shell("""
            { "$AMENDS" run \(Self.policy) \(files) --now 2026-03-02T10:00:00Z 2>&1; echo "status $?" >&2; } | head -2
            """)
        #expect(r.lines.count == 2)
        #expect(r.stderr == "status 0\n")
    }

    // MARK: - Standard output that cannot be written

    @Test func aFullDiskOnStandardOutputIsAnError() {
        let r = Tool.shell("\"$AMENDS\" run \(Self.policy) \(Self.fixtures)/mixed.jsonl --now 2026-03-02T10:00:00Z > /dev/full")
        #expect(r.status == 2)
        #expect(r.stderr.contains("error: could not write the results to standard output: no space left on device"), "\(r.stderr)")
        #expect(!r.stderr.contains("could not be read"), "no summary of results never written")
    }

    @Test func everyCommandReportsAFullDisk() {
        let r = Tool.shell("\"$AMENDS\" help run > /dev/full")
        #expect(r.status == 2)
        #expect(r.stderr == "error: could not write to standard output: no space left on device\n")
        let check = Tool.shell("\"$AMENDS\" check \(Self.policy) > /dev/full")
        #expect(check.status == 2)
    }

    // MARK: - --output FILE

    @Test func anOutputFileThatCannotBeMade() {
        let dir = Self.folder()
        defer { Self.remove(dir) }
        let r = Tool.run(["run", Self.policy, Self.fixtures + "/mixed.jsonl", "--output", dir + "/no/such/folder/out.jsonl"])
        #expect(r.status == 2)
        #expect(r.stderr == "error: cannot write `\(dir)/no/such/folder/out.jsonl`: no such file or directory\n")
        #expect(Self.entries(dir).isEmpty)
    }

    /// `ulimit -f` stops the file part-way (EFBIG): the run says so, exits
    /// 2, removes its temporary file and leaves the old results alone.
    @Test func aWriteFailurePartWayLeavesTheOldFile() throws {
        let dir = Self.folder()
        defer { Self.remove(dir) }
        let out = dir + "/out.jsonl"
        _ = FileSystem.writeAtomically(out, Array("the old results\n".utf8))
        let many = String(repeating: Self.record + "\n", count: 5_000)
        _ = FileSystem.writeAtomically(dir + "/in.jsonl", Array(many.utf8))
        // 5,000 results are about 5 MB; the limit is 1 or 2 MiB (blocks of
        // 512 or 1,024 bytes, as the shell counts them). Much less would
        // stop ThreadSanitizer's own runtime (SIGBUS) under
        // `swift test --sanitize=thread`.
        let r = Tool.shell("ulimit -f 2048; \"$AMENDS\" run \(Self.policy) \(dir)/in.jsonl --output \(out) --now 2026-03-02T10:00:00Z")
        #expect(r.status == 2)
        #expect(r.stderr.contains("error: could not write the results to `\(out)`: file too large"), "\(r.stderr)")
        #expect(r.stderr.contains("`\(out)` was left as it was"))
        #expect(String(decoding: try FileSystem.read(out).get(), as: UTF8.self) == "the old results\n")
        #expect(Self.entries(dir) == ["in.jsonl", "out.jsonl"], "no temporary file left")
    }

    @Test func aCompleteRunReplacesTheFileAndKeepsItsMode() throws {
        let dir = Self.folder()
        defer { Self.remove(dir) }
        let out = dir + "/out.jsonl"
        _ = FileSystem.writeAtomically(out, Array("the old results\n".utf8))
        chmod(out, 0o640)
        let r = Tool.run(["run", Self.policy, Self.fixtures + "/mixed.jsonl", "--output", out, "--now", "2026-03-02T10:00:00Z"])
        #expect(r.status == 1 && r.stdout.isEmpty)
        let text = String(decoding: try FileSystem.read(out).get(), as: UTF8.self)
        #expect(text.split(separator: "\n").count == 7)
        var st = stat()
        #expect(stat(out, &st) == 0 && st.st_mode & 0o777 == 0o640)
        #expect(Self.entries(dir) == ["out.jsonl"])
    }

    /// SIGTERM while the run waits for input: the temporary file goes, the
    /// old file stays, and the process still ends by the signal.
    @Test func aSignalMidRunRemovesTheTemporaryFile() throws {
        let dir = Self.folder()
        defer { Self.remove(dir) }
        let out = dir + "/out.jsonl"
        _ = FileSystem.writeAtomically(out, Array("the old results\n".utf8))
        let r = Tool.shell("""
            { echo \(Self.quote(Self.record)); sleep 3; } | "$AMENDS" run \(Self.policy) - --output \(out) --now 2026-03-02T10:00:00Z &
            pid=$!
            i=0
            while [ ! -e \(out).amends-tmp-$pid ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
            [ -e \(out).amends-tmp-$pid ] && echo "temporary file seen"
            kill -TERM $pid
            wait $pid
            echo "status $?"
            exit 0
            """)
        #expect(r.stdout == "temporary file seen\nstatus 143\n", "\(r.stdout) \(r.stderr)")
        #expect(String(decoding: try FileSystem.read(out).get(), as: UTF8.self) == "the old results\n")
        #expect(Self.entries(dir) == ["out.jsonl"], "no temporary file left")
    }

    /// The one UTF-8 check the readers and the writer share agrees with the
    /// standard library's decoder on every lead byte, on continuation bytes
    /// at the edges of their ranges, and on sequences cut short.
    @Test func utf8SequenceLengthAgreesWithTheStandardLibrary() {
        let seconds: [UInt8] = [0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF]
        for lead in UInt8(0x80)...UInt8(0xFF) {
            for second in seconds {
                for rest: UInt8 in [0x80, 0xBF, 0x7F] {
                    let bytes: [UInt8] = [lead, second, rest, rest]
                    var decoder = UTF8()
                    var iterator = bytes.makeIterator()
                    var expected = 0
                    if case .scalarValue(let scalar) = decoder.decode(&iterator) { expected = UTF8.width(scalar) }
                    #expect(UTF8Scalar.sequenceLength(bytes, at: 0) == expected,
                            "\(bytes.map { String($0, radix: 16) })")
                    // Cut short by the end of the bytes: no sequence.
                    if expected > 1 {
                        #expect(UTF8Scalar.sequenceLength(Array(bytes.prefix(expected - 1)), at: 0) == 0)
                    }
                }
            }
        }
    }
}
