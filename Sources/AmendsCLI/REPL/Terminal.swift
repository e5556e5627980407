#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The terminal settings before raw mode, restored on every way out.
/// Written once before raw mode is first entered; read by signal handlers.
nonisolated(unsafe) private var savedSettings = termios()
/// Whether raw mode is on (signal handlers restore the terminal only then).
private let rawActive = Atomic<Bool>(false)
/// Set by the SIGWINCH handler: the window changed size.
private let resizedFlag = Atomic<Bool>(false)
/// Set by the SIGCONT handler: the process was stopped and continued.
private let continuedFlag = Atomic<Bool>(false)

/// Terminal is the REPL's only contact with the terminal: whether there is
/// one worth editing on, raw mode on and off, the window width, reading
/// bytes, and signals.
///
/// Raw mode is on only while a line is edited, and is switched with
/// TCSADRAIN (TCSAFLUSH would throw away what the user typed ahead while an
/// entry ran). The settings are restored when editing ends, at exit, and on
/// SIGTERM, SIGHUP and SIGQUIT (restore, then die of the signal as usual).
enum Terminal {
    /// Whether to edit lines: standard input and output are terminals and
    /// TERM names one that understands escape codes.
    static func isUsable() -> Bool {
        guard isatty(0) == 1, isatty(1) == 1 else { return false }
        guard let term = getenv("TERM").map({ String(cString: $0) }) else { return false }
        return !["", "dumb", "cons25", "emacs"].contains(term)
    }

    // MARK: - Raw mode

    /// Saves the current settings (once) and installs the handlers that
    /// restore them.
    static func prepare() {
        _ = tcgetattr(0, &savedSettings)
        installHandlers()
        atexit { Terminal.restore() }
    }

    /// Raw mode: bytes as typed, no echo, no signals from keys; bracketed paste on.
    @discardableResult
    static func enableRaw() -> Bool {
        var raw = savedSettings
        raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        raw.c_oflag &= ~tcflag_t(OPOST)
        raw.c_cflag |= tcflag_t(CS8)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            // Linux indexes: VMIN is 6, VTIME is 5 (the Glibc constants say so).
            if cc.count > Int(VMIN) && cc.count > Int(VTIME) {
                cc[Int(VMIN)] = 1
                cc[Int(VTIME)] = 0
            }
        }
        guard tcsetattr(0, TCSADRAIN, &raw) == 0 else { return false }
        rawActive.store(true, ordering: .sequentiallyConsistent)
        write("\u{1B}[?2004h")
        return true
    }

    /// Back to the settings the REPL started with (if raw mode is on).
    static func restore() {
        guard rawActive.exchange(false, ordering: .sequentiallyConsistent) else { return }
        write("\u{1B}[?2004l")
        _ = tcsetattr(0, TCSADRAIN, &savedSettings)
    }

    // MARK: - Signals

    private static func installHandlers() {
        let fatal: @convention(c) (Int32) -> Void = { sig in
            // Only async-signal-safe calls here: tcsetattr, write, sigaction, raise.
            if rawActive.exchange(false, ordering: .sequentiallyConsistent) {
                let off: [UInt8] = [0x1B, 0x5B, 0x3F, 0x32, 0x30, 0x30, 0x34, 0x6C] // ESC[?2004l
                _ = off.withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
                _ = tcsetattr(0, TCSADRAIN, &savedSettings)
            }
            var action = sigaction()
            action.__sigaction_handler.sa_handler = SIG_DFL
            sigemptyset(&action.sa_mask)
            _ = sigaction(sig, &action, nil)
            _ = raise(sig)
        }
        let resized: @convention(c) (Int32) -> Void = { _ in resizedFlag.store(true, ordering: .relaxed) }
        let continued: @convention(c) (Int32) -> Void = { _ in continuedFlag.store(true, ordering: .relaxed) }
        // Ctrl-C while an entry runs (not editing) must not end the REPL.
        let ignore: @convention(c) (Int32) -> Void = { _ in }
        for sig in [SIGTERM, SIGHUP, SIGQUIT] { install(fatal, for: sig) }
        install(resized, for: SIGWINCH)
        install(continued, for: SIGCONT)
        install(ignore, for: SIGINT)
    }

    /// `sa_flags = 0` (no SA_RESTART): a blocked read returns EINTR, so the
    /// editor redraws at once after a resize.
    private static func install(_ handler: @convention(c) (Int32) -> Void, for sig: Int32) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        _ = sigaction(sig, &action, nil)
    }

    /// Whether the window changed size since last asked.
    static func takeResized() -> Bool { resizedFlag.exchange(false, ordering: .relaxed) }
    /// Whether the process was continued after a stop since last asked.
    static func takeContinued() -> Bool { continuedFlag.exchange(false, ordering: .relaxed) }

    /// Ctrl-Z: restore the terminal, stop, and take raw mode back when continued.
    static func suspend() {
        restore()
        _ = raise(SIGTSTP)
        enableRaw()
        _ = takeContinued()
    }

    // MARK: - Input and output

    /// The window's width in columns (80 when it cannot be told).
    static func columns() -> Int {
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    enum ReadResult {
        case bytes([UInt8])
        /// A signal interrupted the read (resize, continue): look at the flags.
        case interrupted
        case end
    }

    /// Reads what the terminal has (waiting for at least one byte).
    static func read() -> ReadResult {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
        if n < 0 { return errno == EINTR || errno == EAGAIN ? .interrupted : .end }
        if n == 0 { return .end }
        return .bytes(Array(buffer[0..<n]))
    }

    /// Whether a byte arrives within `milliseconds` (to tell Esc from a sequence).
    static func waitForInput(milliseconds: Int32) -> Bool {
        var fds = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        return poll(&fds, 1, milliseconds) > 0
    }

    /// Writes all of `text` to standard output, at once (after what Console buffered).
    static func write(_ text: String) {
        Console.out.flush()
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return -1 }
                return Glibc.write(1, base + offset, raw.count - offset)
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}
