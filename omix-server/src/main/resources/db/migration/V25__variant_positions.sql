-- Calls by position, for region queries (the open platform client's professional_variant).
CREATE INDEX variants_position ON variants (source_id, chromosome, position);
