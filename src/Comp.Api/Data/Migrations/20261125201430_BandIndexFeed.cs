using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comp.Api.Data.Migrations
{
    /// <summary>
    /// What the in-memory band index (Features/Bands/Index) needs to follow the datapoints table:
    /// the transaction that last wrote each row, the ids of deleted rows with the transaction that
    /// deleted them, an epoch moved by TRUNCATE (which fires no row triggers), and a notification
    /// on every statement that changes band data. The EF model does not map any of it: nothing
    /// but the index reads it, and the defaults fill it for EF inserts and binary COPY alike.
    /// </summary>
    public partial class BandIndexFeed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                -- Existing rows get 0 (a constant default needs no table rewrite); new ones the writer's id.
                ALTER TABLE datapoints ADD COLUMN change_xid xid8 NOT NULL DEFAULT '0';
                ALTER TABLE datapoints ALTER COLUMN change_xid SET DEFAULT pg_current_xact_id();
                CREATE INDEX ix_datapoints_change_xid ON datapoints (change_xid);

                CREATE FUNCTION datapoints_touch() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.change_xid := pg_current_xact_id();
                    RETURN NEW;
                END $$;
                CREATE TRIGGER datapoints_touch BEFORE UPDATE ON datapoints
                    FOR EACH ROW EXECUTE FUNCTION datapoints_touch();

                CREATE TABLE datapoint_deletions (
                    id uuid NOT NULL,
                    change_xid xid8 NOT NULL DEFAULT pg_current_xact_id()
                );
                CREATE INDEX ix_datapoint_deletions_change_xid ON datapoint_deletions (change_xid);
                CREATE FUNCTION datapoints_record_deletions() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO datapoint_deletions (id) SELECT id FROM gone;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER datapoints_record_deletions AFTER DELETE ON datapoints
                    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION datapoints_record_deletions();

                CREATE TABLE band_index_epoch (
                    id int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
                    epoch bigint NOT NULL DEFAULT 0
                );
                INSERT INTO band_index_epoch DEFAULT VALUES;
                CREATE FUNCTION datapoints_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE band_index_epoch SET epoch = epoch + 1;
                    DELETE FROM datapoint_deletions;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER datapoints_truncated AFTER TRUNCATE ON datapoints
                    FOR EACH STATEMENT EXECUTE FUNCTION datapoints_truncated();

                -- Every statement that moves the dataset version also tells the listening API
                -- instances (delivered at commit; collapsed to one per transaction).
                CREATE OR REPLACE FUNCTION bump_dataset_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM nextval('dataset_version');
                    PERFORM pg_notify('comp_dataset_changed', '');
                    RETURN NULL;
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION bump_dataset_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM nextval('dataset_version');
                    RETURN NULL;
                END $$;
                DROP TRIGGER IF EXISTS datapoints_truncated ON datapoints;
                DROP FUNCTION IF EXISTS datapoints_truncated();
                DROP TABLE IF EXISTS band_index_epoch;
                DROP TRIGGER IF EXISTS datapoints_record_deletions ON datapoints;
                DROP FUNCTION IF EXISTS datapoints_record_deletions();
                DROP TABLE IF EXISTS datapoint_deletions;
                DROP TRIGGER IF EXISTS datapoints_touch ON datapoints;
                DROP FUNCTION IF EXISTS datapoints_touch();
                ALTER TABLE datapoints DROP COLUMN IF EXISTS change_xid;
                """);
        }
    }
}
