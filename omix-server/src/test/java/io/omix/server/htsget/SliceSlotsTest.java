package io.omix.server.htsget;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SliceSlotsTest {
    /** One slice at a time per grant, two per server: a grant fetching in a loop leaves the other slot to someone else. */
    @Test
    void aGrantWritesOneSliceAtATimeAndTheServerTwo() {
        SliceSlots slots = new SliceSlots(2);
        assertNull(slots.take("alice's grant"));
        assertEquals(SliceSlots.Refusal.HOLDER_BUSY, slots.take("alice's grant"), "her second slice waits for her first");
        assertNull(slots.take("bob's grant"), "the other slot is still free for someone else");
        assertEquals(SliceSlots.Refusal.SERVER_BUSY, slots.take("carol's grant"));
        slots.release("alice's grant");
        assertNull(slots.take("carol's grant"), "a refusal for a full server did not keep carol's grant marked as writing");
        assertEquals(SliceSlots.Refusal.SERVER_BUSY, slots.take("alice's grant"));
        slots.release("bob's grant");
        assertNull(slots.take("alice's grant"), "her refusal for a full server did not keep her marked as writing either");
    }
}
