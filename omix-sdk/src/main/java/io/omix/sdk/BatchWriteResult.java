package io.omix.sdk;

import java.util.List;

/**
 * What a batch write did with each item: the written ones with their ids, the refused ones with the
 * reason. A refused item does not sink the others; {@link #requireAll()} turns any refusal into an exception.
 *
 * @param written the items written, in the order sent
 * @param refused the items refused, in the order sent
 */
public record BatchWriteResult(List<Written> written, List<Refused> refused) {
    /**
     * An item that was written: its position in the request and its stream id.
     *
     * @param index    the item's position in the list given to the write, from 0
     * @param streamId the new record's id (a UUID-formatted string, to keep as given)
     */
    public record Written(int index, String streamId) {}

    /**
     * An item that was refused: its position in the request and why.
     *
     * @param index  the item's position in the list given to the write, from 0
     * @param reason the platform's reason, e.g. a duplicate time or an unknown entity
     */
    public record Refused(int index, String reason) {}

    /**
     * A result of copies of both lists.
     *
     * @param written the written items
     * @param refused the refused items
     */
    public BatchWriteResult {
        written = List.copyOf(written);
        refused = List.copyOf(refused);
    }

    /**
     * Whether every item was written.
     *
     * @return true when no item was refused
     */
    public boolean allWritten() {
        return refused.isEmpty();
    }

    /**
     * Fails when any item was refused.
     *
     * @return this result, when every item was written
     * @throws PartialWriteException when an item was refused; it carries this result
     */
    public BatchWriteResult requireAll() {
        if (!refused.isEmpty()) throw new PartialWriteException(this);
        return this;
    }

    static BatchWriteResult of(Model answer) {
        java.util.List<Written> ok = new java.util.ArrayList<>();
        java.util.List<Refused> no = new java.util.ArrayList<>();
        List<Model> items = answer.getList("result").models();
        for (int i = 0; i < items.size(); i++) {
            Model item = items.get(i);
            if (Boolean.TRUE.equals(item.getBoolean("is_succeed"))) ok.add(new Written(i, (String) item.at("stream.stream_id")));
            else no.add(new Refused(i, item.getString("message")));
        }
        return new BatchWriteResult(ok, no);
    }
}
