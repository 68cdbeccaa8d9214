using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comp.Api.Data.Migrations
{
    /// <summary>
    /// Issue 17: vesting schedules on datapoints (their own or their employer's default, flagged so
    /// the default can follow the employer's), employer defaults, equity basis and package type;
    /// the band indexes' INCLUDE lists cover the new columns so the SQL source still reads from the
    /// index alone. The schedule rules of the API are held by a SQL function, since a CHECK
    /// constraint cannot hold the subquery a sum needs.
    /// </summary>
    public partial class VestingSchedules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION vesting_schedule_ok(s numeric[]) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
                    SELECT s IS NULL OR (cardinality(s) BETWEEN 1 AND 10 AND array_ndims(s) = 1 AND array_position(s, NULL) IS NULL
                        AND 0 <= ALL(s) AND abs((SELECT sum(p) FROM unnest(s) p) - 100) <= 0.01)
                $$;
                """);

            migrationBuilder.DropIndex(
                name: "ix_datapoints_band_employer_role",
                table: "datapoints");

            migrationBuilder.DropIndex(
                name: "ix_datapoints_band_role_region",
                table: "datapoints");

            migrationBuilder.AddColumn<decimal[]>(
                name: "equity_vesting_default",
                table: "employers",
                type: "numeric(7,4)[]",
                nullable: true);

            migrationBuilder.AddColumn<decimal[]>(
                name: "retention_vesting_default",
                table: "employers",
                type: "numeric(7,4)[]",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "equity_basis",
                table: "datapoints",
                type: "character varying(30)",
                maxLength: 30,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "equity_schedule_from_employer",
                table: "datapoints",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<decimal[]>(
                name: "equity_vesting_schedule",
                table: "datapoints",
                type: "numeric(7,4)[]",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "package_type",
                table: "datapoints",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "new_hire");

            migrationBuilder.AddColumn<bool>(
                name: "retention_schedule_from_employer",
                table: "datapoints",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<decimal[]>(
                name: "retention_vesting_schedule",
                table: "datapoints",
                type: "numeric(7,4)[]",
                nullable: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_employers_equity_vesting_default",
                table: "employers",
                sql: "vesting_schedule_ok(equity_vesting_default)");

            migrationBuilder.AddCheckConstraint(
                name: "ck_employers_retention_vesting_default",
                table: "employers",
                sql: "vesting_schedule_ok(retention_vesting_default)");

            migrationBuilder.CreateIndex(
                name: "ix_datapoints_band_employer_role",
                table: "datapoints",
                columns: new[] { "employer_id", "role", "effective_date" })
                .Annotation("Npgsql:IndexInclude", new[] { "region", "level", "currency", "base_salary", "target_bonus", "sign_on_bonus", "equity_grant", "equity_vesting_years", "retention_grant", "retention_vesting_years", "source", "verified", "years_of_experience", "equity_vesting_schedule", "retention_vesting_schedule", "equity_basis", "package_type" });

            migrationBuilder.CreateIndex(
                name: "ix_datapoints_band_role_region",
                table: "datapoints",
                columns: new[] { "role", "region", "effective_date" })
                .Annotation("Npgsql:IndexInclude", new[] { "employer_id", "level", "currency", "base_salary", "target_bonus", "sign_on_bonus", "equity_grant", "equity_vesting_years", "retention_grant", "retention_vesting_years", "source", "verified", "years_of_experience", "equity_vesting_schedule", "retention_vesting_schedule", "equity_basis", "package_type" });

            migrationBuilder.AddCheckConstraint(
                name: "ck_datapoints_equity_basis",
                table: "datapoints",
                sql: "equity_basis IN ('public_rsu','private_rsu_preferred','private_rsu_409a','options_spread','profit_units','cash_lti')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_datapoints_equity_vesting_schedule",
                table: "datapoints",
                sql: "vesting_schedule_ok(equity_vesting_schedule) AND (equity_vesting_schedule IS NULL OR cardinality(equity_vesting_schedule) = equity_vesting_years)");

            migrationBuilder.AddCheckConstraint(
                name: "ck_datapoints_package_type",
                table: "datapoints",
                sql: "package_type IN ('new_hire','current','retention','promotion','acquisition')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_datapoints_retention_vesting_schedule",
                table: "datapoints",
                sql: "vesting_schedule_ok(retention_vesting_schedule) AND (retention_vesting_schedule IS NULL OR cardinality(retention_vesting_schedule) = retention_vesting_years)");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_employers_equity_vesting_default",
                table: "employers");

            migrationBuilder.DropCheckConstraint(
                name: "ck_employers_retention_vesting_default",
                table: "employers");

            migrationBuilder.DropIndex(
                name: "ix_datapoints_band_employer_role",
                table: "datapoints");

            migrationBuilder.DropIndex(
                name: "ix_datapoints_band_role_region",
                table: "datapoints");

            migrationBuilder.DropCheckConstraint(
                name: "ck_datapoints_equity_basis",
                table: "datapoints");

            migrationBuilder.DropCheckConstraint(
                name: "ck_datapoints_equity_vesting_schedule",
                table: "datapoints");

            migrationBuilder.DropCheckConstraint(
                name: "ck_datapoints_package_type",
                table: "datapoints");

            migrationBuilder.DropCheckConstraint(
                name: "ck_datapoints_retention_vesting_schedule",
                table: "datapoints");

            migrationBuilder.DropColumn(
                name: "equity_vesting_default",
                table: "employers");

            migrationBuilder.DropColumn(
                name: "retention_vesting_default",
                table: "employers");

            migrationBuilder.DropColumn(
                name: "equity_basis",
                table: "datapoints");

            migrationBuilder.DropColumn(
                name: "equity_schedule_from_employer",
                table: "datapoints");

            migrationBuilder.DropColumn(
                name: "equity_vesting_schedule",
                table: "datapoints");

            migrationBuilder.DropColumn(
                name: "package_type",
                table: "datapoints");

            migrationBuilder.DropColumn(
                name: "retention_schedule_from_employer",
                table: "datapoints");

            migrationBuilder.DropColumn(
                name: "retention_vesting_schedule",
                table: "datapoints");

            migrationBuilder.CreateIndex(
                name: "ix_datapoints_band_employer_role",
                table: "datapoints",
                columns: new[] { "employer_id", "role", "effective_date" })
                .Annotation("Npgsql:IndexInclude", new[] { "region", "level", "currency", "base_salary", "target_bonus", "sign_on_bonus", "equity_grant", "equity_vesting_years", "retention_grant", "retention_vesting_years", "source", "verified", "years_of_experience" });

            migrationBuilder.CreateIndex(
                name: "ix_datapoints_band_role_region",
                table: "datapoints",
                columns: new[] { "role", "region", "effective_date" })
                .Annotation("Npgsql:IndexInclude", new[] { "employer_id", "level", "currency", "base_salary", "target_bonus", "sign_on_bonus", "equity_grant", "equity_vesting_years", "retention_grant", "retention_vesting_years", "source", "verified", "years_of_experience" });

            migrationBuilder.Sql("DROP FUNCTION vesting_schedule_ok(numeric[]);");
        }
    }
}
