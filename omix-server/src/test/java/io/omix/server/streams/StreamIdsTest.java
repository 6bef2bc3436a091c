package io.omix.server.streams;

import io.omix.server.common.auth.MasterKey;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StreamIdsTest {
    private static final MasterKey KEY = MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32]));

    /** Clients keep the stream_ids they were given: the same key must give the same id in every later build, and open it. */
    @Test
    void anIdIsTheSameInEveryBuild() {
        StreamIds ids = new StreamIds(KEY);
        assertEquals("e7be89ec-b4a5-991e-9819-a5b2228c80fe", ids.idOf(1024));
        assertEquals(OptionalLong.of(1024), ids.keyOf(ids.idOf(1024)));
        assertEquals(OptionalLong.empty(), new StreamIds(KEY, "stream-page-series").keyOf(ids.idOf(1024)), "another purpose's key opens none");
    }
}
