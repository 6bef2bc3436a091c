package io.omix.sdk;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * Walks every page of a paged answer ({@code {result, count, next_page}}) lazily: the next page is
 * fetched when the current one is used up, so memory stays one page whatever the total.
 */
final class Paged implements Iterable<Model> {
    private final Function<Object, Model> fetchPage;

    /**
     * Pages fetched by {@code fetchPage}, the first one when the iteration starts.
     *
     * @param fetchPage given the next_page value (null for the first page), returns that page's {@code data}
     */
    Paged(Function<Object, Model> fetchPage) {
        this.fetchPage = fetchPage;
    }

    @Override
    public Iterator<Model> iterator() {
        return new Iterator<>() {
            private Model page = fetchPage.apply(null);
            private int index;

            @Override
            public boolean hasNext() {
                while (index >= page.getList("result").size()) {
                    Object next = page.get("next_page");
                    if (next == null || page.getList("result").isEmpty()) return false;
                    page = fetchPage.apply(next);
                    index = 0;
                }
                return true;
            }

            @Override
            public Model next() {
                if (!hasNext()) throw new NoSuchElementException();
                return page.getList("result").getModel(index++);
            }
        };
    }
}
