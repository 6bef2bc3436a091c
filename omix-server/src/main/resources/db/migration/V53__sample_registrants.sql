-- How many samples each registrant holds, for samples.max-per-registrant: a private app's namespace ('ns:<namespace>'),
-- or an OAuth client ('client:<client id>', the people registering through it included). Kept with each registration
-- and erasure in their transactions (a count of the samples table at every registration grew with what it counted).
-- Samples an operator registered or restored have no registrant and are not counted.
CREATE TABLE sample_registrants (
    registrant VARCHAR(120) NOT NULL PRIMARY KEY,
    samples    BIGINT       NOT NULL
);
INSERT INTO sample_registrants (registrant, samples)
    SELECT 'ns:' || namespace, COUNT(*) FROM samples WHERE namespace IS NOT NULL GROUP BY namespace;
INSERT INTO sample_registrants (registrant, samples)
    SELECT 'client:' || registered_by_client, COUNT(*) FROM samples
    WHERE namespace IS NULL AND registered_by_client IS NOT NULL GROUP BY registered_by_client;
