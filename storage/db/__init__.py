"""The database: tables (models, typed handles), engines, the dialect upsert, and the schema's migrations."""
