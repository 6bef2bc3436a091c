package io.omix.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;

/**
 * A one-line progress bar on stderr: bytes done, rate and time left, redrawn at most every 200 ms.
 * Used for long transfers and imports; silent when there is nothing to show.
 */
final class ProgressBar {
    private final PrintWriter err;
    private final String label;
    private final long total;
    private final long started = System.nanoTime();
    private long lastDrawn;

    ProgressBar(PrintWriter err, String label, long total) {
        this.err = err;
        this.label = label;
        this.total = total;
    }

    /** A stream that advances this bar as it is read. */
    InputStream track(InputStream in) {
        return new FilterInputStream(in) {
            private long done;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) update(++done);
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n > 0) update(done += n);
                return n;
            }
        };
    }

    synchronized void update(long done) {
        long now = System.nanoTime();
        if (now - lastDrawn < 200_000_000L && done < total) return;
        lastDrawn = now;
        double seconds = Math.max(0.001, (now - started) / 1e9);
        double rate = done / seconds;
        int width = 30;
        int filled = total > 0 ? (int) Math.min(width, width * done / total) : 0;
        String eta = total > 0 && rate > 0 ? String.format("%.0fs", (total - done) / rate) : "?";
        err.printf("\r%s [%s%s] %s / %s  %s/s  ETA %s   ", label, "#".repeat(filled), ".".repeat(width - filled),
                human(done), total > 0 ? human(total) : "?", human((long) rate), eta);
        err.flush();
    }

    void finish() {
        err.println();
        err.flush();
    }

    static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1024 * 1024) return String.format("%.1f KiB", bytes / 1024.0);
        if (bytes < 1024L * 1024 * 1024) return String.format("%.1f MiB", bytes / (1024.0 * 1024));
        return String.format("%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }
}
