package io.omix.sdk;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The pages behind an iterator: a failed page is asked for again, and a cursor seen before ends the walk. */
class PaginatedTest {
    @Test
    void aPageThatFailedIsFetchedAgainByTheNextHasNext() {
        int[] failures = {1};
        Map<String, Paginated.Page<Integer>> pages = Map.of("", new Paginated.Page<>(List.of(1, 2), "b"),
                "b", new Paginated.Page<>(List.of(3), "c"), "c", new Paginated.Page<>(List.of(4), null));
        Paginated<Integer> all = new Paginated<>(cursor -> {
            if ("b".equals(cursor) && failures[0]-- > 0) throw new TransportException("the page broke off");
            return pages.get(cursor == null ? "" : cursor);
        }, null);
        Iterator<Integer> it = all.iterator();
        List<Integer> seen = new ArrayList<>();
        seen.add(it.next());
        seen.add(it.next());
        assertThrows(TransportException.class, it::hasNext);
        while (it.hasNext()) seen.add(it.next());   // the caller retried: the pages after it were dropped without a word before
        assertEquals(List.of(1, 2, 3, 4), seen);
    }

    @Test
    void aCursorSeenBeforeEndsTheWalk() {
        Map<String, Paginated.Page<Integer>> cycle = Map.of("", new Paginated.Page<>(List.of(1), "a"),
                "a", new Paginated.Page<>(List.of(2), "b"), "b", new Paginated.Page<>(List.of(3), "a"));
        Iterator<Integer> it = new Paginated<Integer>(cursor -> cycle.get(cursor == null ? "" : cursor), null).iterator();
        List<Integer> seen = new ArrayList<>();
        while (it.hasNext()) seen.add(it.next());
        assertEquals(List.of(1, 2, 3), seen, "A, B, A: the walk ends instead of going round for ever");
        assertFalse(it.hasNext());
    }
}
