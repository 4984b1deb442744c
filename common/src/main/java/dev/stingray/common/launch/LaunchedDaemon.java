package dev.stingray.common.launch;

import java.nio.file.Path;

/** A daemon process this CLI started, with where it logs. */
public record LaunchedDaemon(DaemonKind kind, String nodeIdHex, ProcessHandle process, Path stdout, Path stderr) {

    public long pid() {
        return process.pid();
    }
}
