"""One row per natural key in the fact tables, before 0031 makes those keys primary keys.

Until now only the write path (delete, then insert, in one transaction) kept each key once, and a
write racing another could store a key twice (issue 12.5). The keys:

- indicator_values: site × indicator × period_start × period_kind. The kind is part of the key:
  January 2025 (month), Q1 2025 (quarter) and 2025 (year) all start on 2025-01-01 and are three
  different figures, which a file may well give side by side;
- survey_results: site × campaign × question;
- compliance_assessments: site × module × engagement × assessment date × assessment type.

A database that already holds duplicates keeps, for each key, the row of the latest upload (the
one the write path meant to keep: the highest `upload_id`, rows without one last), an imported
row before a demonstration one, then the greatest values (only to be deterministic). Each removed
row is written to the audit log (action « dédoublonnage », with the kept row), so nothing
disappears without a trace. The statements are written here, not in queries/: a migration must
mean the same thing forever. (The keys are added by the next migration, in a transaction of its
own: DuckDB builds a key's index over the rows this one deletes until it commits.)
"""

TABLES = {
    "indicator_values": (
        ("site_code", "indicator_code", "period_start", "period_kind"),
        ("value", "comment"),
    ),
    "survey_results": (
        ("site_code", "campaign", "question_code"),
        ("n_tres_satisfait", "n_satisfait", "n_peu_satisfait", "n_pas_du_tout_satisfait", "n_sans_avis"),
    ),
    "compliance_assessments": (
        ("site_code", "module", "engagement", "assessed_on", "assessment_type"),
        ("result",),
    ),
}


def duplicates_removed(cursor, table: str) -> int:
    """Keep one row per key of `table`, audit the others; returns how many rows were removed."""
    key, values = TABLES[table]
    keys = ", ".join(key)
    order = ", ".join(["upload_id desc nulls last", "is_demo", *(f"{v} desc nulls last" for v in values)])
    cursor.execute(f"""
        create or replace temp table migration_duplicates as
        select rowid as row_id, row_number() over (partition by {keys} order by {order}) as rank, t.*
        from {table} as t
        qualify count(*) over (partition by {keys}) > 1
    """)
    removed = cursor.execute("select count(*) from migration_duplicates where rank > 1").fetchone()[0]
    if removed:
        fields = ", ".join([*key, *values, "upload_id", "is_demo"])
        key_text = " || ' × ' || ".join(f"cast({k} as varchar)" for k in key)
        cursor.execute(f"""
            insert into audit_log (changed_at, actor, action, entity, key, before, after)
            select
                current_timestamp, 'migration 0030', 'dédoublonnage', '{table}', {key_text},
                to_json(list(struct_pack({fields})) filter (where rank > 1)),
                to_json(first(struct_pack({fields})) filter (where rank = 1))
            from migration_duplicates
            group by {keys}
        """)
        cursor.execute(f"delete from {table} where rowid in "
                       "(select row_id from migration_duplicates where rank > 1)")
    cursor.execute("drop table migration_duplicates")
    return removed


def apply(cursor) -> None:
    for table in TABLES:
        duplicates_removed(cursor, table)
