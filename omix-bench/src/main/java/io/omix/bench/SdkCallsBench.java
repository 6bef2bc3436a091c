package io.omix.bench;

import io.omix.sdk.Api;
import io.omix.sdk.Omix;

/**
 * The Java SDK's side of {@code scripts/sdk-vs-python.sh}: sequential get_sample and alive calls on a
 * running server, as the original public Python client makes them, printed as calls per second.
 * Usage: java -cp omix-bench.jar io.omix.bench.SdkCallsBench ENDPOINT ACCESS_TOKEN BIOSAMPLE_ID [calls=2000]
 */
public final class SdkCallsBench {
    private SdkCallsBench() {}

    public static void main(String[] args) {
        String endpoint = args[0];
        String token = args[1];
        String sample = args[2];
        int calls = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
        try (Omix omix = Omix.builder().endpoint(endpoint).build()) {
            Api api = omix.openPlatform(token);
            for (int i = 0; i < calls / 4; i++) {   // warm-up, as the JIT needs it
                api.getSample(sample);
                api.alive();
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) api.getSample(sample);
            long t1 = System.nanoTime();
            for (int i = 0; i < calls; i++) api.alive();
            long t2 = System.nanoTime();
            System.out.printf("java get_sample %.0f calls/s%n", calls / ((t1 - t0) / 1e9));
            System.out.printf("java alive %.0f calls/s%n", calls / ((t2 - t1) / 1e9));
        }
    }
}
