package dev.stingray.e2e;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;

/** Copies everything printed on {@code System.out} into a buffer while still showing it, until closed. */
final class ConsoleCapture implements AutoCloseable {

    private final PrintStream original = System.out;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    private ConsoleCapture() {
        PrintStream shown = original;
        System.setOut(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                shown.write(b);
                synchronized (captured) {
                    captured.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                shown.write(b, off, len);
                synchronized (captured) {
                    captured.write(b, off, len);
                }
            }
        }, true));
    }

    /** Starts capturing {@code System.out}. */
    static ConsoleCapture start() {
        return new ConsoleCapture();
    }

    /** Everything printed so far. */
    String text() {
        synchronized (captured) {
            return captured.toString();
        }
    }

    @Override
    public void close() {
        System.setOut(original);
    }
}
