package io.omix.sdk;

/** Some items of a batch write were refused ({@link BatchWriteResult#requireAll()}); the others were written. */
public class PartialWriteException extends OmixException {
    private static final long serialVersionUID = 1L;
    private final transient BatchWriteResult result;

    /**
     * The refusals of {@code result}; the message counts them and quotes the first one.
     *
     * @param result what was written and what was refused (at least one item refused)
     */
    public PartialWriteException(BatchWriteResult result) {
        super(result.refused().size() + " of " + (result.refused().size() + result.written().size()) + " items refused; first: item "
                + result.refused().get(0).index() + ": " + result.refused().get(0).reason(), null, 1, 200, null);
        this.result = result;
    }

    /**
     * What was written and what was refused.
     *
     * @return the whole result: the written items with their stream ids, the refused ones with the reason
     */
    public BatchWriteResult result() {
        return result;
    }
}
