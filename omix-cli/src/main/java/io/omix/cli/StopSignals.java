package io.omix.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Ctrl-C and SIGTERM handled by a command itself, before the JVM's shutdown begins: shutdown hooks run
 * all at once, and the embedded database's own hook would close it under work still running.
 */
final class StopSignals {
    private StopSignals() {}

    /**
     * At SIGINT or SIGTERM, runs {@code onStop} with the signal's number on a new thread named
     * {@code threadName}. Returns the handlers replaced, for {@link #restore}; a JVM that does not let
     * a signal be handled keeps its own (the caller's shutdown hook is then what runs).
     */
    static Map<Signal, SignalHandler> handle(String threadName, IntConsumer onStop) {
        Map<Signal, SignalHandler> previous = new HashMap<>();
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal signal = new Signal(name);
                previous.put(signal, Signal.handle(signal, s -> new Thread(() -> onStop.accept(s.getNumber()), threadName).start()));
            } catch (IllegalArgumentException | UnsupportedOperationException unavailable) {
                // this JVM does not let us handle it
            }
        }
        return previous;
    }

    /** Puts back the handlers {@link #handle} replaced (a command may run inside another program). */
    static void restore(Map<Signal, SignalHandler> previous) {
        previous.forEach(Signal::handle);
    }
}
