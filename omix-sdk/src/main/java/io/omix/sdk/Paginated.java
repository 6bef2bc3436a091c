package io.omix.sdk;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Every item of a list the platform answers page by page, fetched lazily as the iteration goes
 * (one page in memory whatever the total): iterate it, {@link #stream()} it, or take one
 * {@link #page()} at a time and resume later from its {@link Page#nextCursor()}.
 *
 * @param <T> the item type
 */
public final class Paginated<T> implements Iterable<T> {
    /**
     * One page: its items and the cursor of the next one (null at the end).
     *
     * @param items      the page's items, in the platform's order
     * @param nextCursor where the next page starts (for {@link Paginated#page(String)} or
     *                   {@link Paginated#from(String)}), null at the end
     * @param <T>        the item type
     */
    public record Page<T>(List<T> items, String nextCursor) {
        /**
         * A page of a copy of {@code items}.
         *
         * @param items      the page's items
         * @param nextCursor where the next page starts, null at the end
         */
        public Page {
            items = List.copyOf(items);
        }

        /**
         * Whether a page follows this one.
         *
         * @return true when {@link #nextCursor()} is not null
         */
        public boolean hasNext() {
            return nextCursor != null;
        }
    }

    /**
     * The page of {@code items} from an answer whose {@code next_page} (a page number or an opaque
     * token) says where the next starts: the end when it is null or empty, or the page has no items.
     */
    static <T> Page<T> pageOf(List<T> items, Model answer) {
        return items.isEmpty() ? new Page<>(items, null) : pageOfMaybeEmpty(items, answer);
    }

    /**
     * {@link #pageOf}, for answers whose pages may be empty before the last (a region page stops after reading
     * so many calls, whatever it found): the end only when {@code next_page} is null or empty.
     */
    static <T> Page<T> pageOfMaybeEmpty(List<T> items, Model answer) {
        Object next = answer.get("next_page");
        String cursor = next == null ? null : String.valueOf(next);
        return new Page<>(items, cursor == null || cursor.isEmpty() ? null : cursor);
    }

    private final Function<String, Page<T>> fetch;
    private final String start;

    /** @param fetch a page, given its cursor (null: the first) */
    Paginated(Function<String, Page<T>> fetch, String start) {
        this.fetch = fetch;
        this.start = start;
    }

    /**
     * Fetches the first page (or the page this view was resumed at): one request.
     *
     * @return the page, with the cursor of the next one
     * @throws OmixException when the request fails
     */
    public Page<T> page() {
        return fetch.apply(start);
    }

    /**
     * Fetches the page at {@code cursor}: one request.
     *
     * @param cursor an earlier {@link Page#nextCursor()}, or null for the first page
     * @return the page, with the cursor of the next one
     * @throws OmixException when the request fails
     */
    public Page<T> page(String cursor) {
        return fetch.apply(cursor);
    }

    /**
     * The items from {@code cursor} on, as another paginated view; nothing is fetched yet.
     *
     * @param cursor an earlier {@link Page#nextCursor()}, or null for the first page
     * @return a view starting at that page
     */
    public Paginated<T> from(String cursor) {
        return new Paginated<>(fetch, cursor);
    }

    /** Every item, page by page; the next page is fetched when the current one is used up. */
    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private Page<T> page = fetch.apply(start);
            private int index;
            /** The cursors of the pages read: a cursor naming a page read before would never end (A, B, A, ...). */
            private final java.util.Set<String> read = new java.util.HashSet<>(java.util.Collections.singleton(start));

            @Override
            public boolean hasNext() {
                while (index >= page.items().size()) {
                    String next = page.nextCursor();
                    if (next == null || read.contains(next)) return false;
                    // Only once the page is here: a fetch that failed (and was caught) is tried again by the next hasNext(),
                    // where the pages after it were dropped without a word before.
                    page = fetch.apply(next);
                    read.add(next);
                    index = 0;
                }
                return true;
            }

            @Override
            public T next() {
                if (!hasNext()) throw new NoSuchElementException();
                return page.items().get(index++);
            }
        };
    }

    /**
     * Every item as a sequential stream: the first page is fetched now, the others as the stream is consumed.
     *
     * @return an ordered stream of every item from this view's start
     * @throws OmixException when the first page cannot be fetched (a later page's failure is thrown by
     *                       the stream's terminal operation)
     */
    public Stream<T> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL), false);
    }
}
