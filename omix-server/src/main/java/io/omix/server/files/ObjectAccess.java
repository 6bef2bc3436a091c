package io.omix.server.files;

import io.omix.server.Platform;
import io.omix.server.common.auth.Caller;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** Other capabilities' way to read an object a caller uploaded (models read their deployment zips). */
public final class ObjectAccess {
    private final FileStore store;
    private final ObjectStore objects;

    public ObjectAccess(Platform platform) {
        this.store = new FileStore(platform);
        this.objects = platform.objects();
    }

    /** The object's size, when it exists and belongs to the caller. */
    public Optional<Long> ownedSize(String objectName, Caller caller) {
        return store.object(objectName).filter(o -> o.owner().equals(FilesCapability.ownerOf(caller))).map(FileStore.FileObject::size);
    }

    public InputStream open(String objectName) throws IOException {
        return objects.open(objectName);
    }
}
