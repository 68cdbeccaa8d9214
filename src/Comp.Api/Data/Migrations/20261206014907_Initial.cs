using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Comp.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateSequence(
                name: "dataset_version");

            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    scopes = table.Column<string[]>(type: "text[]", nullable: false),
                    secret_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_used_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "employers",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    slug = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false, collation: "C"),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_employers", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "fx_rates",
                columns: table => new
                {
                    currency = table.Column<string>(type: "character(3)", fixedLength: true, maxLength: 3, nullable: false),
                    date = table.Column<DateOnly>(type: "date", nullable: false),
                    usd_per_unit = table.Column<decimal>(type: "numeric(20,10)", precision: 20, scale: 10, nullable: false),
                    source = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_fx_rates", x => new { x.currency, x.date });
                    table.CheckConstraint("ck_fx_rates_positive", "usd_per_unit > 0");
                });

            migrationBuilder.CreateTable(
                name: "levels",
                columns: table => new
                {
                    code = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false, collation: "C"),
                    rank = table.Column<int>(type: "integer", nullable: false),
                    title = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_levels", x => x.code);
                });

            migrationBuilder.CreateTable(
                name: "regions",
                columns: table => new
                {
                    code = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false, collation: "C"),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    parent_code = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true, collation: "C"),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    currency = table.Column<string>(type: "character(3)", fixedLength: true, maxLength: 3, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_regions", x => x.code);
                    table.ForeignKey(
                        name: "fk_regions_regions_parent_code",
                        column: x => x.parent_code,
                        principalTable: "regions",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "roles",
                columns: table => new
                {
                    slug = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false, collation: "C"),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    family = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_roles", x => x.slug);
                });

            migrationBuilder.CreateTable(
                name: "idempotency_records",
                columns: table => new
                {
                    api_key_id = table.Column<Guid>(type: "uuid", nullable: false),
                    key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    route = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    request_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    status_code = table.Column<int>(type: "integer", nullable: false),
                    response_body = table.Column<string>(type: "text", nullable: false),
                    location = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_idempotency_records", x => new { x.api_key_id, x.key });
                    table.ForeignKey(
                        name: "fk_idempotency_records_api_keys_api_key_id",
                        column: x => x.api_key_id,
                        principalTable: "api_keys",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "employer_levels",
                columns: table => new
                {
                    employer_id = table.Column<int>(type: "integer", nullable: false),
                    name = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    level = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_employer_levels", x => new { x.employer_id, x.name });
                    table.ForeignKey(
                        name: "fk_employer_levels_employers_employer_id",
                        column: x => x.employer_id,
                        principalTable: "employers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_employer_levels_levels_level",
                        column: x => x.level,
                        principalTable: "levels",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "datapoints",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    employer_id = table.Column<int>(type: "integer", nullable: false),
                    role = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false, collation: "C"),
                    level = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: true, collation: "C"),
                    employer_level = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    region = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false, collation: "C"),
                    currency = table.Column<string>(type: "character(3)", fixedLength: true, maxLength: 3, nullable: false),
                    effective_date = table.Column<DateOnly>(type: "date", nullable: false),
                    base_salary = table.Column<decimal>(type: "numeric(16,2)", precision: 16, scale: 2, nullable: false),
                    target_bonus = table.Column<decimal>(type: "numeric(16,2)", precision: 16, scale: 2, nullable: true),
                    sign_on_bonus = table.Column<decimal>(type: "numeric(16,2)", precision: 16, scale: 2, nullable: true),
                    equity_grant = table.Column<decimal>(type: "numeric(16,2)", precision: 16, scale: 2, nullable: true),
                    equity_vesting_years = table.Column<int>(type: "integer", nullable: false),
                    retention_grant = table.Column<decimal>(type: "numeric(16,2)", precision: 16, scale: 2, nullable: true),
                    retention_vesting_years = table.Column<int>(type: "integer", nullable: false),
                    years_of_experience = table.Column<decimal>(type: "numeric(4,1)", precision: 4, scale: 1, nullable: true),
                    source = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    source_note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    verified = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    api_key_id = table.Column<Guid>(type: "uuid", nullable: false),
                    // By hand: after api_key_id, where the migrations this one replaces put it, and with a
                    // default for the writers that leave it out (binary COPY with a column list).
                    level_mapped = table.Column<bool>(type: "boolean", nullable: false, defaultValue: false),
                    batch_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_datapoints", x => x.id);
                    table.CheckConstraint("ck_datapoints_amounts", "base_salary >= 0 AND coalesce(target_bonus, 0) >= 0 AND coalesce(sign_on_bonus, 0) >= 0 AND coalesce(equity_grant, 0) >= 0 AND coalesce(retention_grant, 0) >= 0");
                    table.CheckConstraint("ck_datapoints_source", "source IN ('self_reported','offer_letter','employer_survey','public_filing','press_report','aggregator')");
                    table.CheckConstraint("ck_datapoints_vesting", "equity_vesting_years BETWEEN 1 AND 10 AND retention_vesting_years BETWEEN 1 AND 10");
                    table.ForeignKey(
                        name: "fk_datapoints_api_keys_api_key_id",
                        column: x => x.api_key_id,
                        principalTable: "api_keys",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_datapoints_employers_employer_id",
                        column: x => x.employer_id,
                        principalTable: "employers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_datapoints_levels_level",
                        column: x => x.level,
                        principalTable: "levels",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_datapoints_regions_region",
                        column: x => x.region,
                        principalTable: "regions",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_datapoints_roles_role",
                        column: x => x.role,
                        principalTable: "roles",
                        principalColumn: "slug",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_secret_hash",
                table: "api_keys",
                column: "secret_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_datapoints_api_key_id",
                table: "datapoints",
                column: "api_key_id");

            migrationBuilder.CreateIndex(
                name: "ix_datapoints_band_employer_role",
                table: "datapoints",
                columns: new[] { "employer_id", "role", "effective_date" })
                .Annotation("Npgsql:IndexInclude", new[] { "region", "level", "currency", "base_salary", "target_bonus", "sign_on_bonus", "equity_grant", "equity_vesting_years", "retention_grant", "retention_vesting_years", "source", "verified" });

            migrationBuilder.CreateIndex(
                name: "ix_datapoints_band_role_region",
                table: "datapoints",
                columns: new[] { "role", "region", "effective_date" })
                .Annotation("Npgsql:IndexInclude", new[] { "employer_id", "level", "currency", "base_salary", "target_bonus", "sign_on_bonus", "equity_grant", "equity_vesting_years", "retention_grant", "retention_vesting_years", "source", "verified" });

            migrationBuilder.CreateIndex(
                name: "ix_datapoints_level",
                table: "datapoints",
                column: "level");

            migrationBuilder.CreateIndex(
                name: "ix_datapoints_region",
                table: "datapoints",
                column: "region");

            migrationBuilder.CreateIndex(
                name: "ix_employer_levels_level",
                table: "employer_levels",
                column: "level");

            migrationBuilder.CreateIndex(
                name: "ix_employers_slug",
                table: "employers",
                column: "slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_idempotency_records_created_at",
                table: "idempotency_records",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_levels_rank",
                table: "levels",
                column: "rank",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_regions_parent_code",
                table: "regions",
                column: "parent_code");

            // What the EF model does not describe, in raw SQL. The reference data (roles, levels,
            // regions, FX rates) is not here: Data/Seed/*.csv, seeded after every migration.

            // Every statement that changes the data behind a band — datapoints, level mappings, FX
            // rates — moves the dataset version (SPEC: responses name the dataset they were computed
            // from; ETags build on it) and tells the listening API instances (delivered at commit;
            // collapsed to one per transaction).
            migrationBuilder.Sql("""
                CREATE FUNCTION bump_dataset_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM nextval('dataset_version');
                    PERFORM pg_notify('comp_dataset_changed', '');
                    RETURN NULL;
                END $$;
                CREATE TRIGGER datapoints_dataset_version
                    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON datapoints
                    FOR EACH STATEMENT EXECUTE FUNCTION bump_dataset_version();
                CREATE TRIGGER employer_levels_dataset_version
                    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON employer_levels
                    FOR EACH STATEMENT EXECUTE FUNCTION bump_dataset_version();
                CREATE TRIGGER fx_rates_dataset_version
                    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON fx_rates
                    FOR EACH STATEMENT EXECUTE FUNCTION bump_dataset_version();
                """);

            // What the in-memory band index (Features/Bands/Index) needs to follow the datapoints
            // table: the transaction that last wrote each row, the ids of deleted rows with the
            // transaction that deleted them, and an epoch moved by TRUNCATE (which fires no row
            // triggers). Nothing but the index reads it, and the defaults fill it for EF inserts
            // and binary COPY alike.
            migrationBuilder.Sql("""
                ALTER TABLE datapoints ADD COLUMN change_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
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
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The triggers go with their tables; the functions and the band index's tables do not.
            migrationBuilder.Sql("""
                DROP TABLE IF EXISTS band_index_epoch;
                DROP TABLE IF EXISTS datapoint_deletions;
                """);

            migrationBuilder.DropTable(
                name: "datapoints");

            migrationBuilder.DropTable(
                name: "employer_levels");

            migrationBuilder.DropTable(
                name: "fx_rates");

            migrationBuilder.DropTable(
                name: "idempotency_records");

            migrationBuilder.DropTable(
                name: "regions");

            migrationBuilder.DropTable(
                name: "roles");

            migrationBuilder.DropTable(
                name: "employers");

            migrationBuilder.DropTable(
                name: "levels");

            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropSequence(
                name: "dataset_version");

            migrationBuilder.Sql("""
                DROP FUNCTION IF EXISTS datapoints_truncated();
                DROP FUNCTION IF EXISTS datapoints_record_deletions();
                DROP FUNCTION IF EXISTS datapoints_touch();
                DROP FUNCTION IF EXISTS bump_dataset_version();
                """);
        }
    }
}
