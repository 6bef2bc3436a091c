package io.omix.server.htsget;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Who may write a slice on this server now: at most {@code atOnce} slices, and one at a time for each holder (a person or
 * an application, whatever grant asks), so that one caller fetching in loops never holds every slot (each slice reads a
 * genome's calls).
 */
final class SliceSlots {
    /** Why a slot was not given: null when it was. */
    enum Refusal { HOLDER_BUSY, SERVER_BUSY }

    private final Semaphore slices;
    private final Set<String> holdersWriting = ConcurrentHashMap.newKeySet();

    SliceSlots(int atOnce) {
        this.slices = new Semaphore(atOnce);
    }

    /** Takes a slot for {@code holder}; null when taken (give it back with {@link #release}), else why not. */
    Refusal take(String holder) {
        if (!holdersWriting.add(holder)) return Refusal.HOLDER_BUSY;
        if (!slices.tryAcquire()) {
            holdersWriting.remove(holder);
            return Refusal.SERVER_BUSY;
        }
        return null;
    }

    /** Gives back the slot {@link #take} gave {@code holder}. */
    void release(String holder) {
        slices.release();
        holdersWriting.remove(holder);
    }
}
