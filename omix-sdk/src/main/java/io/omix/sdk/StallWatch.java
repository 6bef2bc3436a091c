package io.omix.sdk;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Ends a transfer no byte of which moved for a while: a server or network that stops mid-body (a proxy holding the
 * connection open, a peer gone without a reset) otherwise held the call for good, since the JDK's request timeout
 * ends when an answer's headers arrive and, for an upload, would also bound the time the body takes to send.
 * {@code onStall} runs once, on the timer's thread, to break the transfer off (close its stream, cancel its exchange).
 */
final class StallWatch implements AutoCloseable {
    private final Runnable onStall;
    private final ScheduledFuture<?> check;
    private volatile long limitNanos;
    private volatile long lastMoved = System.nanoTime();
    private volatile boolean fired;
    /**
     * Between the reads of a watched stream, and before its first: the caller is busy with what it read (or with what it
     * does before reading: checking a partial file's bytes), which is no stall.
     */
    private volatile boolean between;

    /**
     * @param streaming true to watch a stream's reads only ({@link #watching}), false to watch from now on (an exchange)
     */
    StallWatch(ScheduledExecutorService timer, Duration limit, boolean streaming, Runnable onStall) {
        this.onStall = onStall;
        this.between = streaming;
        this.limitNanos = limit.toNanos();
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), limitNanos / 4);
        this.check = timer.scheduleAtFixedRate(this::check, period, period, TimeUnit.NANOSECONDS);
    }

    private void check() {
        if (!fired && !between && System.nanoTime() - lastMoved > limitNanos) {
            fired = true;
            onStall.run();
        }
    }

    /** Bytes moved: the wait starts again. */
    void moved() {
        lastMoved = System.nanoTime();
    }

    /** From now on, waits at most {@code limit} without a byte (an answer being prepared once the whole body is sent). */
    void allow(Duration limit) {
        limitNanos = limit.toNanos();
        moved();
    }

    boolean fired() {
        return fired;
    }

    /** What a stalled transfer fails with (an IOException, so that it is retried as a broken connection is). */
    HttpTimeoutException stalled(String what) {
        return new HttpTimeoutException(what + ": no byte moved for " + TimeUnit.NANOSECONDS.toMillis(limitNanos) + " ms");
    }

    /**
     * {@code in}, watched while a read waits (not while the caller handles what it read: writing it to a slow stream is
     * no stall); a read the watch broke off fails as {@link #stalled}.
     */
    InputStream watching(InputStream in, String what) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n <= 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                moved();
                between = false;
                int n;
                try {
                    n = super.read(buffer, offset, length);
                } catch (IOException e) {
                    if (fired) throw stalled(what);
                    throw e;
                } finally {
                    between = true;
                }
                if (fired) throw stalled(what);
                moved();
                return n;
            }
        };
    }

    /** {@code body}, each buffer taken by the client counted as moved; once all of it is taken, the answer may take {@code answerWait}. */
    HttpRequest.BodyPublisher counting(HttpRequest.BodyPublisher body, Duration answerWait) {
        return new HttpRequest.BodyPublisher() {
            @Override
            public long contentLength() {
                return body.contentLength();
            }

            @Override
            public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
                body.subscribe(new Flow.Subscriber<ByteBuffer>() {
                    @Override
                    public void onSubscribe(Flow.Subscription subscription) {
                        subscriber.onSubscribe(subscription);
                    }

                    @Override
                    public void onNext(ByteBuffer item) {
                        moved();
                        subscriber.onNext(item);
                    }

                    @Override
                    public void onError(Throwable throwable) {
                        subscriber.onError(throwable);
                    }

                    @Override
                    public void onComplete() {
                        allow(answerWait);
                        subscriber.onComplete();
                    }
                });
            }
        };
    }

    @Override
    public void close() {
        check.cancel(false);
    }
}
