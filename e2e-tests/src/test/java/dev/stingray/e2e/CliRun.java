package dev.stingray.e2e;

/** What one {@code stingray} invocation printed, and how it exited. */
record CliRun(int exitCode, String stdout, String stderr) {

    String all() {
        return stdout + stderr;
    }
}
