-- Writes are serialized, so max + 1 is safe and survives EXPORT/IMPORT,
-- unlike a sequence.
select coalesce(max(upload_id), 0) + 1 as upload_id from uploads
