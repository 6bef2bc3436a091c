-- CRC-32C of each object's bytes, beside its SHA-256: downloads advertise it so that clients can
-- check a large body for corruption at memory speed. Null for objects stored before it existed.
ALTER TABLE file_objects ADD COLUMN crc32c VARCHAR(8);
