using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comp.Api.Data.Migrations
{
    /// <summary>
    /// A datapoint's five references (employer, role, level, region, API key) are checked once per
    /// statement instead of once per row. A foreign key checks each row on its own: a 5,000-row batch
    /// COPY ran 25,000 lookups, 60% of PostgreSQL's CPU for the batch (412–464 ms of 160 ms without them,
    /// measured at 1M rows). The triggers below keep what the constraints gave, under the same names
    /// and SQLSTATE (23503, foreign_key_violation):
    /// <list type="bullet">
    /// <item>After an INSERT, COPY or UPDATE of datapoints, each referenced row is locked
    /// <c>FOR KEY SHARE</c> (once per distinct value, as the constraint locks it once per row), so a
    /// concurrent delete of it waits for this transaction; then a value with no row is refused.</item>
    /// <item>After a DELETE, or an UPDATE of the key, of a referenced row, a key still used by a
    /// datapoint is refused (the constraints were ON DELETE RESTRICT; checked at the end of the
    /// statement, as NO ACTION does).</item>
    /// </list>
    /// Both run in READ COMMITTED, as the API does: each check sees what committed before it, after
    /// the lock it waited for. What the constraints also did and these do not: refuse a TRUNCATE of a
    /// referenced table (nothing truncates them; a TRUNCATE ... CASCADE would have emptied datapoints).
    /// The EF model keeps the relationships (navigation, insert order); only the database enforces
    /// them differently.
    /// </summary>
    [DbContext(typeof(CompDbContext))]
    [Migration("20261206163000_SetBasedDatapointReferences")]
    public partial class SetBasedDatapointReferences : Migration
    {
        private static readonly (string Column, string Table, string Key, string Constraint)[] References =
        [
            ("employer_id", "employers", "id", "fk_datapoints_employers_employer_id"),
            ("role", "roles", "slug", "fk_datapoints_roles_role"),
            ("level", "levels", "code", "fk_datapoints_levels_level"),
            ("region", "regions", "code", "fk_datapoints_regions_region"),
            ("api_key_id", "api_keys", "id", "fk_datapoints_api_keys_api_key_id"),
        ];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var r in References)
                migrationBuilder.Sql($"ALTER TABLE datapoints DROP CONSTRAINT {r.Constraint};");

            var references = string.Join(",\n            ", References.Select(r => $"('{r.Column}', '{r.Table}', '{r.Key}', '{r.Constraint}')"));
            migrationBuilder.Sql($$"""
                CREATE FUNCTION datapoints_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    ref record;
                    missing text;
                BEGIN
                    FOR ref IN SELECT * FROM (VALUES {{references}}) AS r (col, target, key, name)
                    LOOP
                        -- Locked as a foreign key locks them: a concurrent delete of one waits for this transaction.
                        EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %2$I t WHERE t.%3$I IN (SELECT c.%1$I FROM changed c) FOR KEY SHARE OF t) locked',
                            ref.col, ref.target, ref.key);
                        EXECUTE format('SELECT c.%1$I::text FROM changed c WHERE c.%1$I IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %2$I t WHERE t.%3$I = c.%1$I) LIMIT 1',
                            ref.col, ref.target, ref.key) INTO missing;
                        IF missing IS NOT NULL THEN
                            RAISE EXCEPTION 'insert or update on table "datapoints" violates foreign key constraint "%"', ref.name
                                USING ERRCODE = 'foreign_key_violation', CONSTRAINT = ref.name, TABLE = 'datapoints',
                                      DETAIL = format('Key (%s)=(%s) is not present in table "%s".', ref.col, missing, ref.target);
                        END IF;
                    END LOOP;
                    RETURN NULL;
                END $$;

                CREATE TRIGGER datapoints_references_inserted AFTER INSERT ON datapoints
                    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION datapoints_check_references();
                CREATE TRIGGER datapoints_references_updated AFTER UPDATE ON datapoints
                    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION datapoints_check_references();

                -- TG_ARGV: this table's key column, the datapoints column that refers to it, the constraint's name.
                CREATE FUNCTION datapoints_keep_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    used text;
                BEGIN
                    IF TG_OP = 'DELETE' THEN
                        EXECUTE format('SELECT g.%1$I::text FROM gone g WHERE EXISTS (SELECT 1 FROM datapoints d WHERE d.%2$I = g.%1$I) LIMIT 1',
                            TG_ARGV[0], TG_ARGV[1]) INTO used;
                    ELSE
                        EXECUTE format('SELECT g.%1$I::text FROM gone g WHERE NOT EXISTS (SELECT 1 FROM kept k WHERE k.%1$I = g.%1$I) ' ||
                            'AND EXISTS (SELECT 1 FROM datapoints d WHERE d.%2$I = g.%1$I) LIMIT 1', TG_ARGV[0], TG_ARGV[1]) INTO used;
                    END IF;
                    IF used IS NOT NULL THEN
                        RAISE EXCEPTION 'update or delete on table "%" violates foreign key constraint "%" on table "datapoints"', TG_TABLE_NAME, TG_ARGV[2]
                            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = TG_ARGV[2], TABLE = TG_TABLE_NAME,
                                  DETAIL = format('Key (%s)=(%s) is still referenced from table "datapoints".', TG_ARGV[0], used);
                    END IF;
                    RETURN NULL;
                END $$;
                """);
            foreach (var r in References)
                migrationBuilder.Sql($"""
                    CREATE TRIGGER datapoints_keep_referenced_on_delete AFTER DELETE ON {r.Table}
                        REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
                        EXECUTE FUNCTION datapoints_keep_referenced('{r.Key}', '{r.Column}', '{r.Constraint}');
                    CREATE TRIGGER datapoints_keep_referenced_on_update AFTER UPDATE ON {r.Table}
                        REFERENCING OLD TABLE AS gone NEW TABLE AS kept FOR EACH STATEMENT
                        EXECUTE FUNCTION datapoints_keep_referenced('{r.Key}', '{r.Column}', '{r.Constraint}');
                    """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var r in References)
                migrationBuilder.Sql($"""
                    DROP TRIGGER datapoints_keep_referenced_on_delete ON {r.Table};
                    DROP TRIGGER datapoints_keep_referenced_on_update ON {r.Table};
                    """);
            migrationBuilder.Sql("""
                DROP TRIGGER datapoints_references_inserted ON datapoints;
                DROP TRIGGER datapoints_references_updated ON datapoints;
                DROP FUNCTION datapoints_check_references();
                DROP FUNCTION datapoints_keep_referenced();
                """);
            foreach (var r in References)
                migrationBuilder.Sql($"ALTER TABLE datapoints ADD CONSTRAINT {r.Constraint} FOREIGN KEY ({r.Column}) REFERENCES {r.Table} ({r.Key}) ON DELETE RESTRICT;");
        }
    }
}
