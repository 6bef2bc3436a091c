-- Rows a task's submission locks before it counts its owner's waiting tasks (tasks.max-queued-per-owner): without a
-- lock, requests submitting at once each counted the others' tasks as not there yet and all went in. One of 64 rows per
-- owner, by the owner's hash, so that no row names an owner (an owner's name can hold a person's id) and none is made
-- or removed as owners come and go.
CREATE TABLE task_queue_locks (
    slot INT NOT NULL PRIMARY KEY
);
INSERT INTO task_queue_locks (slot) VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9),(10),(11),(12),(13),(14),(15),(16),(17),(18),(19),(20),(21),(22),(23),(24),(25),(26),(27),(28),(29),(30),(31),(32),(33),(34),(35),(36),(37),(38),(39),(40),(41),(42),(43),(44),(45),(46),(47),(48),(49),(50),(51),(52),(53),(54),(55),(56),(57),(58),(59),(60),(61),(62),(63);
