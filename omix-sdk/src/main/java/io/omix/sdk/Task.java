package io.omix.sdk;

import java.time.OffsetDateTime;

/**
 * A task of the platform (a model deployment, a batch commit, an export), typed.
 *
 * @param taskId    its id
 * @param state     where it stands
 * @param result    what it produced, or what went wrong; null while it runs
 * @param completed when it finished, or null
 * @param taskUrl   where to poll it
 * @param raw       the whole answer, for fields this type does not name
 */
public record Task(String taskId, TaskState state, Model result, OffsetDateTime completed, String taskUrl, Model raw) {
    static Task of(Model m) {
        Object result = m.get("result");
        Model r = result instanceof Model rm ? rm : result == null ? null
                : new Model(io.omix.sdk.internal.Json.MAPPER.createObjectNode().set("value",
                io.omix.sdk.internal.Json.MAPPER.valueToTree(result instanceof ListModel l ? l.json() : result)));
        String completed = m.getString("completed");
        return new Task(m.getString("task_id"), TaskState.valueOf(m.getString("progress")), r,
                completed == null ? null : Times.parse(completed), m.getString("task_url"), m);
    }

    /**
     * Whether it finished with success.
     *
     * @return true when {@link #state()} is SUCCESS
     */
    public boolean succeeded() {
        return state == TaskState.SUCCESS;
    }

    /** The task without its raw answer or result (an export's result holds a signed link to a person's archive). */
    @Override
    public String toString() {
        return "Task[taskId=" + taskId + ", state=" + state + ", completed=" + completed + ", taskUrl=" + taskUrl + "]";
    }
}
