-- The person on whose behalf an application registered a sample (their token, through the application): the
-- application's own client-credentials tokens then read that sample only as far as the person's consent to it goes
-- (SampleAccess), not with every scope the application holds. NULL: the application registered the sample itself, or
-- an operator assigned it.
ALTER TABLE sample_clients ADD COLUMN for_user VARCHAR(32);
CREATE INDEX sample_clients_for_user ON sample_clients (for_user);

-- Rows written before: those a revocation already took as registered on the person's behalf (registered by the
-- application, bound to one person only, who has a consent with it).
UPDATE sample_clients SET for_user = (SELECT u.user_id FROM sample_users u WHERE u.biosample_id = sample_clients.biosample_id)
WHERE EXISTS (SELECT 1 FROM samples s WHERE s.biosample_id = sample_clients.biosample_id AND s.registered_by_client = sample_clients.client_id)
  AND (SELECT COUNT(*) FROM sample_users u WHERE u.biosample_id = sample_clients.biosample_id) = 1
  AND EXISTS (SELECT 1 FROM sample_users u JOIN oauth_consents k ON k.user_id = u.user_id
              WHERE u.biosample_id = sample_clients.biosample_id AND k.client_id = sample_clients.client_id);
