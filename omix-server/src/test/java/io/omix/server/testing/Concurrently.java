package io.omix.server.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Calls released at the same moment, each on a thread of its own: the races a test means to provoke. */
public final class Concurrently {
    private Concurrently() {}

    /** Every call's result, in the calls' order; the first call that threw fails this (as an ExecutionException). */
    public static <T> List<T> atOnce(List<? extends Callable<T>> calls) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> started = new ArrayList<>();
            for (Callable<T> call : calls) started.add(pool.submit(() -> {
                go.await();
                return call.call();
            }));
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : started) results.add(f.get());
            return results;
        } finally {
            pool.shutdown();
        }
    }
}
