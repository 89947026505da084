insert into schema_migrations (version, name, applied_at)
values ($version, $migration_name, current_timestamp)
