"""On PostgreSQL, an alert's sensor and incident are checked once per statement, not per row.

A foreign key checks each inserted row on its own (one index probe and one row lock per alert,
fired at commit): on the intake, a COPY of a thousand alerts paid a thousand checks of the same
few sensors and incidents, about a third of the database's time (benchmarks/ingest.py). The two
foreign keys of the alert table are replaced, with the same guarantees, by:

- on the alert table, a trigger per INSERT or UPDATE statement that reads the statement's new
  rows (a transition table) and refuses the statement if one of them names a sensor or incident
  that does not exist. It first locks the rows named, as the foreign key's own check did (FOR
  KEY SHARE): a concurrent delete of one waits for this transaction, then finds its alerts.
- on the sensor and incident tables, a deferred constraint trigger per deleted row (or changed
  id), checked at commit like the foreign keys (DEFERRABLE INITIALLY DEFERRED, NO ACTION): a
  sensor or incident that alerts still name cannot go. Row-level on purpose: those deletes are
  rare and off the intake path, and a trigger limited to "UPDATE OF id" never fires on the
  intake's updates of incidents and sensors (a statement trigger with transition tables cannot be
  limited to a column, and would copy every updated incident once more).
- on the sensor and incident tables, a TRUNCATE trigger that refuses to leave alerts naming
  nothing (a foreign key refuses that TRUNCATE too; truncating alerts in the same statement, as
  a test database's flush does, is allowed).

Django still deletes through PROTECT (ProtectedError) before any of this is reached. The fields
keep their ForeignKey (joins, forms, the admin) with ``db_constraint=False`` in the migration
state. SQLite keeps its real foreign keys: nothing is done to its table there (SQLite is not
the fast path). One thing to know: a later migration that makes SQLite rebuild the alert table
would rebuild it from the state, without them.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

ALERT = "control_room_alert"
REFERENCES = [
    # column, referenced table, foreign key dropped (Django's name for it), ForeignKey field
    (
        "sensor_id",
        "control_room_sensor",
        "control_room_alert_sensor_id_3c3c7c32_fk_control_room_sensor_id",
    ),
    (
        "incident_id",
        "control_room_incident",
        "control_room_alert_incident_id_5eb6f833_fk_control_r",
    ),
]

CHECK_NEW_ROWS = f"""
CREATE OR REPLACE FUNCTION cr_alert_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sensors bigint[];
    incidents bigint[];
    held integer;
    missing bigint;
BEGIN
    -- One pass over the statement's rows for the ids they name (a batch names a few), then
    -- each id locked as the foreign key's check locked it (FOR KEY SHARE): a concurrent
    -- delete waits for this transaction, then finds the alerts. A row deleted by a
    -- transaction that committed meanwhile is neither locked nor counted.
    SELECT array_agg(DISTINCT n.sensor_id),
           array_agg(DISTINCT n.incident_id) FILTER (WHERE n.incident_id IS NOT NULL)
      INTO sensors, incidents FROM new_rows n;
    SELECT count(*) INTO held FROM (
        SELECT 1 FROM control_room_sensor s WHERE s.id = ANY (sensors) FOR KEY SHARE OF s
    ) AS locked;
    IF held < cardinality(sensors) THEN
        SELECT m INTO missing FROM unnest(sensors) AS m
         WHERE NOT EXISTS (SELECT 1 FROM control_room_sensor s WHERE s.id = m) LIMIT 1;
        RAISE EXCEPTION USING
            ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'cr_alert_sensor_exists',
            TABLE = TG_TABLE_NAME,
            MESSAGE = format('insert or update on table "%s" names sensor %s, which does not exist',
                             TG_TABLE_NAME, missing);
    END IF;
    IF incidents IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT count(*) INTO held FROM (
        SELECT 1 FROM control_room_incident i WHERE i.id = ANY (incidents) FOR KEY SHARE OF i
    ) AS locked;
    IF held < cardinality(incidents) THEN
        SELECT m INTO missing FROM unnest(incidents) AS m
         WHERE NOT EXISTS (SELECT 1 FROM control_room_incident i WHERE i.id = m) LIMIT 1;
        RAISE EXCEPTION USING
            ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'cr_alert_incident_exists',
            TABLE = TG_TABLE_NAME,
            MESSAGE = format(
                'insert or update on table "%s" names incident %s, which does not exist',
                TG_TABLE_NAME, missing);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER cr_alert_references_on_insert AFTER INSERT ON {ALERT}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION cr_alert_references_exist();
CREATE TRIGGER cr_alert_references_on_update AFTER UPDATE ON {ALERT}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION cr_alert_references_exist();
"""  # noqa: S608 - the names are constants


def _kept(column: str, table: str) -> str:
    """The referenced side: a deferred check per deleted row (or changed id), and TRUNCATE."""
    name = f"cr_alert_{column.removesuffix('_id')}"
    return f"""
CREATE FUNCTION {name}_still_named() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NULL;
    END IF;
    -- NO ACTION, as the foreign key was: fine if a row of the same id exists again by now.
    IF EXISTS (SELECT 1 FROM {ALERT} a WHERE a.{column} = OLD.id)
       AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = OLD.id) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'foreign_key_violation',
            CONSTRAINT = '{name}_exists',
            TABLE = TG_TABLE_NAME,
            MESSAGE = format('update or delete on table "%s" leaves alerts naming %s',
                             TG_TABLE_NAME, OLD.id);
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER {name}_still_named AFTER DELETE OR UPDATE OF id ON {table}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {name}_still_named();
CREATE FUNCTION {name}_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM {ALERT} a WHERE a.{column} IS NOT NULL) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'feature_not_supported',
            MESSAGE = format('cannot truncate table "%s": alerts still name its rows',
                             TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER {name}_truncated AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION {name}_truncated();
"""  # noqa: S608 - the names are constants


def _undo(column: str, table: str) -> str:
    name = f"cr_alert_{column.removesuffix('_id')}"
    return f"""
DROP TRIGGER {name}_still_named ON {table};
DROP TRIGGER {name}_truncated ON {table};
DROP FUNCTION {name}_still_named();
DROP FUNCTION {name}_truncated();
"""


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, table, constraint in REFERENCES:
        schema_editor.execute(f'ALTER TABLE {ALERT} DROP CONSTRAINT IF EXISTS "{constraint}"')
        schema_editor.execute(_kept(column, table), None)
    schema_editor.execute(CHECK_NEW_ROWS, None)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"DROP TRIGGER cr_alert_references_on_insert ON {ALERT};"
        f"DROP TRIGGER cr_alert_references_on_update ON {ALERT};"
        "DROP FUNCTION cr_alert_references_exist();",
        None,
    )
    for column, table, constraint in REFERENCES:
        schema_editor.execute(_undo(column, table), None)
        schema_editor.execute(
            f'ALTER TABLE {ALERT} ADD CONSTRAINT "{constraint}" FOREIGN KEY ({column}) '
            f"REFERENCES {table} (id) DEFERRABLE INITIALLY DEFERRED"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("control_room", "0007_intake_alert_sensor_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="alert",
                    name="sensor",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="alerts",
                        to="control_room.sensor",
                        verbose_name="sensor",
                    ),
                ),
                migrations.AlterField(
                    model_name="alert",
                    name="incident",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="alerts",
                        to="control_room.incident",
                        verbose_name="incident",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
